// The dashboard's login API (issue 6): POST /v1/session (log in), GET /v1/session (who am
// I), DELETE /v1/session (log out). See docs/API.md "Dashboard sessions".
// Handlers run on worker threads: they hash passwords (password_hash.h) and block on the
// registry. Thread-safe.
#ifndef WOTT_SERVER_SESSION_HANDLERS_H_
#define WOTT_SERVER_SESSION_HANDLERS_H_

#include "base/status.h"
#include "net/http.h"
#include "net/router.h"
#include "server/ca_service.h"
#include "server/login_limiter.h"

namespace wott::server {

class SessionApi {
 public:
  // `ca` must outlive this object.
  explicit SessionApi(CaService& ca, LoginLimiterOptions limits = {}) : ca_(ca), limiter_(limits) {}

  // POST /v1/session {"username", "password"} (Content-Type: application/json, else 415)
  //   -> 200 SessionBody + Set-Cookie wott_session; 401 invalid_credentials for a wrong
  //   user or password (same message and the same argon2 work for both); 429
  //   too_many_attempts with Retry-After once the user or client address is rate-limited
  //   (even with the right password). Appends user.login / user.login_failed.
  net::HttpResponse Login(const net::HttpRequest& request);
  // GET /v1/session -> 200 SessionBody, or 401 unauthenticated.
  net::HttpResponse Get(const net::HttpRequest& request);
  // DELETE /v1/session (session cookie + X-CSRF-Token) -> 204 with the cookie cleared and
  // the session deleted (user.logout); 401 without a session, 403 csrf_failed.
  net::HttpResponse Logout(const net::HttpRequest& request);

 private:
  // The 401 of a failed login, after recording it.
  net::HttpResponse Failed(std::string_view user, bool valid_name, std::string_view client,
                           std::string_view reason);

  CaService& ca_;
  LoginLimiter limiter_;
};

// Adds the three /v1/session routes to `router`, sharing one SessionApi (and so one rate
// limiter) that lives as long as the router's handlers. `ca` must outlive the router.
Status AddSessionRoutes(net::Router& router, CaService& ca);

}  // namespace wott::server

#endif  // WOTT_SERVER_SESSION_HANDLERS_H_
