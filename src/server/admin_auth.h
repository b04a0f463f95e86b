// Authentication of the admin API: `Authorization: Bearer <api token>`, where the token is
// one printed by `wott-server api-token create`. The registry holds only the token's
// SHA-256, so the lookup is by hash and never compares secrets byte by byte.
// Thread-safe (reads the registry).
#ifndef WOTT_SERVER_ADMIN_AUTH_H_
#define WOTT_SERVER_ADMIN_AUTH_H_

#include <string>

#include "base/result.h"
#include "net/http.h"
#include "server/ca_service.h"

namespace wott::server {

// The actor "admin:<token id>" that `request` authenticates as, for the event log.
// kUnauthenticated when the Authorization field is missing, is not a Bearer credential, or
// names no usable (unknown, revoked or expired) API token; kUnavailable/kInternal when the
// registry fails.
Result<std::string> AuthenticateAdmin(CaService& ca, const net::HttpRequest& request);

// The response for a failed AuthenticateAdmin: ErrorFor(status), plus a
// `WWW-Authenticate: Bearer` challenge when the status is kUnauthenticated (RFC 6750).
net::HttpResponse AdminAuthError(const Status& status);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_AUTH_H_
