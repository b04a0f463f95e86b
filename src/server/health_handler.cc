#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleHealth(CaService& ca, const net::HttpRequest&) {
  Result<store::DeviceCounts> counts = ca.registry().CountDevicesByStatus();
  if (!counts.ok()) return ErrorFor(Unavailable("registry unavailable", counts.status().ToString()));
  return JsonResponse({{"status", "ok"}});
}

}  // namespace wott::server
