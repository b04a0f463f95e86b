#include "server/routes.h"

#include "server/admin_routes.h"
#include "server/handlers.h"
#include "server/metrics.h"
#include "server/session_handlers.h"
#include "server/web_routes.h"

namespace wott::server {

Status AddRoutes(net::Router& router, CaService& ca, const std::filesystem::path& web_root) {
  auto bind = [&ca](net::HttpResponse (*handler)(CaService&, const net::HttpRequest&)) {
    return [&ca, handler](const net::HttpRequest& request) { return handler(ca, request); };
  };
  // Public.
  RETURN_IF_ERROR(router.Add("GET", "/healthz", bind(HandleHealth)));
  RETURN_IF_ERROR(router.Add("GET", "/metrics", bind(HandleMetrics)));  // Prometheus
  RETURN_IF_ERROR(router.Add("GET", "/v1/ca-bundle", bind(HandleCaBundle)));
  // The seed's Kubernetes tutorial fetches this path.
  RETURN_IF_ERROR(router.Add("GET", "/v0.2/ca-bundle", bind(HandleCaBundle)));
  RETURN_IF_ERROR(router.Add("GET", "/v1/crl", bind(HandleCrl)));
  RETURN_IF_ERROR(AddOcspRoutes(router, ca));  // POST /v1/ocsp, GET /v1/ocsp/{request}
  RETURN_IF_ERROR(router.Add("GET", "/v1/devices/{id}/certificate", bind(HandleDeviceCertificate)));
  // Enrollment token, device certificate (mTLS), recovery token.
  RETURN_IF_ERROR(router.Add("POST", "/v1/enroll", bind(HandleEnroll)));
  RETURN_IF_ERROR(router.Add("POST", "/v1/renew", bind(HandleRenew)));
  RETURN_IF_ERROR(router.Add("POST", "/v1/recover", bind(HandleRecover)));
  RETURN_IF_ERROR(router.Add("POST", "/v1/ping", bind(HandlePing)));  // agent heartbeat
  RETURN_IF_ERROR(router.Add("GET", "/v1/policies/{name}", bind(HandleGetPolicy)));  // mTLS
  // Operators: Bearer API token, or the dashboard's session cookie.
  RETURN_IF_ERROR(AddSessionRoutes(router, ca));  // /v1/session: dashboard login/logout
  RETURN_IF_ERROR(AddAdminRoutes(router, ca));
  RETURN_IF_ERROR(AddWebRoutes(router, web_root));  // the dashboard: GET /, /assets/{file}
  return Status::Ok();
}

}  // namespace wott::server
