// Runtime: the tunnel's event loop (Asio; the only file that includes it is proxy.cc). It
// holds any number of listeners, each proxying between its listen address and its target:
//   server side: accept TCP, TLS handshake (peer checked by the listener's current
//     Credentials), connect to the target, copy both ways;
//   client side: accept plain TCP, connect to the target, TLS handshake as a client,
//     copy both ways.
// Copies honour half-close (EOF on one side shuts down the other side's sending half).
// Each connection takes the credentials snapshot current when it is accepted and keeps it,
// so a reload never touches open connections. Also a plain-HTTP status listener.
//
// Thread safety: Add* before Start only; Start/Stop from one thread. Listeners' credential
// stores and metrics are shared with other threads (both are thread-safe).
#ifndef WOTT_TUNNEL_PROXY_H_
#define WOTT_TUNNEL_PROXY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "tunnel/credentials.h"
#include "tunnel/metrics.h"

namespace wott::tunnel {

struct ListenerOptions {
  // Name in logs, /_status and metric labels.
  std::string name = "tunnel";
  Side side = Side::kServer;
  // "host:port" to listen on (port 0 picks a free one; see Runtime::port).
  std::string listen;
  // "host:port" to forward to.
  std::string target;
  // Client side: the name the server certificate must be valid for (sent as SNI). "" = the
  // target's host.
  std::string server_name;
  // Time allowed for the TLS handshake.
  std::chrono::milliseconds handshake_timeout = std::chrono::seconds(10);
  // Time allowed to connect to the target.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // A connection with no byte in either direction for this long is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::hours(1);
  // Connections accepted beyond this many open ones are closed at once.
  int max_connections = 1024;
};

// What the status listener answers for one path.
struct StatusReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};
using StatusHandler = std::function<StatusReply(const std::string& path)>;

class Runtime {
 public:
  // `io_threads` threads run the event loop after Start (at least 1).
  explicit Runtime(int io_threads = 1);
  ~Runtime();  // Stops.
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Binds the listen address now (so a busy port fails start-up) and serves after Start.
  // Returns the listener's index. kInvalidArgument on a malformed address; kUnavailable
  // when it cannot bind. REQUIRES: credentials->Current() != nullptr before Start.
  Result<size_t> AddListener(ListenerOptions options, std::shared_ptr<CredentialStore> credentials,
                             std::shared_ptr<ListenerMetrics> metrics);

  // A plain-HTTP listener (GET only) answering with `handler`; meant for 127.0.0.1.
  Result<size_t> AddStatusListener(const std::string& listen, StatusHandler handler);

  // The bound port of listener `index` (from AddListener or AddStatusListener).
  uint16_t port(size_t index) const;

  // Starts the loop threads. Returns at once.
  void Start();
  // Closes the listeners and open connections and joins the threads. Idempotent.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" ("[v6]:port" too). kInvalidArgument naming `what` otherwise.
Result<std::pair<std::string, uint16_t>> SplitHostPort(const std::string& address,
                                                       std::string_view what);

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_PROXY_H_
