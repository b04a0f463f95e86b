// HttpsClient: a small blocking HTTPS/1.1 client for the agent. Each request opens its own
// connection (one request, then close) on a private event loop, so a client may be used
// from several threads at once. The server is verified against the configured CA bundle
// only (the system store is never used) and against the URL's host name (or an override);
// an optional client certificate authenticates us.
#ifndef WOTT_NET_HTTPS_CLIENT_H_
#define WOTT_NET_HTTPS_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/http.h"

namespace wott::net {

struct HttpsClientOptions {
  // CA certificates (PEM) that the server's chain must lead to. Required unless
  // insecure_skip_verify_for_pinning is set.
  std::string ca_bundle_pem;
  // Skips verification of the server's certificate. Only for the agent's first fetch of
  // /v1/ca-bundle, whose answer the caller then checks against a pinned root fingerprint
  // before trusting it; never send a secret over such a client. Default off.
  bool insecure_skip_verify_for_pinning = false;
  // Our certificate chain (leaf first) and its unencrypted private key, PEM. Both or
  // neither; without them the client sends no certificate.
  std::string client_cert_chain_pem;
  std::string client_key_pem;
  // The name the server certificate must be valid for, instead of the URL's host (e.g. the
  // URL uses an IP address but the certificate names "wott.example").
  std::string server_name_override;

  // Time allowed to connect. (Name resolution uses the system resolver and its timeouts.)
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // Time allowed for the TLS handshake, sending the request and reading the response.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  // Largest response body accepted; larger fails with kResourceExhausted.
  size_t max_response_body = 16 * 1024 * 1024;
};

class HttpsClient {
 public:
  // Builds the TLS context. Fails with kInvalidArgument when the CA bundle is missing or
  // malformed, or the client certificate and key are malformed or do not match.
  static Result<HttpsClient> Create(HttpsClientOptions options);

  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;
  ~HttpsClient();

  // Sends one request to `url` ("https://host[:port]/path?query") and returns the response,
  // whatever its status. `headers` are sent as given (set Content-Type for a body);
  // Host, Content-Length and Connection are set by the client.
  // Fails with (messages say which host and what went wrong):
  //   kInvalidArgument   malformed URL or method;
  //   kUnavailable       name resolution failed, connection refused or reset, or the
  //                      server sent a malformed response;
  //   kDeadlineExceeded  a timeout expired (says which phase);
  //   kUnauthenticated   the server's certificate failed verification (says why), or the
  //                      server refused the TLS handshake or our certificate (its alert);
  //   kResourceExhausted the response body is larger than max_response_body.
  Result<HttpResponse> Request(std::string_view method, std::string_view url, std::string body = {},
                               const HttpHeaders& headers = {}) const;

  // POST with Content-Type: application/json.
  Result<HttpResponse> PostJson(std::string_view url, std::string json) const;

 private:
  class Impl;
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wott::net

#endif  // WOTT_NET_HTTPS_CLIENT_H_
