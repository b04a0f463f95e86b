#include "server/api_util.h"

namespace wott::server {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

net::HttpResponse ErrorFor(const Status& status) {
  int http = HttpStatusFor(status.code());
  std::string_view message = http >= 500 && status.code() != StatusCode::kUnavailable
                                 ? std::string_view("internal error")
                                 : std::string_view(status.message());
  return net::ErrorResponse(http, StatusCodeName(status.code()), message);
}

net::HttpResponse JsonResponse(const nlohmann::json& body, int http_status) {
  // Replace invalid UTF-8 rather than throw: device-reported strings are untrusted.
  return net::HttpResponse::Json(
      http_status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Result<nlohmann::json> ParseJsonObject(const net::HttpRequest& request) {
  std::optional<std::string_view> type = request.headers.Get("Content-Type");
  if (!type || type->substr(0, type->find(';')) != "application/json") {
    return InvalidArgument("the request body must be JSON (Content-Type: application/json)");
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return InvalidArgument("the request body is not valid JSON");
  if (!body.is_object()) return InvalidArgument("the request body must be a JSON object");
  return body;
}

Result<std::string> StringField(const nlohmann::json& object, std::string_view key,
                                bool required) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return InvalidArgument("missing field '" + std::string(key) + "'");
    return std::string();
  }
  if (!it->is_string()) {
    return InvalidArgument("field '" + std::string(key) + "' must be a string");
  }
  return it->get<std::string>();
}

}  // namespace wott::server
