// The response body of an issuance (enroll, renew, recover), written directly.
#ifndef WOTT_SERVER_ISSUED_JSON_H_
#define WOTT_SERVER_ISSUED_JSON_H_

#include "net/http.h"
#include "server/ca_service.h"

namespace wott::server {

// The same response as JsonResponse(IssuedToJson(issued), http_status), byte for byte, but
// written straight into one string: nlohmann's serializer escapes the two PEM chains (about
// 2.5 KB) one character at a time through its own buffer, ~5 % of an enrollment's CPU.
// Fields that are not plain ASCII take the nlohmann path, so its invalid-UTF-8 handling
// applies unchanged.
net::HttpResponse IssuedResponse(const IssuedCertificate& issued, int http_status = 200);

}  // namespace wott::server

#endif  // WOTT_SERVER_ISSUED_JSON_H_
