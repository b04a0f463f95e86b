#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleRecover(CaService& ca, const net::HttpRequest& request) {
  Result<nlohmann::json> body = ParseJsonObject(request);
  if (!body.ok()) return ErrorFor(body.status());
  RecoverRequest recover;
  for (auto [field, out] : {std::pair{"recovery_token", &recover.recovery_token},
                            std::pair{"csr", &recover.csr},
                            std::pair{"expired_certificate", &recover.expired_certificate}}) {
    Result<std::string> value = StringField(*body, field, /*required=*/true);
    if (!value.ok()) return ErrorFor(value.status());
    *out = *value;
  }
  Result<IssuedCertificate> issued = ca.Recover(recover);
  if (!issued.ok()) return ErrorFor(issued.status());
  return JsonResponse(IssuedToJson(*issued));
}

}  // namespace wott::server
