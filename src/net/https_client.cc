// The only client TU that includes Beast/Asio.
#include "net/https_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "net/url.h"
#include "ossl/tls_context.h"

namespace wott::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kUserAgent = "wott/0.1";
constexpr uint32_t kResponseHeaderLimit = 64 * 1024;

Status Deadline(std::string message) {
  return Status(StatusCode::kDeadlineExceeded, std::move(message));
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Turns a failure during the handshake or the exchange into a Status that says what went
// wrong with whom. `ssl` tells a local verification failure from a refusal by the server.
Status TlsFailure(const SSL* ssl, const error_code& ec, const std::string& where,
                  std::string_view phase) {
  std::string during = " during " + std::string(phase);
  if (ec == beast::error::timeout) return Deadline("timed out" + during + " with " + where);
  if (std::string reason = ossl::VerifyFailureReason(ssl); !reason.empty()) {
    return Unauthenticated("the TLS certificate of " + where + " failed verification: " + reason,
                           ec.message());
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    // Usually an alert from the server: "tlsv13 alert certificate required", "unknown ca".
    return Unauthenticated("TLS with " + where + " failed" + during + ": " + ec.message());
  }
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return Unavailable(where + " closed the connection" + during, ec.message());
  }
  return Unavailable("connection to " + where + " failed" + during + ": " + ec.message());
}

}  // namespace

class HttpsClient::Impl {
 public:
  Impl(HttpsClientOptions options, ossl::UniquePtr<SSL_CTX> ctx)
      : options_(std::move(options)), ctx_(std::move(ctx)) {}

  Result<HttpResponse> Request(std::string_view method, std::string_view url, std::string body,
                               const HttpHeaders& headers) const;

 private:
  asio::awaitable<Status> Exchange(const HttpsUrl& url,
                                   const http::request<http::string_body>& request,
                                   HttpResponse& out) const;

  HttpsClientOptions options_;
  ossl::UniquePtr<SSL_CTX> ctx_;  // shared by all requests; SSL_CTX is thread-safe
};

Result<HttpResponse> HttpsClient::Impl::Request(std::string_view method, std::string_view url,
                                                std::string body,
                                                const HttpHeaders& headers) const {
  ASSIGN_OR_RETURN(HttpsUrl parsed, ParseHttpsUrl(url));
  if (!IsToken(method)) return InvalidArgument("invalid HTTP method '" + std::string(method) + "'");
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(parsed.target);
  request.version(11);
  request.set(http::field::host, parsed.Authority());
  request.set(http::field::user_agent, kUserAgent);
  for (const auto& [name, value] : headers.fields()) {
    if (!IsToken(name) || value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return InvalidArgument("invalid request header '" + name + "'");
    }
    if (EqualsIgnoreCase(name, "Host") || EqualsIgnoreCase(name, "Content-Length") ||
        EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Transfer-Encoding")) {
      continue;
    }
    request.insert(name, value);
  }
  request.body() = std::move(body);
  request.keep_alive(false);
  request.prepare_payload();

  asio::io_context ioc(1);
  HttpResponse response;
  Status status = Internal("internal error", "request coroutine did not finish");
  asio::co_spawn(ioc, Exchange(parsed, request, response),
                 [&status](std::exception_ptr e, Status s) {
                   status = e ? Internal("internal error", "request coroutine threw") : s;
                 });
  try {
    ioc.run();
  } catch (const std::exception& e) {  // boundary: Asio reports some failures by throwing
    return Internal("internal error", std::string("HTTPS client: ") + e.what());
  }
  if (!status.ok()) return status;
  return response;
}

asio::awaitable<Status> HttpsClient::Impl::Exchange(const HttpsUrl& url,
                                                    const http::request<http::string_body>& request,
                                                    HttpResponse& out) const {
  auto executor = co_await asio::this_coro::executor;
  const std::string where = url.host.find(':') != std::string::npos
                                ? "[" + url.host + "]:" + std::to_string(url.port)
                                : url.host + ":" + std::to_string(url.port);

  tcp::resolver resolver(executor);
  // Named, not a temporary: g++ 12 destroys temporaries in a co_await expression twice.
  const std::string port = std::to_string(url.port);
  auto [rec, endpoints] = co_await resolver.async_resolve(url.host, port, kTuple);
  if (rec) co_return Unavailable("cannot resolve " + url.host + ": " + rec.message());

  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_after(options_.connect_timeout);
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, kTuple);
  if (cec == beast::error::timeout) co_return Deadline("timed out connecting to " + where);
  if (cec == asio::error::connection_refused)
    co_return Unavailable("connection refused by " + where);
  if (cec) co_return Unavailable("cannot connect to " + where + ": " + cec.message());
  error_code nodelay_ignored;  // best effort: avoids the Nagle / delayed-ACK 40 ms stall
  tcp_stream.socket().set_option(tcp::no_delay(true), nodelay_ignored);

  Result<ossl::UniquePtr<SSL>> ssl = ossl::NewConnection(ctx_.get());
  if (!ssl.ok()) co_return ssl.status();
  const std::string& name =
      options_.server_name_override.empty() ? url.host : options_.server_name_override;
  if (Status s = ossl::SetExpectedPeerName(ssl->get(), name); !s.ok()) co_return s;
  TlsStream stream(std::move(tcp_stream), ssl->release());  // the stream owns the SSL
  const SSL* native = stream.native_handle();

  // One deadline for handshake, request and response.
  stream.next_layer().expires_after(options_.request_timeout);
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
  if (hec) co_return TlsFailure(native, hec, where, "the TLS handshake");
  auto [wec, wn] = co_await http::async_write(stream, request, kTuple);
  if (wec) co_return TlsFailure(native, wec, where, "sending the request");

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(kResponseHeaderLimit);
  parser.body_limit(options_.max_response_body);
  auto [pec, pn] = co_await http::async_read(stream, buffer, parser, kTuple);
  if (pec == http::error::body_limit) {
    co_return ResourceExhausted("the response from " + where + " is larger than " +
                                std::to_string(options_.max_response_body) + " bytes");
  }
  if (pec && pec.category() == http::make_error_code(http::error::bad_version).category() &&
      pec != http::error::end_of_stream && pec != http::error::partial_message) {
    co_return Unavailable("malformed HTTP response from " + where + ": " + pec.message());
  }
  if (pec) co_return TlsFailure(native, pec, where, "reading the response");

  http::response<http::string_body>& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    out.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  auto content_type = res.find(http::field::content_type);
  out.content_type = content_type == res.end() ? "" : std::string(content_type->value());
  out.body = std::move(res.body());
  co_return Status::Ok();  // the connection is closed when `stream` goes out of scope
}

Result<HttpsClient> HttpsClient::Create(HttpsClientOptions options) {
  if (options.ca_bundle_pem.empty() && !options.insecure_skip_verify_for_pinning) {
    return InvalidArgument("the HTTPS client needs a CA bundle to verify the server");
  }
  ossl::TlsContextOptions tls;
  tls.role = ossl::TlsRole::kClient;
  tls.trust_anchors_pem = options.ca_bundle_pem;
  tls.certificate_chain_pem = options.client_cert_chain_pem;
  tls.private_key_pem = options.client_key_pem;
  tls.peer_verification = options.insecure_skip_verify_for_pinning
                              ? ossl::PeerVerification::kNone
                              : ossl::PeerVerification::kRequired;
  ASSIGN_OR_RETURN(ossl::UniquePtr<SSL_CTX> ctx, ossl::BuildTlsContext(tls));
  return HttpsClient(std::make_unique<Impl>(std::move(options), std::move(ctx)));
}

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;
HttpsClient::~HttpsClient() = default;

Result<HttpResponse> HttpsClient::Request(std::string_view method, std::string_view url,
                                          std::string body, const HttpHeaders& headers) const {
  return impl_->Request(method, url, std::move(body), headers);
}

Result<HttpResponse> HttpsClient::PostJson(std::string_view url, std::string json) const {
  HttpHeaders headers;
  headers.Set("Content-Type", "application/json");
  return Request("POST", url, std::move(json), headers);
}

}  // namespace wott::net
