// HttpsServer: an HTTP/1.1 server over TLS on one port (Boost.Beast over Asio, one
// coroutine per connection; Beast stays inside https_server.cc).
//
// I/O threads only move bytes: every request is handed to a worker pool, so a handler may
// block (database, signing) without stalling other connections. Each phase of a
// connection has its own timeout, so slow or silent clients cannot pin a connection:
// TLS handshake, request header, request body, idle keep-alive wait, response write.
// Errors the server answers itself use the JSON error body of net/http.h:
// malformed request 400, body over the limit 413, header over the limit 431.
//
// Thread safety: Start, Stop, Wait and StopOnSignals may be called from any thread except
// an I/O or worker thread of this server; port() and SetSslContext from any thread.
#ifndef WOTT_NET_HTTPS_SERVER_H_
#define WOTT_NET_HTTPS_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "net/http.h"
#include "ossl/unique_ptr.h"

namespace wott::net {

// Runs on a worker thread for every well-formed request. May set request.route (the
// Router does) so that logs and metrics see the route pattern.
using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

// What the server reports after each response it sends (also for the errors it answers
// itself). Views are valid only during the callback.
struct RequestRecord {
  std::string_view method;               // "" when the request line could not be parsed
  std::string_view target;               // as sent; "" when unparsable
  std::string_view route;                // matched route pattern; "" when none
  int status = 0;                        // HTTP status sent
  std::chrono::microseconds latency{0};  // first request byte to last response byte
  std::string_view peer_identity;        // subject CN of the verified client certificate, or ""
  std::string_view remote_address;       // "127.0.0.1:53412"
  std::string_view error;  // why the server answered itself ("header too large"), or ""
  const HttpRequest* request = nullptr;  // the full request; null for server-side errors
};

struct HttpsServerOptions {
  // Address to listen on. Tests and the default configuration use loopback.
  std::string address = "127.0.0.1";
  // Port; 0 picks a free one (see HttpsServer::port()).
  uint16_t port = 0;
  // TLS context from ossl::BuildTlsContext (server role). Required.
  ossl::UniquePtr<SSL_CTX> ssl_context;

  // Threads that run the network I/O (accept, TLS, HTTP parsing).
  int io_threads = 1;
  // Threads that run handlers.
  int worker_threads = 4;

  // Largest request body accepted; larger gets 413 and the connection is closed.
  size_t body_limit = 64 * 1024;
  // Per-path exceptions to body_limit: exact request path (no query) -> its limit, e.g.
  // {"/v1/ping", 4 MiB} for heartbeats that carry a package list. Other paths keep
  // body_limit. The limit applies before routing (any method).
  std::map<std::string, size_t, std::less<>> path_body_limits;
  // Largest request line plus header fields; larger gets 431.
  size_t header_limit = 8 * 1024;
  // Connections served at once; more are closed right after accept.
  size_t max_connections = 1024;

  // Time allowed for the TLS handshake after accept.
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
  // Time allowed to receive the whole request header, from its first byte (or from the
  // handshake for the first request of a connection).
  std::chrono::milliseconds header_timeout = std::chrono::seconds(10);
  // Time allowed to receive the request body after the header.
  std::chrono::milliseconds body_timeout = std::chrono::seconds(30);
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // Time allowed to write a response.
  std::chrono::milliseconds write_timeout = std::chrono::seconds(30);
  // When the server closes a connection it waits up to this long for the client's
  // close_notify, or after an error response for the client to stop sending (discarding
  // what arrives), so the client reads the response instead of a connection reset.
  std::chrono::milliseconds linger_timeout = std::chrono::seconds(2);
  // Default deadline of Stop() for in-flight requests.
  std::chrono::milliseconds shutdown_deadline = std::chrono::seconds(10);

  // Called once per response sent, on an I/O thread, possibly on several at once: keep it
  // short and thread-safe (format a log line, bump a counter). May be empty.
  std::function<void(const RequestRecord&)> on_request;
};

class HttpsServer {
 public:
  // REQUIRES: options.ssl_context != nullptr, handler is callable.
  HttpsServer(HttpsServerOptions options, HttpHandler handler);
  // Stops the server (as Stop()) if it is running.
  ~HttpsServer();

  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds, listens and starts the threads. Fails with kInvalidArgument on a bad address
  // or options, kUnavailable when the address cannot be bound (in use, not permitted),
  // kFailedPrecondition when called a second time (a stopped server does not restart).
  Status Start();

  // The bound port (the chosen one when options.port was 0); 0 before Start.
  uint16_t port() const;

  // Graceful stop: stops accepting, closes idle keep-alive connections, lets requests in
  // flight finish and answers them with "Connection: close". Connections still open at
  // `deadline` are closed. Returns when all threads have exited; handlers still running at
  // the deadline are waited for (they are never abandoned). Idempotent.
  void Stop();
  void Stop(std::chrono::milliseconds deadline);

  // Blocks until the server has stopped (by Stop() or a signal).
  void Wait();

  // On any of `signals` (e.g. SIGTERM, SIGINT), runs Stop() with the default deadline on a
  // separate thread. REQUIRES: Start() succeeded.
  void StopOnSignals(std::vector<int> signals);

  // Uses `ctx` for connections accepted from now on (certificate renewal); connections
  // already open keep theirs. REQUIRES: ctx != nullptr.
  void SetSslContext(ossl::UniquePtr<SSL_CTX> ctx);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wott::net

#endif  // WOTT_NET_HTTPS_SERVER_H_
