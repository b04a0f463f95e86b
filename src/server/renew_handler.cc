#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleRenew(CaService& ca, const net::HttpRequest& request) {
  // Authenticate before looking at the body.
  if (!request.peer_certificate) {
    return ErrorFor(Unauthenticated("renewal needs the device's current certificate (mTLS)"));
  }
  Result<nlohmann::json> body = ParseJsonObject(request);
  if (!body.ok()) return ErrorFor(body.status());
  Result<std::string> csr = StringField(*body, "csr", true);
  if (!csr.ok()) return ErrorFor(csr.status());
  Result<IssuedCertificate> issued = ca.Renew(request.peer_certificate.get(), *csr);
  if (!issued.ok()) return ErrorFor(issued.status());
  return JsonResponse(IssuedToJson(*issued));
}

}  // namespace wott::server
