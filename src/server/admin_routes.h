// The admin API's routes (/v1/admin/...), all behind authentication: a Bearer API token or
// the dashboard's session cookie with CSRF check (admin_auth.h).
// Called once from AddRoutes (routes.cc), during start-up.
#ifndef WOTT_SERVER_ADMIN_ROUTES_H_
#define WOTT_SERVER_ADMIN_ROUTES_H_

#include "base/status.h"
#include "net/router.h"
#include "server/ca_service.h"

namespace wott::server {

// Adds every /v1/admin route to `router`. Each authenticates the request first (401 with
// `WWW-Authenticate: Bearer` when that fails, 403 csrf_failed for a cookie request without
// its CSRF token) and answers with `Cache-Control: no-store`.
// `ca` must outlive the router. Fails only when a route cannot be added.
Status AddAdminRoutes(net::Router& router, CaService& ca);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_ROUTES_H_
