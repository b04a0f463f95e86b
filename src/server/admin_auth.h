// Authentication of the admin API, two ways:
//  - `Authorization: Bearer <api token>`, a token printed by `wott-server api-token create`
//    (actor "admin:<token id>"). The registry holds only the token's SHA-256, so the lookup
//    is by hash and never compares secrets byte by byte.
//  - the dashboard's session cookie (session_auth.h; actor "user:<name>"), used only when
//    the request has no Authorization field. Every method but GET and HEAD must then carry
//    the session's X-CSRF-Token.
// Thread-safe (reads the registry).
#ifndef WOTT_SERVER_ADMIN_AUTH_H_
#define WOTT_SERVER_ADMIN_AUTH_H_

#include <string>

#include "base/result.h"
#include "net/http.h"
#include "server/ca_service.h"

namespace wott::server {

// The actor ("admin:<token id>" or "user:<name>") that `request` authenticates as, for the
// event log. kUnauthenticated when there is neither an Authorization field nor a session
// cookie, when the field is not a Bearer credential or names no usable (unknown, revoked or
// expired) API token, or when the cookie names no unexpired session; kPermissionDenied when
// a cookie-authenticated request other than GET/HEAD lacks the right X-CSRF-Token;
// kUnavailable/kInternal when the registry fails.
Result<std::string> AuthenticateAdmin(CaService& ca, const net::HttpRequest& request);

// The response for a failed AuthenticateAdmin: ErrorFor(status) (403 csrf_failed for
// kPermissionDenied), plus a
// `WWW-Authenticate: Bearer` challenge when the status is kUnauthenticated (RFC 6750).
net::HttpResponse AdminAuthError(const Status& status);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_AUTH_H_
