// The dashboard's routes: GET and HEAD / (index.html) and /assets/{file}. Every answer, 404s
// included, carries the dashboard's security headers (Content-Security-Policy, nosniff,
// no-referrer, DENY framing); assets carry an ETag and are revalidated (Cache-Control: no-cache),
// answering 304 to a matching If-None-Match.
#ifndef WOTT_SERVER_WEB_ROUTES_H_
#define WOTT_SERVER_WEB_ROUTES_H_

#include <filesystem>
#include <memory>

#include "base/status.h"
#include "net/http.h"
#include "net/router.h"
#include "server/web_assets.h"

namespace wott::server {

// The Content-Security-Policy every dashboard answer carries (docs/DASHBOARD.md).
inline constexpr std::string_view kDashboardCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Adds GET and HEAD for / and /assets/{file}. With an empty `web_root` the embedded files are
// served, else the files in that directory (read per request). Fails when a route exists.
Status AddWebRoutes(net::Router& router, const std::filesystem::path& web_root);

// The answer for asset `name` given the request's If-None-Match (exposed for tests).
net::HttpResponse ServeAsset(const WebAssets& assets, std::string_view name,
                             const net::HttpRequest& request);

}  // namespace wott::server

#endif  // WOTT_SERVER_WEB_ROUTES_H_
