#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleCaBundle(CaService& ca, const net::HttpRequest&) {
  return JsonResponse({{"ca_bundle", ca.ca_bundle()}});
}

}  // namespace wott::server
