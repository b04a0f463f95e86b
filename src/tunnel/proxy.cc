// The tunnel's only Asio TU (Asio costs ~30 s to compile per TU; see BUILD-NOTES.md).
#include "tunnel/proxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
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
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tunnel/tls_io.h"

namespace wott::tunnel {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Four TLS records' plaintext: TLS -> plain drains every record received (up to this much)
// into one send; plain -> TLS reads this much with one read() and writes four records.
constexpr size_t kCopyBuffer = 64 * 1024;

// Copy buffers are borrowed only while bytes flow (see tls_io.h); a few stay cached.
BufferPool& CopyBuffers() {
  static BufferPool pool(kCopyBuffer, 16);
  return pool;
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
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
//
// TLS runs on the socket itself: `ssl` reads and writes the TLS socket's descriptor, and the
// coroutines wait for readiness with async_wait. The socket is closed only through
// CloseAll, and no OpenSSL call follows a close (every wait checks is_open), so OpenSSL
// never touches a descriptor number that may have been reused.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(Listener& l, tcp::socket accepted, std::string remote_address)
      : listener(l),
        server(l.options.side == Side::kServer),
        remote(std::move(remote_address)),
        downstream(std::move(accepted)),
        upstream(downstream.get_executor()),
        timer(downstream.get_executor()),
        start(SteadyClock::now()),
        last_activity(start) {}

  // Closes every socket; pending waits end with operation_aborted.
  void CloseAll() {
    error_code ignored;
    downstream.close(ignored);
    upstream.close(ignored);
  }

  // Server side: TLS on the accepted socket, plain to the target; client side the reverse.
  tcp::socket& tls_socket() { return server ? downstream : upstream; }
  tcp::socket& plain_socket() { return server ? upstream : downstream; }

  Listener& listener;
  const bool server;
  std::string remote;
  tcp::socket downstream;  // the accepted socket
  tcp::socket upstream;    // the connection to the target
  ossl::UniquePtr<SSL> ssl;
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
    if (ec != asio::error::operation_aborted) NoteError(ec.message());
  }
  void NoteError(const std::string& message) {
    if (error.empty() && !message.empty()) error = message;
  }
};

// Maps a failed handshake to a reason label and a log text.
std::pair<DenyReason, std::string> Classify(const Connection& c, const std::string& message,
                                            bool timed_out) {
  if (timed_out) return {DenyReason::kHandshakeTimeout, "TLS handshake timed out"};
  const PeerCheck& check = c.check;
  if (check.policy_denied) {
    return {check.posture_denied ? DenyReason::kPosture : DenyReason::kPolicy, check.deny_reason};
  }
  if (!check.deny_reason.empty()) {
    const std::string& r = check.deny_reason;
    if (r.find("revoked") != std::string::npos) return {DenyReason::kRevoked, r};
    if (r.find("CRL") != std::string::npos) {
      return {DenyReason::kCrlUnavailable, r + " (revocation cannot be checked: failing closed)"};
    }
    return {DenyReason::kUntrusted, r};
  }
  if (c.server && !check.saw_certificate &&
      (message.find("did not return a certificate") != std::string::npos ||
       message.find("certificate required") != std::string::npos)) {
    return {DenyReason::kNoCertificate, "no client certificate"};
  }
  return {DenyReason::kHandshake, "TLS handshake failed: " + message};
}

// Waits until `socket` is ready for `what`. operation_aborted also when the connection was
// closed after the wait completed (the descriptor must not be used any more).
asio::awaitable<error_code> WaitFor(tcp::socket& socket, tcp::socket::wait_type what) {
  auto [ec] = co_await socket.async_wait(what, kTuple);
  if (!ec && !socket.is_open()) ec = asio::error::operation_aborted;
  co_return ec;
}

// Waits as an OpenSSL step asked. REQUIRES: step.kind is kWantRead or kWantWrite.
asio::awaitable<error_code> WaitAsAsked(Connection* c, const TlsStep& step) {
  return WaitFor(c->tls_socket(), step.kind == TlsStep::kWantRead ? tcp::socket::wait_read
                                                                  : tcp::socket::wait_write);
}

// The TLS handshake. "" on success, else why it failed.
asio::awaitable<std::string> Handshake(Connection* c) {
  for (;;) {
    TlsStep step = HandshakeStep(c->ssl.get());
    if (step.kind == TlsStep::kDone) co_return std::string();
    if (step.kind != TlsStep::kWantRead && step.kind != TlsStep::kWantWrite) {
      co_return step.error;
    }
    error_code ec = co_await WaitAsAsked(c, step);
    if (ec) co_return ec.message();
  }
}

// Writes data[0, size) over TLS. "" on success, else why it failed.
asio::awaitable<std::string> TlsWriteAll(Connection* c, const char* data, size_t size) {
  size_t written = 0;
  while (written < size) {
    if (!c->tls_socket().is_open()) co_return std::string();  // closed meanwhile
    TlsStep step = WriteStep(c->ssl.get(), data + written, size - written);
    if (step.kind == TlsStep::kDone) {
      written += step.bytes;
      continue;
    }
    if (step.kind != TlsStep::kWantRead && step.kind != TlsStep::kWantWrite) {
      co_return step.error;
    }
    error_code ec = co_await WaitAsAsked(c, step);
    if (ec) co_return ec == asio::error::operation_aborted ? std::string() : ec.message();
  }
  co_return std::string();
}

// TCP_CORK on or off; ignored on a closed socket (the connection is ending anyway).
void SetCork(tcp::socket& socket, bool on) {
  if (!socket.is_open()) return;
  int value = on ? 1 : 0;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof(value));
}

// Plain socket -> TLS until EOF or error. At EOF the TLS socket's sending half is shut down
// (a TCP FIN; our peers treat it as the end of the stream). Waits for readability first
// and borrows the copy buffer only then, so an idle direction holds none.
asio::awaitable<void> PumpPlainToTls(Connection* c, uint64_t& counter) {
  tcp::socket& plain = c->plain_socket();
  bool wait = true;  // after a full read more is likely there: read again before waiting
  // While a burst lasts (a read of several records, then full reads back to back) the TLS
  // socket is corked: the kernel sends full segments, one transmit and one wakeup of the
  // reader per 64 KiB instead of per 16 KiB record. It is uncorked (the rest pushed out)
  // before any wait for more input and at the end, so nothing is held back while idle.
  bool corked = false;
  auto uncork = [c, &corked] {
    if (corked) SetCork(c->tls_socket(), false);
    corked = false;
  };
  for (;;) {
    if (wait) {
      uncork();
      if (error_code ec = co_await WaitFor(plain, tcp::socket::wait_read); ec) {
        c->NoteError(ec);
        c->CloseAll();
        co_return;
      }
    }
    if (!plain.is_open()) co_return;  // closed meanwhile (no wait saw it)
    BufferPool::Handle buffer = CopyBuffers().Borrow();
    error_code ec;
    size_t n = plain.read_some(asio::buffer(buffer.data(), kCopyBuffer), ec);  // non-blocking
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      wait = true;
      continue;
    }
    wait = n < kCopyBuffer;
    if (n > 0) {
      c->last_activity = SteadyClock::now();
      if (!corked && n > SSL3_RT_MAX_PLAIN_LENGTH) {
        SetCork(c->tls_socket(), true);
        corked = true;
      }
      std::string error = co_await TlsWriteAll(c, buffer.data(), n);
      if (!error.empty() || !c->tls_socket().is_open()) {
        c->NoteError(error);
        c->CloseAll();
        co_return;
      }
      counter += n;
    }
    if (ec) {
      uncork();
      error_code ignored;
      if (ec == asio::error::eof) {
        c->tls_socket().shutdown(tcp::socket::shutdown_send, ignored);
      } else {
        c->NoteError(ec);
        c->CloseAll();
      }
      co_return;
    }
  }
}

// Writes data[0, size) to the plain (non-blocking) socket: sends at once and waits for
// writability only when the socket is full, so a send costs no reactor round trip.
asio::awaitable<error_code> PlainWriteAll(tcp::socket& plain, const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    error_code ec;
    done += plain.write_some(asio::buffer(data + done, size - done), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      if (ec = co_await WaitFor(plain, tcp::socket::wait_write); ec) co_return ec;
    } else if (ec) {
      co_return ec;
    }
  }
  co_return error_code();
}

// TLS -> plain socket until EOF or error; at EOF the plain socket's sending half is shut
// down. Waits for readability unless OpenSSL already holds input, then borrows a buffer,
// decrypts every record available into it (ReadBatch) and hands them on in one send.
asio::awaitable<void> PumpTlsToPlain(Connection* c, uint64_t& counter) {
  tcp::socket& plain = c->plain_socket();
  // What to wait for before the next batch: readability unless OpenSSL holds input,
  // exactly what the last read asked for (a partial record is buffered yet not readable),
  // or nothing after a batch filled the buffer (more is likely there; an empty try costs one
  // read() and returns the buffer at once).
  enum { kUnlessBuffered, kRead, kWrite, kTry } next = kUnlessBuffered;
  for (;;) {
    if (next != kTry && (next != kUnlessBuffered || !HasBufferedInput(c->ssl.get()))) {
      error_code ec = co_await WaitFor(
          c->tls_socket(), next == kWrite ? tcp::socket::wait_write : tcp::socket::wait_read);
      if (ec) {
        c->NoteError(ec);
        c->CloseAll();
        co_return;
      }
    }
    if (!c->tls_socket().is_open()) co_return;  // closed meanwhile (no wait saw it)
    BufferPool::Handle buffer = CopyBuffers().Borrow();
    TlsStep step = ReadBatch(c->ssl.get(), buffer.data(), kCopyBuffer);
    if (step.bytes > 0) {  // delivered first, whatever ended the batch
      c->last_activity = SteadyClock::now();
      if (error_code ec = co_await PlainWriteAll(plain, buffer.data(), step.bytes); ec) {
        c->NoteError(ec);
        c->CloseAll();
        co_return;
      }
      counter += step.bytes;
    }
    switch (step.kind) {
      case TlsStep::kDone:  // the buffer filled up
        next = kTry;
        break;
      case TlsStep::kWantRead:
        next = kRead;
        break;
      case TlsStep::kWantWrite:
        next = kWrite;
        break;
      case TlsStep::kEof: {
        error_code ignored;
        plain.shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
      case TlsStep::kError:
        c->NoteError(step.error);
        c->CloseAll();
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
  auto to_target =
      c->server ? PumpTlsToPlain(c, c->bytes_to_target) : PumpPlainToTls(c, c->bytes_to_target);
  auto from_target =
      c->server ? PumpPlainToTls(c, c->bytes_from_target) : PumpTlsToPlain(c, c->bytes_from_target);
  co_await (std::move(to_target) && std::move(from_target));
  c->done = true;
  c->timer.cancel();
}

// Runs `op` with a deadline: when it expires, the connection's sockets are closed. Returns
// the op's result and whether the deadline struck.
template <typename Op>
auto WithDeadline(Connection* conn, std::chrono::milliseconds limit, Op op)
    -> asio::awaitable<std::pair<typename decltype(op())::value_type, bool>> {
  auto timed_out = std::make_shared<bool>(false);
  asio::steady_timer deadline(conn->downstream.get_executor());
  deadline.expires_after(limit);
  deadline.async_wait([c = conn->shared_from_this(), timed_out](error_code ec) {
    if (!ec) {
      *timed_out = true;
      c->CloseAll();
    }
  });
  auto result = co_await op();
  deadline.cancel();
  co_return std::make_pair(std::move(result), *timed_out);
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

void LogDenied(const Connection& c, DenyReason reason, const std::string& why) {
  c.listener.metrics->CountDenied(reason);
  std::string peer = c.check.saw_certificate ? c.check.peer.Describe() : "no certificate";
  if (reason == DenyReason::kPosture) {  // why = "posture: <server's reason> (policy <name>)"
    spdlog::warn("tunnel {}: denied {} ({}) reason={}", c.listener.options.name, c.remote, peer,
                 why);
    return;
  }
  spdlog::warn("tunnel {}: denied {} ({}): {} [{}]", c.listener.options.name, c.remote, peer, why,
               DenyReasonLabel(reason));
}

// Connects the target; false (logged, closed) when it cannot.
asio::awaitable<bool> ConnectOrDeny(Connection* c) {
  Listener& l = c->listener;
  auto [ec, timed_out] = co_await WithDeadline(c, l.options.connect_timeout,
                                               [c]() { return ConnectTarget(c, c->upstream); });
  if (!ec) co_return true;
  LogDenied(*c, DenyReason::kTargetUnreachable,
            "cannot connect to " + l.options.target + ": " +
                (timed_out ? std::string("timed out") : ec.message()));
  c->CloseAll();
  co_return false;
}

// Puts TLS on the connection's TLS socket (non-blocking from now on).
Status AttachTls(Connection* c) {
  error_code ec;
  c->tls_socket().non_blocking(true, ec);
  if (ec) return Internal("cannot make the socket non-blocking: " + ec.message());
  if (c->server) {
    SSL_set_accept_state(c->ssl.get());
  } else {
    SSL_set_connect_state(c->ssl.get());
  }
  return AttachToSocket(c->ssl.get(), c->tls_socket().native_handle());
}

asio::awaitable<void> Serve(std::shared_ptr<Connection> owner) {
  Connection* c = owner.get();
  Listener& l = c->listener;
  Result<ossl::UniquePtr<SSL>> ssl =
      c->credentials->NewConnection(&c->check, c->server ? std::string() : l.server_name);
  if (!ssl.ok()) {
    spdlog::error("tunnel {}: {}", l.options.name, ssl.status().ToString());
    co_return;
  }
  c->ssl = std::move(*ssl);
  if (!c->server && !co_await ConnectOrDeny(c)) co_return;
  if (Status attached = AttachTls(c); !attached.ok()) {
    spdlog::error("tunnel {}: {}", l.options.name, attached.ToString());
    c->CloseAll();
    co_return;
  }
  auto started = SteadyClock::now();
  auto [error, htimed_out] =
      co_await WithDeadline(c, l.options.handshake_timeout, [c]() { return Handshake(c); });
  if (!error.empty() || htimed_out) {
    auto [reason, why] = Classify(*c, error, htimed_out);
    LogDenied(*c, reason, why);
    c->CloseAll();
    co_return;
  }
  l.metrics->ObserveHandshake(SteadyClock::now() - started);
  if (c->server && !co_await ConnectOrDeny(c)) co_return;
  l.metrics->CountAccepted();
  spdlog::debug("tunnel {}: accepted {} ({}): {}", l.options.name, c->remote,
                c->check.peer.Describe(), c->check.allow_reason);
  c->last_activity = SteadyClock::now();
  error_code ignored;
  c->plain_socket().non_blocking(true, ignored);  // PumpPlainToTls reads it after a wait
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
