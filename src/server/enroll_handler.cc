#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {

net::HttpResponse HandleEnroll(CaService& ca, const net::HttpRequest& request) {
  Result<nlohmann::json> body = ParseJsonObject(request);
  if (!body.ok()) return ErrorFor(body.status());
  EnrollRequest enroll;
  for (auto [field, out, required] : {std::tuple{"token", &enroll.token, true},
                                      std::tuple{"csr", &enroll.csr, true},
                                      std::tuple{"hostname", &enroll.hostname, false},
                                      std::tuple{"os", &enroll.os, false}}) {
    Result<std::string> value = StringField(*body, field, required);
    if (!value.ok()) return ErrorFor(value.status());
    *out = *value;
  }
  Result<IssuedCertificate> issued = ca.Enroll(enroll);
  if (!issued.ok()) return ErrorFor(issued.status());
  return JsonResponse(IssuedToJson(*issued), 201);
}

}  // namespace wott::server
