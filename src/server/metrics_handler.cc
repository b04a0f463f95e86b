#include "server/api_util.h"
#include "server/ca_service.h"
#include "server/metrics.h"

namespace wott::server {

net::HttpResponse HandleMetrics(CaService& ca, const net::HttpRequest&) {
  if (ca.metrics() == nullptr) return ErrorFor(NotFound("metrics are not enabled"));
  net::HttpResponse response;
  response.status = 200;
  response.body = ca.metrics()->Render();
  response.content_type = std::string(ServerMetrics::kContentType);
  return response;
}

}  // namespace wott::server
