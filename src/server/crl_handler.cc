#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleCrl(CaService& ca, const net::HttpRequest&) {
  Result<std::string> der = ca.CrlDer();
  if (!der.ok()) return ErrorFor(der.status());
  net::HttpResponse response;
  response.content_type = "application/pkix-crl";
  response.body = *der;
  return response;
}

}  // namespace wott::server
