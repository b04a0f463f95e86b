// Helpers every API handler uses: the one mapping from Status to HTTP status and error
// body, strict JSON body parsing, and JSON responses. Pure functions; thread-safe.
#ifndef WOTT_SERVER_API_UTIL_H_
#define WOTT_SERVER_API_UTIL_H_

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "net/http.h"

namespace wott::server {

// The HTTP status for a failed operation: invalid_argument 400, unauthenticated 401,
// permission_denied 403, not_found 404, already_exists and failed_precondition 409,
// resource_exhausted 429, unavailable 503, everything else 500.
int HttpStatusFor(StatusCode code);

// {"error": {"code", "message"}} for `status`. Internal errors never show their message
// or detail: the body says "internal error" and the detail goes to the log only.
net::HttpResponse ErrorFor(const Status& status);

// A 200 (or `http_status`) response with `body` serialised.
net::HttpResponse JsonResponse(const nlohmann::json& body, int http_status = 200);

// Parses the request body as a JSON object. kInvalidArgument with a user-safe message for
// a missing or non-JSON Content-Type, malformed JSON or a non-object.
Result<nlohmann::json> ParseJsonObject(const net::HttpRequest& request);

// The string field `key` of `object`: "" when absent and !required; kInvalidArgument when
// it is not a string, or absent and required.
Result<std::string> StringField(const nlohmann::json& object, std::string_view key,
                                bool required);

}  // namespace wott::server

#endif  // WOTT_SERVER_API_UTIL_H_
