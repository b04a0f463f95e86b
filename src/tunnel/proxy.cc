// The tunnel's only Asio TU (Asio costs ~30 s to compile per TU; see BUILD-NOTES.md).
#include "tunnel/proxy.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace wott::tunnel {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using TlsStream = asio::ssl::stream<tcp::socket>;
using SteadyClock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string FormatEndpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}

bool IsEof(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

struct Listener {
  ListenerOptions options;
  std::string target_host;
  std::string target_port;
  std::string server_name;  // client side: expected server name
  std::shared_ptr<CredentialStore> credentials;
  std::shared_ptr<ListenerMetrics> metrics;
  std::optional<tcp::acceptor> acceptor;
  uint16_t port = 0;
  std::atomic<int> open{0};
};

struct StatusListener {
  StatusHandler handler;
  std::optional<tcp::acceptor> acceptor;
  uint16_t port = 0;
};

// One proxied connection; touched only on its strand. Serve holds the owning shared_ptr for
// the connection's whole life; the coroutines it awaits take a Connection* (g++ 12 may
// destroy shared_ptr temporaries twice inside co_await expressions).
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(Listener& l, tcp::socket accepted, std::string remote_address)
      : listener(l),
        remote(std::move(remote_address)),
        downstream(std::move(accepted)),
        upstream(downstream.get_executor()),
        timer(downstream.get_executor()),
        start(SteadyClock::now()),
        last_activity(start) {}

  // Closes every socket; pending operations end with operation_aborted.
  void CloseAll() {
    error_code ignored;
    downstream.close(ignored);
    upstream.close(ignored);
    if (tls) tls->next_layer().close(ignored);
  }

  Listener& listener;
  std::string remote;
  tcp::socket downstream;  // the accepted socket (server side: until moved into tls)
  tcp::socket upstream;    // the connection to the target (client side: until moved into tls)
  std::optional<TlsStream> tls;
  std::shared_ptr<const Credentials> credentials;  // the snapshot this connection keeps
  PeerCheck check;
  asio::steady_timer timer;
  SteadyClock::time_point start;
  SteadyClock::time_point last_activity;
  uint64_t bytes_to_target = 0;
  uint64_t bytes_from_target = 0;
  bool done = false;
  bool idle_closed = false;
  std::string error;  // the first transfer error (e.g. the peer's TLS alert), for the log

  void NoteError(const error_code& ec) {
    if (error.empty() && ec != asio::error::operation_aborted) error = ec.message();
  }
};

// Maps a failed handshake to a reason label and a log text.
std::pair<DenyReason, std::string> Classify(const Connection& c, const error_code& ec,
                                            bool timed_out) {
  if (timed_out) return {DenyReason::kHandshakeTimeout, "TLS handshake timed out"};
  const PeerCheck& check = c.check;
  if (check.policy_denied) return {DenyReason::kPolicy, check.deny_reason};
  if (!check.deny_reason.empty()) {
    const std::string& r = check.deny_reason;
    if (r.find("revoked") != std::string::npos) return {DenyReason::kRevoked, r};
    if (r.find("CRL") != std::string::npos) {
      return {DenyReason::kCrlUnavailable, r + " (revocation cannot be checked: failing closed)"};
    }
    return {DenyReason::kUntrusted, r};
  }
  std::string message = ec.message();
  if (c.listener.options.side == Side::kServer && !check.saw_certificate &&
      (message.find("did not return a certificate") != std::string::npos ||
       message.find("certificate required") != std::string::npos)) {
    return {DenyReason::kNoCertificate, "no client certificate"};
  }
  return {DenyReason::kHandshake, "TLS handshake failed: " + message};
}

constexpr size_t kCopyBuffer = 16 * 1024;

// Copies `from` -> `to` until EOF or error; at EOF shuts down `to_socket`'s sending half.
// A plain-TCP source is waited on first and gets its buffer only while data flows, so an
// idle connection holds no buffer for that direction. A TLS source is read directly (Asio's
// engine may already hold its next record, which a readiness wait would not see).
template <typename From, typename To>
asio::awaitable<void> Pump(Connection* c, From& from, To& to, tcp::socket& to_socket,
                           uint64_t& counter) {
  constexpr bool kPlainSource = std::is_same_v<From, tcp::socket>;
  std::unique_ptr<char[]> held;
  if constexpr (!kPlainSource) held = std::make_unique_for_overwrite<char[]>(kCopyBuffer);
  for (;;) {
    std::unique_ptr<char[]> borrowed;
    char* data = held.get();
    if constexpr (kPlainSource) {
      auto [wait_ec] = co_await from.async_wait(tcp::socket::wait_read, kTuple);
      if (wait_ec) {
        c->NoteError(wait_ec);
        c->CloseAll();
        co_return;
      }
      borrowed = std::make_unique_for_overwrite<char[]>(kCopyBuffer);
      data = borrowed.get();
    }
    auto [ec, n] = co_await from.async_read_some(asio::buffer(data, kCopyBuffer), kTuple);
    if (n > 0) {
      c->last_activity = SteadyClock::now();
      auto [write_ec, written] = co_await asio::async_write(to, asio::buffer(data, n), kTuple);
      counter += written;
      if (write_ec) {
        c->NoteError(write_ec);
        c->CloseAll();
        co_return;
      }
    }
    if (ec) {
      error_code ignored;
      if (IsEof(ec)) {
        to_socket.shutdown(tcp::socket::shutdown_send, ignored);
      } else {
        c->NoteError(ec);
        c->CloseAll();
      }
      co_return;
    }
  }
}

asio::awaitable<void> Watchdog(Connection* c) {
  auto idle = c->listener.options.idle_timeout;
  auto step = std::min<SteadyClock::duration>(idle, std::chrono::seconds(5));
  while (!c->done) {
    c->timer.expires_after(step);
    co_await c->timer.async_wait(kTuple);
    if (c->done) break;
    if (SteadyClock::now() - c->last_activity >= idle) {
      c->idle_closed = true;
      c->CloseAll();
      break;
    }
  }
}

asio::awaitable<void> CopyBoth(Connection* c) {
  TlsStream& tls = *c->tls;
  bool server = c->listener.options.side == Side::kServer;
  tcp::socket& plain = server ? c->upstream : c->downstream;
  auto to_target = server ? Pump(c, tls, plain, plain, c->bytes_to_target)
                          : Pump(c, plain, tls, tls.next_layer(), c->bytes_to_target);
  auto from_target = server ? Pump(c, plain, tls, tls.next_layer(), c->bytes_from_target)
                            : Pump(c, tls, plain, plain, c->bytes_from_target);
  co_await (std::move(to_target) && std::move(from_target));
  c->done = true;
  c->timer.cancel();
}

// Runs `op` with a deadline: when it expires, the connection's sockets are closed.
template <typename Op>
asio::awaitable<std::pair<error_code, bool>> WithDeadline(Connection* conn,
                                                          std::chrono::milliseconds limit, Op op) {
  auto timed_out = std::make_shared<bool>(false);
  asio::steady_timer deadline(conn->downstream.get_executor());
  deadline.expires_after(limit);
  deadline.async_wait([c = conn->shared_from_this(), timed_out](error_code ec) {
    if (!ec) {
      *timed_out = true;
      c->CloseAll();
    }
  });
  error_code ec = co_await op();
  deadline.cancel();
  co_return std::make_pair(ec, *timed_out);
}

asio::awaitable<error_code> ConnectTarget(Connection* c, tcp::socket& socket) {
  tcp::resolver resolver(socket.get_executor());
  auto [rec, results] =
      co_await resolver.async_resolve(c->listener.target_host, c->listener.target_port, kTuple);
  if (rec) co_return rec;
  auto [cec, ep] = co_await asio::async_connect(socket, results, kTuple);
  if (!cec) {
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
  }
  co_return cec;
}

asio::awaitable<error_code> Handshake(Connection* c, bool server) {
  auto [ec] = co_await c->tls->async_handshake(
      server ? asio::ssl::stream_base::server : asio::ssl::stream_base::client, kTuple);
  co_return ec;
}

void LogDenied(const Connection& c, DenyReason reason, const std::string& why) {
  c.listener.metrics->CountDenied(reason);
  std::string peer = c.check.saw_certificate ? c.check.peer.Describe() : "no certificate";
  spdlog::warn("tunnel {}: denied {} ({}): {} [{}]", c.listener.options.name, c.remote, peer, why,
               DenyReasonLabel(reason));
}

asio::awaitable<void> Serve(std::shared_ptr<Connection> owner) {
  Connection* c = owner.get();
  Listener& l = c->listener;
  const bool server = l.options.side == Side::kServer;
  Result<ossl::UniquePtr<SSL>> ssl =
      c->credentials->NewConnection(&c->check, server ? std::string() : l.server_name);
  if (!ssl.ok()) {
    spdlog::error("tunnel {}: {}", l.options.name, ssl.status().ToString());
    co_return;
  }
  if (!server) {
    auto [ec, timed_out] = co_await WithDeadline(c, l.options.connect_timeout,
                                                 [c]() { return ConnectTarget(c, c->upstream); });
    if (ec) {
      LogDenied(*c, DenyReason::kTargetUnreachable,
                "cannot connect to " + l.options.target + ": " +
                    (timed_out ? std::string("timed out") : ec.message()));
      c->CloseAll();
      co_return;
    }
  }
  // The TLS side: the accepted socket (server) or the target connection (client).
  c->tls.emplace(server ? std::move(c->downstream) : std::move(c->upstream), ssl->release());
  auto started = SteadyClock::now();
  auto [hec, htimed_out] = co_await WithDeadline(c, l.options.handshake_timeout,
                                                 [c, server]() { return Handshake(c, server); });
  if (hec) {
    auto [reason, why] = Classify(*c, hec, htimed_out);
    LogDenied(*c, reason, why);
    c->CloseAll();
    co_return;
  }
  l.metrics->ObserveHandshake(SteadyClock::now() - started);
  if (server) {
    auto [ec, timed_out] = co_await WithDeadline(c, l.options.connect_timeout,
                                                 [c]() { return ConnectTarget(c, c->upstream); });
    if (ec) {
      LogDenied(*c, DenyReason::kTargetUnreachable,
                "cannot connect to " + l.options.target + ": " +
                    (timed_out ? std::string("timed out") : ec.message()));
      c->CloseAll();
      co_return;
    }
  }
  l.metrics->CountAccepted();
  spdlog::debug("tunnel {}: accepted {} ({}): {}", l.options.name, c->remote,
                c->check.peer.Describe(), c->check.allow_reason);
  c->last_activity = SteadyClock::now();
  auto copy = CopyBoth(c);
  auto watch = Watchdog(c);
  co_await (std::move(copy) && std::move(watch));
  c->CloseAll();
  l.metrics->AddBytes(c->bytes_to_target, c->bytes_from_target);
  double seconds = std::chrono::duration<double>(SteadyClock::now() - c->start).count();
  std::string note = c->idle_closed ? " (idle timeout)" : "";
  if (!c->error.empty()) note += " (ended by an error: " + c->error + ")";
  spdlog::info(
      "tunnel {}: closed {} ({}, {}): {} bytes to target, {} bytes from target, {:.3f} s{}",
      l.options.name, c->remote, c->check.peer.Describe(), c->check.allow_reason,
      c->bytes_to_target, c->bytes_from_target, seconds, note);
}

}  // namespace

Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address,
                                                       std::string_view what) {
  auto bad = [&] {
    return InvalidArgument(std::string(what) + " '" + address + "' is not host:port");
  };
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return bad();
  std::string host = address.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad();
  }
  std::string_view port_text = std::string_view(address).substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return bad();
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

class Runtime::Impl {
 public:
  explicit Impl(int threads) : threads_(std::max(1, threads)), ioc_(threads_) {}

  Result<tcp::acceptor> Bind(const std::string& listen, std::string_view what) {
    ASSIGN_OR_RETURN(auto host_port, SplitHostPort(listen, what));
    error_code ec;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host_port.first, std::to_string(host_port.second),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return InvalidArgument(std::string(what) + " '" + listen + "': cannot resolve the host");
    }
    tcp::endpoint endpoint = *results.begin();
    tcp::acceptor acceptor(asio::make_strand(ioc_));
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Unavailable("cannot listen on " + FormatEndpoint(endpoint) + ": " + ec.message());
    return acceptor;
  }

  Result<size_t> AddListener(ListenerOptions options, std::shared_ptr<CredentialStore> creds,
                             std::shared_ptr<ListenerMetrics> metrics) {
    auto l = std::make_unique<Listener>();
    ASSIGN_OR_RETURN(auto target, SplitHostPort(options.target, "--target"));
    l->target_host = target.first;
    l->target_port = std::to_string(target.second);
    l->server_name = options.server_name.empty() ? target.first : options.server_name;
    ASSIGN_OR_RETURN(tcp::acceptor acceptor, Bind(options.listen, "--listen"));
    l->acceptor.emplace(std::move(acceptor));
    l->port = l->acceptor->local_endpoint().port();
    l->options = std::move(options);
    l->credentials = std::move(creds);
    l->metrics = std::move(metrics);
    listeners_.push_back(std::move(l));
    ports_.push_back(listeners_.back()->port);
    return ports_.size() - 1;
  }

  Result<size_t> AddStatusListener(const std::string& listen, StatusHandler handler) {
    auto s = std::make_unique<StatusListener>();
    ASSIGN_OR_RETURN(tcp::acceptor acceptor, Bind(listen, "--status"));
    s->acceptor.emplace(std::move(acceptor));
    s->port = s->acceptor->local_endpoint().port();
    s->handler = std::move(handler);
    status_.push_back(std::move(s));
    ports_.push_back(status_.back()->port);
    return ports_.size() - 1;
  }

  uint16_t port(size_t index) const { return index < ports_.size() ? ports_[index] : 0; }

  void Start() {
    for (auto& l : listeners_) {
      asio::co_spawn(l->acceptor->get_executor(), Accept(*l), asio::detached);
      spdlog::info("tunnel {}: {} listening on {} -> {}", l->options.name,
                   l->options.side == Side::kServer ? "server" : "client",
                   FormatEndpoint(l->acceptor->local_endpoint()), l->options.target);
    }
    for (auto& s : status_) {
      asio::co_spawn(s->acceptor->get_executor(), AcceptStatus(*s), asio::detached);
      spdlog::info("tunnel status listening on {}", FormatEndpoint(s->acceptor->local_endpoint()));
    }
    for (int i = 0; i < threads_; ++i) {
      threads_list_.emplace_back([this] { ioc_.run(); });
    }
  }

  void Stop() {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    ioc_.stop();
    for (std::thread& t : threads_list_) t.join();
    threads_list_.clear();
  }

 private:
  asio::awaitable<void> Accept(Listener& l) {
    for (;;) {
      auto [ec, socket] = co_await l.acceptor->async_accept(asio::make_strand(ioc_), kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        spdlog::warn("tunnel {}: accept failed: {}", l.options.name, ec.message());
        asio::steady_timer pause(l.acceptor->get_executor(), std::chrono::milliseconds(100));
        co_await pause.async_wait(kTuple);
        continue;
      }
      error_code ignored;
      tcp::endpoint remote = socket.remote_endpoint(ignored);
      socket.set_option(tcp::no_delay(true), ignored);
      auto c = std::make_shared<Connection>(l, std::move(socket), FormatEndpoint(remote));
      if (l.open.load() >= l.options.max_connections) {
        LogDenied(*c, DenyReason::kConnectionLimit,
                  "connection limit (" + std::to_string(l.options.max_connections) + ") reached");
        c->CloseAll();
        continue;
      }
      c->credentials = l.credentials->Current();
      l.open.fetch_add(1);
      l.metrics->ConnectionOpened();
      asio::co_spawn(c->downstream.get_executor(), Serve(c), [&l](std::exception_ptr e) {
        l.open.fetch_sub(1);
        l.metrics->ConnectionClosed();
        if (e) spdlog::error("tunnel {}: connection ended by an exception", l.options.name);
      });
    }
  }

  asio::awaitable<void> AcceptStatus(StatusListener& s) {
    for (;;) {
      auto [ec, socket] = co_await s.acceptor->async_accept(asio::make_strand(ioc_), kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;
      }
      asio::co_spawn(socket.get_executor(), ServeStatus(s, std::move(socket)), asio::detached);
    }
  }

  // One request per connection: "GET /path HTTP/1.x", answered, then closed.
  asio::awaitable<void> ServeStatus(StatusListener& s, tcp::socket socket) {
    asio::streambuf buffer(8192);
    asio::steady_timer deadline(socket.get_executor(), std::chrono::seconds(5));
    deadline.async_wait([&socket](error_code ec) {
      if (!ec) socket.close(ec);
    });
    auto [ec, n] = co_await asio::async_read_until(socket, buffer, "\r\n\r\n", kTuple);
    StatusReply reply;
    if (ec) {
      deadline.cancel();
      co_return;
    }
    std::string head(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + n);
    std::string line = head.substr(0, head.find("\r\n"));
    size_t sp1 = line.find(' ');
    size_t sp2 = line.find(' ', sp1 == std::string::npos ? 0 : sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos || line.substr(0, sp1) != "GET") {
      reply = {405, "text/plain; charset=utf-8", "only GET\n"};
    } else {
      std::string path = line.substr(sp1 + 1, sp2 - sp1 - 1);
      path = path.substr(0, path.find('?'));
      reply = s.handler(path);
    }
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) +
                      (reply.status == 200 ? " OK" : " Error") +
                      "\r\nContent-Type: " + reply.content_type +
                      "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                      "\r\nConnection: close\r\n\r\n" + reply.body;
    co_await asio::async_write(socket, asio::buffer(out), kTuple);
    deadline.cancel();
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  }

  int threads_;
  asio::io_context ioc_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<StatusListener>> status_;
  std::vector<uint16_t> ports_;
  std::vector<std::thread> threads_list_;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

Runtime::Runtime(int io_threads) : impl_(std::make_unique<Impl>(io_threads)) {}
Runtime::~Runtime() { Stop(); }
Result<size_t> Runtime::AddListener(ListenerOptions options,
                                    std::shared_ptr<CredentialStore> credentials,
                                    std::shared_ptr<ListenerMetrics> metrics) {
  return impl_->AddListener(std::move(options), std::move(credentials), std::move(metrics));
}
Result<size_t> Runtime::AddStatusListener(const std::string& listen, StatusHandler handler) {
  return impl_->AddStatusListener(listen, std::move(handler));
}
uint16_t Runtime::port(size_t index) const { return impl_->port(index); }
void Runtime::Start() { impl_->Start(); }
void Runtime::Stop() { impl_->Stop(); }

}  // namespace wott::tunnel
