// Plain HTTP request/response values shared by the server, the client, the router and
// every handler. No Beast or Asio here: handler code includes only this header.
// Values are independent; a const object may be read from several threads.
#ifndef WOTT_NET_HTTP_H_
#define WOTT_NET_HTTP_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "ossl/unique_ptr.h"

namespace wott::net {

// Header fields in arrival order. Names compare case-insensitively; a name may repeat.
class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  // Appends a field (keeps any existing fields of that name).
  void Add(std::string name, std::string value);
  // Replaces every field named `name` with one field.
  void Set(std::string name, std::string value);
  // Removes every field named `name`.
  void Remove(std::string_view name);
  // The value of the first field named `name`, or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<Field> fields_;
};

// True when `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ... as sent (case-sensitive per RFC 9110)
  std::string target;  // the request target as sent: "/api/v1/x?y=1"
  std::string path;    // target up to '?', still percent-encoded
  std::string query;   // target after '?', still percent-encoded; "" when none
  HttpHeaders headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:53412"

  // The client certificate, verified against the server's trust anchors during the TLS
  // handshake; null when the client sent none. Handlers that need an identity check this.
  ossl::UniquePtr<X509> peer_certificate;
  // The rest of the verified chain after the leaf (intermediates, then the anchor).
  std::vector<ossl::UniquePtr<X509>> peer_chain;

  // Set by Router: the matched pattern ("/api/v1/devices/{id}") and its parameters,
  // percent-decoded. Empty when no route matched.
  std::string route;
  std::map<std::string, std::string, std::less<>> path_params;

  // A path parameter, or "" when absent.
  std::string_view PathParam(std::string_view name) const;
  // The first query parameter `name`, percent-decoded ('+' is a space); nullopt when absent
  // or malformed.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;  // extra fields; Content-Length and Connection are set by the server
  std::string body;
  // Sent as Content-Type when the body is not empty.
  std::string content_type = "application/json";

  // A response with `body` as application/json.
  static HttpResponse Json(int status, std::string body);
  // A response with `body` as text/plain; charset=utf-8.
  static HttpResponse Text(int status, std::string body);
};

// The error body every wott endpoint uses:
// {"error":{"code":"<code>","message":"<message>"}}, with `status`.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Fails with
// kInvalidArgument on a truncated or non-hex escape or an encoded NUL.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space = false);

// Checks a response handlers produced before it goes on the wire: status 100..599, field
// names are tokens, values have no CR, LF or NUL. Fails with kInternal naming the problem.
Status ValidateResponse(const HttpResponse& response);

}  // namespace wott::net

#endif  // WOTT_NET_HTTP_H_
