// The only server TU that includes Beast/Asio (they cost ~30 s to compile per TU).
#include "net/https_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "ossl/tls_context.h"

namespace wott::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// First read of a request: whatever has arrived, up to this much.
constexpr size_t kFirstReadBytes = 16 * 1024;
// While lingering, a client that sends nothing for this long is done.
constexpr std::chrono::milliseconds kLingerIdle(250);

std::string FormatEndpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}

// Parser errors that mean "the client went away", not "the client sent garbage".
bool IsDisconnect(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec.category() != http::make_error_code(http::error::bad_method).category();
}

// Fields the server owns; a handler's value for them is ignored.
bool IsFramingField(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

// The request path of a target ("/a/b?x=1" -> "/a/b").
std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// One accepted connection. Its members are touched only on its strand.
struct Connection {
  Connection(beast::tcp_stream tcp, SSL* ssl, std::string remote)
      : stream(std::move(tcp), ssl), remote_address(std::move(remote)) {}

  void Close() { stream.next_layer().close(); }

  TlsStream stream;  // owns `ssl`
  std::string remote_address;
  bool idle = false;  // waiting for the first byte of a request
  std::vector<ossl::UniquePtr<X509>> peer_chain;
  std::string peer_identity;
};

// An error the server answers by itself; the connection closes after it.
struct ServerError {
  int status;
  std::string_view code;
  std::string message;
  std::string_view log;          // short reason for the request record
  std::string_view method = {};  // when the request line was parsed
  std::string_view target = {};
};

}  // namespace

class HttpsServer::Impl {
 public:
  Impl(HttpsServerOptions options, HttpHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        ssl_ctx_(std::move(options_.ssl_context)),
        ioc_(std::max(1, options_.io_threads)),
        acceptor_(asio::make_strand(ioc_)),
        pool_(static_cast<size_t>(std::max(1, options_.worker_threads))) {
    max_body_limit_ = options_.body_limit;
    for (const auto& [path, limit] : options_.path_body_limits) {
      max_body_limit_ = std::max(max_body_limit_, limit);
    }
  }

  ~Impl() {
    Stop(options_.shutdown_deadline);
    if (signal_stopper_.joinable()) signal_stopper_.join();
  }

  Status Start();
  uint16_t port() const { return port_.load(); }
  void Stop(std::chrono::milliseconds deadline);
  void Wait();
  void StopOnSignals(const std::vector<int>& signals);
  void SetSslContext(ossl::UniquePtr<SSL_CTX> ctx) {
    std::lock_guard lock(mu_);
    ssl_ctx_ = std::move(ctx);
  }
  const HttpsServerOptions& options() const { return options_; }

 private:
  // The body limit for a request to `target`.
  size_t BodyLimitFor(std::string_view target) const {
    auto it = options_.path_body_limits.find(PathOf(target));
    return it == options_.path_body_limits.end() ? options_.body_limit : it->second;
  }

  enum class State { kNew, kRunning, kStopped };

  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> c);
  // Serves one request; false when the connection is done (and already closed down).
  asio::awaitable<bool> ServeOne(Connection& c, beast::flat_buffer& buffer, bool first);
  asio::awaitable<void> SendError(Connection& c, const ServerError& error,
                                  SteadyClock::time_point start, unsigned version);
  // After an error response: discards what the client still sends, then returns (the
  // caller closes). Bounded by linger_timeout.
  asio::awaitable<void> Linger(Connection& c);
  // After a response that ends the connection normally: TLS close_notify exchange.
  asio::awaitable<void> CloseNotify(Connection& c);
  HttpResponse RunHandler(HttpRequest& request);
  void Report(const RequestRecord& record) {
    if (options_.on_request) options_.on_request(record);
  }
  // Posts a close to every connection's strand: only idle ones unless `force`.
  void CloseConnections(bool force);
  void Untrack(Connection* c) {
    std::lock_guard lock(mu_);
    connections_.erase(c);
    cv_.notify_all();
  }
  void RunIo();

  HttpsServerOptions options_;
  HttpHandler handler_;
  size_t max_body_limit_ = 0;  // the largest of body_limit and path_body_limits
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};

  std::mutex stop_mu_;  // serializes Start/Stop
  std::mutex mu_;
  std::condition_variable cv_;
  State state_ = State::kNew;                                                 // guarded by mu_
  ossl::UniquePtr<SSL_CTX> ssl_ctx_;                                          // guarded by mu_
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections_;  // guarded by mu_
  int running_io_threads_ = 0;                                                // guarded by mu_
  std::thread signal_stopper_;                                                // guarded by mu_

  // Declared after the state above so that it outlives any coroutine frame.
  asio::io_context ioc_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;                   // on its own strand
  std::optional<asio::signal_set> signals_;  // on the acceptor's strand
  asio::thread_pool pool_;
  std::vector<std::thread> io_threads_;
};

Status HttpsServer::Impl::Start() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kNew) return FailedPrecondition("the HTTPS server was already started");
  }
  if (ssl_ctx_ == nullptr) return InvalidArgument("the HTTPS server needs a TLS context");
  if (!handler_) return InvalidArgument("the HTTPS server needs a handler");
  if (options_.io_threads < 1 || options_.worker_threads < 1) {
    return InvalidArgument("the HTTPS server needs at least one I/O and one worker thread");
  }
  error_code ec;
  asio::ip::address address = asio::ip::make_address(options_.address, ec);
  if (ec) return InvalidArgument("invalid listen address '" + options_.address + "'");
  tcp::endpoint endpoint(address, options_.port);
  std::string where = FormatEndpoint(endpoint);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor_.close(ignored);
    return Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  work_.emplace(ioc_.get_executor());
  asio::co_spawn(acceptor_.get_executor(), Accept(), [](std::exception_ptr e) {
    if (e) spdlog::error("https server: accept loop ended by an exception");
  });
  {
    std::lock_guard lock(mu_);
    state_ = State::kRunning;
    running_io_threads_ = options_.io_threads;
  }
  for (int i = 0; i < options_.io_threads; ++i) io_threads_.emplace_back([this] { RunIo(); });
  spdlog::info("https server listening on {}", FormatEndpoint(tcp::endpoint(address, port_)));
  return Status::Ok();
}

void HttpsServer::Impl::RunIo() {
  for (;;) {
    try {
      ioc_.run();
      break;
    } catch (const std::exception& e) {  // boundary: a completion handler threw
      spdlog::error("https server: I/O thread caught: {}", e.what());
    }
  }
  std::lock_guard lock(mu_);
  --running_io_threads_;
  cv_.notify_all();
}

void HttpsServer::Impl::Stop(std::chrono::milliseconds deadline) {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (state_ != State::kRunning) {
      state_ = State::kStopped;
      cv_.notify_all();
      return;
    }
  }
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
    if (signals_) signals_->cancel(ignored);
  });
  CloseConnections(/*force=*/false);
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, deadline, [&] { return connections_.empty(); })) {
    spdlog::warn("https server: closing {} connections still open at the shutdown deadline",
                 connections_.size());
    lock.unlock();
    CloseConnections(/*force=*/true);
    lock.lock();
    // Handlers are never abandoned: a connection ends once its handler returns.
    cv_.wait(lock, [&] { return connections_.empty(); });
  }
  work_.reset();
  // Everything has finished, so run() returns by itself; stop() is the backstop.
  if (!cv_.wait_for(lock, std::chrono::seconds(5), [&] { return running_io_threads_ == 0; })) {
    ioc_.stop();
  }
  lock.unlock();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  pool_.join();
  lock.lock();
  state_ = State::kStopped;
  cv_.notify_all();
  spdlog::info("https server stopped");
}

void HttpsServer::Impl::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return state_ == State::kStopped; });
}

void HttpsServer::Impl::StopOnSignals(const std::vector<int>& signals) {
  // Registered here, before returning, so a signal right after this call is handled.
  signals_.emplace(acceptor_.get_executor());
  for (int s : signals) {
    error_code ec;
    if (signals_->add(s, ec)) spdlog::error("cannot handle signal {}: {}", s, ec.message());
  }
  signals_->async_wait([this](const error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("https server: signal {} received, shutting down", signal);
    std::lock_guard lock(mu_);
    if (!signal_stopper_.joinable()) {
      signal_stopper_ = std::thread([this] { Stop(options_.shutdown_deadline); });
    }
  });
}

void HttpsServer::Impl::CloseConnections(bool force) {
  std::lock_guard lock(mu_);
  for (auto& [ptr, c] : connections_) {
    asio::post(c->stream.get_executor(), [c = c, force] {
      if (force || c->idle) c->Close();
    });
  }
}

asio::awaitable<void> HttpsServer::Impl::Accept() {
  for (;;) {
    tcp::socket socket(asio::make_strand(ioc_));
    auto [ec] = co_await acceptor_.async_accept(socket, kTuple);
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      spdlog::warn("https server: accept failed: {}", ec.message());
      // Out of descriptors, typically: back off instead of spinning.
      asio::steady_timer timer(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await timer.async_wait(kTuple);
      continue;
    }
    error_code ignored;
    // Small TLS records (handshake flights, short responses) must not wait for Nagle's
    // algorithm to meet the peer's delayed ACK: that costs 40 ms per new connection.
    socket.set_option(tcp::no_delay(true), ignored);
    std::string remote = FormatEndpoint(socket.remote_endpoint(ignored));
    std::shared_ptr<Connection> c;
    {
      std::lock_guard lock(mu_);
      if (connections_.size() >= options_.max_connections) {
        spdlog::warn("https server: connection limit ({}) reached, closing {}",
                     options_.max_connections, remote);
        socket.close(ignored);
        continue;
      }
      Result<ossl::UniquePtr<SSL>> ssl = ossl::NewConnection(ssl_ctx_.get());
      if (!ssl.ok()) {
        spdlog::error("https server: {}", ssl.status().ToString());
        continue;
      }
      c = std::make_shared<Connection>(beast::tcp_stream(std::move(socket)), ssl->release(),
                                       std::move(remote));
      connections_.emplace(c.get(), c);
    }
    asio::co_spawn(c->stream.get_executor(), Serve(c), [](std::exception_ptr e) {
      if (!e) return;
      // Boundary: whatever escaped the connection coroutine ends only this connection.
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("https server: connection failed: {}", ex.what());
      } catch (...) {
        spdlog::error("https server: connection failed");
      }
    });
  }
}

asio::awaitable<void> HttpsServer::Impl::Serve(std::shared_ptr<Connection> c) {
  struct Untracker {
    Impl* impl;
    Connection* c;
    ~Untracker() { impl->Untrack(c); }
  } untracker{this, c.get()};
  if (stopping_) co_return;
  c->stream.next_layer().expires_after(options_.handshake_timeout);
  auto [ec] = co_await c->stream.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (ec) {
    spdlog::debug("https server: TLS handshake with {} failed: {}", c->remote_address,
                  ec.message());
    co_return;
  }
  c->peer_chain = ossl::VerifiedPeerChain(c->stream.native_handle());
  if (!c->peer_chain.empty()) c->peer_identity = ossl::SubjectCommonName(c->peer_chain[0].get());
  beast::flat_buffer buffer;
  for (bool first = true; !stopping_; first = false) {
    if (!co_await ServeOne(*c, buffer, first)) break;
  }
}

asio::awaitable<bool> HttpsServer::Impl::ServeOne(Connection& c, beast::flat_buffer& buffer,
                                                  bool first) {
  beast::tcp_stream& tcp = c.stream.next_layer();
  if (buffer.size() == 0) {
    // Between requests: the idle timeout applies until the next request starts. Stop()
    // closes connections in this state (checked on this strand, after stopping_ is set).
    if (stopping_) co_return false;
    c.idle = true;
    tcp.expires_after(first ? options_.header_timeout : options_.idle_timeout);
    auto [ec, n] = co_await c.stream.async_read_some(buffer.prepare(kFirstReadBytes), kTuple);
    c.idle = false;
    if (ec) co_return false;  // closed, reset or timed out: nobody to answer
    buffer.commit(n);
  }
  SteadyClock::time_point start = SteadyClock::now();
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
  // The path is not known yet: the header parser allows the largest limit and the path's
  // own limit is applied once the header is in (below).
  parser.body_limit(max_body_limit_);
  // The limit that applies to this request, for the 413 message.
  size_t body_limit = options_.body_limit;

  auto too_large = [&] {
    return ServerError{413, "payload_too_large",
                       "the request body is larger than " + std::to_string(body_limit) + " bytes",
                       "body too large"};
  };
  auto read_error = [&](const error_code& ec) -> std::optional<ServerError> {
    if (ec == http::error::header_limit) {
      return ServerError{
          431, "request_header_fields_too_large",
          "the request header is larger than " + std::to_string(options_.header_limit) + " bytes",
          "header too large"};
    }
    if (ec == http::error::body_limit) return too_large();
    if (IsDisconnect(ec)) return std::nullopt;
    return ServerError{400, "bad_request", "malformed HTTP request: " + ec.message(),
                       "malformed request"};
  };

  tcp.expires_after(options_.header_timeout);
  auto [hec, hn] = co_await http::async_read_header(c.stream, buffer, parser, kTuple);
  if (hec == http::error::body_limit) body_limit = BodyLimitFor(parser.get().target());
  if (hec) {
    std::optional<ServerError> error = read_error(hec);
    if (!error) {
      spdlog::debug("https server: {} dropped while sending a header: {}", c.remote_address,
                    hec.message());
      co_return false;
    }
    if (parser.is_header_done() || hec == http::error::body_limit) {
      error->method = parser.get().method_string();
      error->target = parser.get().target();
    }
    co_await SendError(c, *error, start, parser.is_header_done() ? parser.get().version() : 11);
    co_return false;
  }
  http::request<http::string_body>& req = parser.get();
  if (req.target().empty() || req.target()[0] != '/') {
    // Named, not a temporary: g++ 12 destroys temporaries in a co_await expression twice.
    const ServerError error{
        400,          "bad_request",       "the request target must be an absolute path",
        "bad target", req.method_string(), req.target()};
    co_await SendError(c, error, start, req.version());
    co_return false;
  }
  body_limit = BodyLimitFor(req.target());
  if (parser.content_length().value_or(0) > body_limit) {
    const ServerError error = too_large();
    co_await SendError(c, error, start, req.version());
    co_return false;
  }
  // A chunked body is counted against the path's limit as it arrives.
  if (!parser.is_done()) parser.body_limit(body_limit);
  if (!parser.is_done()) {
    auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      http::response<http::empty_body> proceed{http::status::continue_, req.version()};
      tcp.expires_after(options_.write_timeout);
      auto [wec, wn] = co_await http::async_write(c.stream, proceed, kTuple);
      if (wec) co_return false;
    }
    tcp.expires_after(options_.body_timeout);
    auto [bec, bn] = co_await http::async_read(c.stream, buffer, parser, kTuple);
    if (bec) {
      std::optional<ServerError> error = read_error(bec);
      if (!error) co_return false;
      error->method = req.method_string();
      error->target = req.target();
      co_await SendError(c, *error, start, req.version());
      co_return false;
    }
  }

  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : req) {
    request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(req.body());
  request.remote_address = c.remote_address;
  for (size_t i = 0; i < c.peer_chain.size(); ++i) {
    ossl::UniquePtr<X509> cert = ossl::UpRef(c.peer_chain[i].get());
    if (i == 0) {
      request.peer_certificate = std::move(cert);
    } else {
      request.peer_chain.push_back(std::move(cert));
    }
  }
  const unsigned version = req.version();
  const bool client_keep_alive = req.keep_alive();

  // Off the I/O thread: the handler may block on the database or on signing.
  HttpResponse response = co_await asio::co_spawn(
      pool_.get_executor(),
      [this, &request]() -> asio::awaitable<HttpResponse> { co_return RunHandler(request); },
      asio::use_awaitable);

  if (Status valid = ValidateResponse(response); !valid.ok()) {
    spdlog::error("https server: {} {}: {}", request.method, request.target, valid.ToString());
    response = ErrorResponse(500, "internal", "internal error");
  }
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(response.status));
  for (const auto& [name, value] : response.headers.fields()) {
    if (!IsFramingField(name)) res.insert(name, value);
  }
  if (!response.body.empty() && !response.content_type.empty() &&
      !response.headers.Has("Content-Type")) {
    res.set(http::field::content_type, response.content_type);
  }
  res.body() = std::move(response.body);
  const bool keep_alive = client_keep_alive && !stopping_;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  // HEAD: the Content-Length of the would-be body, and no body.
  if (request.method == "HEAD") res.body().clear();
  tcp.expires_after(options_.write_timeout);
  auto [wec, wn] = co_await http::async_write(c.stream, res, kTuple);

  RequestRecord record;
  record.method = request.method;
  record.target = request.target;
  record.route = request.route;
  record.status = response.status;
  record.latency =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
  record.peer_identity = c.peer_identity;
  record.remote_address = c.remote_address;
  record.error = wec ? std::string_view("response write failed") : std::string_view();
  record.request = &request;
  Report(record);

  if (wec) co_return false;
  if (!keep_alive) {
    co_await CloseNotify(c);
    co_return false;
  }
  co_return true;
}

HttpResponse HttpsServer::Impl::RunHandler(HttpRequest& request) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {  // boundary: handlers should not throw
    spdlog::error("https server: handler for {} {} threw: {}", request.method, request.target,
                  e.what());
  } catch (...) {
    spdlog::error("https server: handler for {} {} threw", request.method, request.target);
  }
  return ErrorResponse(500, "internal", "internal error");
}

asio::awaitable<void> HttpsServer::Impl::SendError(Connection& c, const ServerError& error,
                                                   SteadyClock::time_point start,
                                                   unsigned version) {
  HttpResponse body = ErrorResponse(error.status, error.code, error.message);
  http::response<http::string_body> res;
  res.version(version == 10 ? 10 : 11);
  res.result(static_cast<unsigned>(error.status));
  res.set(http::field::content_type, body.content_type);
  res.body() = std::move(body.body);
  res.keep_alive(false);
  res.prepare_payload();
  c.stream.next_layer().expires_after(options_.write_timeout);
  auto [ec, n] = co_await http::async_write(c.stream, res, kTuple);

  RequestRecord record;
  record.method = error.method;
  record.target = error.target;
  record.status = error.status;
  record.latency =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start);
  record.peer_identity = c.peer_identity;
  record.remote_address = c.remote_address;
  record.error = error.log;
  Report(record);
  if (!ec) co_await Linger(c);
}

asio::awaitable<void> HttpsServer::Impl::Linger(Connection& c) {
  // Reads and discards what the client still sends (the rest of an oversized body), so
  // closing does not reset the connection before the client has read our response.
  // Ends when the client closes, pauses for kLingerIdle, or linger_timeout has passed.
  const SteadyClock::time_point end = SteadyClock::now() + options_.linger_timeout;
  std::array<char, 16 * 1024> sink;
  for (SteadyClock::time_point now = SteadyClock::now(); now < end; now = SteadyClock::now()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
    c.stream.next_layer().expires_after(std::min(left, kLingerIdle));
    auto [ec, n] = co_await c.stream.async_read_some(asio::buffer(sink), kTuple);
    if (ec) co_return;
  }
}

asio::awaitable<void> HttpsServer::Impl::CloseNotify(Connection& c) {
  // The client asked to close (or we are stopping): send close_notify and wait briefly
  // for the client's, as clients that read until end of stream expect.
  c.stream.next_layer().expires_after(options_.linger_timeout);
  auto [ec] = co_await c.stream.async_shutdown(kTuple);
  (void)ec;  // a client that just closes the socket is fine too
}

HttpsServer::HttpsServer(HttpsServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpsServer::~HttpsServer() = default;

Status HttpsServer::Start() { return impl_->Start(); }
uint16_t HttpsServer::port() const { return impl_->port(); }
void HttpsServer::Stop() { impl_->Stop(impl_->options().shutdown_deadline); }
void HttpsServer::Stop(std::chrono::milliseconds deadline) { impl_->Stop(deadline); }
void HttpsServer::Wait() { impl_->Wait(); }
void HttpsServer::StopOnSignals(std::vector<int> signals) { impl_->StopOnSignals(signals); }
void HttpsServer::SetSslContext(ossl::UniquePtr<SSL_CTX> ctx) {
  impl_->SetSslContext(std::move(ctx));
}

}  // namespace wott::net
