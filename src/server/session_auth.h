// Dashboard sessions on the wire: the `wott_session` cookie (a random secret; the registry
// keeps only its SHA-256), its Set-Cookie attributes, and the CSRF check every
// state-changing request made with the cookie must pass (X-CSRF-Token equal, in constant
// time, to the session's token). Thread-safe (reads and occasionally writes the registry).
#ifndef WOTT_SERVER_SESSION_AUTH_H_
#define WOTT_SERVER_SESSION_AUTH_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/http.h"
#include "server/ca_service.h"
#include "store/records.h"

namespace wott::server {

inline constexpr std::string_view kSessionCookieName = "wott_session";
// last_used_at is written at most this often per session (one registry write, not one
// per request).
inline constexpr Duration kSessionTouchInterval = std::chrono::minutes(5);
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// The value of the wott_session cookie in the request's Cookie field; nullopt when absent.
std::optional<std::string_view> SessionCookie(const net::HttpRequest& request);

// Set-Cookie values: a new session (Max-Age = `max_age` in whole seconds) and its removal.
std::string SessionCookieHeader(std::string_view secret, Duration max_age);
std::string ClearedSessionCookieHeader();

// A new session secret (32 random bytes as hex) or CSRF token (the same form).
Result<std::string> NewSessionSecret();

// The unexpired session named by the request's cookie; its last_used_at is moved forward
// when older than kSessionTouchInterval. kUnauthenticated when there is no cookie, it is
// malformed, or it names no unexpired session (one message); kUnavailable/kInternal when
// the registry fails.
Result<store::SessionRecord> AuthenticateSession(CaService& ca, const net::HttpRequest& request);

// OK for GET and HEAD, or when X-CSRF-Token equals `session.csrf_token`; kPermissionDenied
// (rendered as 403 csrf_failed) otherwise.
Status CheckCsrf(const net::HttpRequest& request, const store::SessionRecord& session);

// The response for a failed AuthenticateSession or CheckCsrf: 403 csrf_failed for
// kPermissionDenied, else ErrorFor(status) (401 unauthenticated...).
net::HttpResponse SessionAuthError(const Status& status);

// {"user": {"name"}, "csrf_token", "expires_at"}: the body of POST and GET /v1/session.
std::string SessionBody(const store::SessionRecord& session);

}  // namespace wott::server

#endif  // WOTT_SERVER_SESSION_AUTH_H_
