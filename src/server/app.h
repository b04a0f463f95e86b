// App: a running wott-server: the CA loaded from the data directory, the registry, the
// router and the HTTPS listener, wired together. Used by `wott-server serve` and by
// in-process tests.
//
// Thread safety: Start once; port(), Stop() and Wait() from any thread that is not one of
// the server's own.
#ifndef WOTT_SERVER_APP_H_
#define WOTT_SERVER_APP_H_

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "net/https_server.h"
#include "net/router.h"
#include "server/ca_service.h"
#include "store/store.h"

namespace wott::server {

struct AppOptions {
  // Holds ca/ (from `wott-server init`) and, by default, the SQLite registry.
  std::filesystem::path data_dir;
  // Where to listen: "HOST:PORT" ("0.0.0.0:8443", "127.0.0.1:0" picks a free port).
  std::string listen = "0.0.0.0:8443";
  // Registry DSN; "" means "sqlite:<data_dir>/registry.db".
  std::string db;
  CaServiceOptions ca;
  int io_threads = 1;
  int worker_threads = 16;
  // Serve the dashboard from this directory (read per request) instead of the copy
  // embedded in the binary; "" = embedded. Must hold index.html.
  std::filesystem::path web_root;
};

class App {
 public:
  // Loads the CA, opens the registry, binds the port and starts serving. Clear errors for
  // a missing CA, a bad listen address, a port in use, a registry that cannot be opened.
  static Result<std::unique_ptr<App>> Start(const AppOptions& options, const Clock* clock);
  ~App();

  uint16_t port() const { return server_->port(); }
  CaService& ca() { return *ca_; }
  // Graceful stop (see HttpsServer::Stop).
  void Stop() { server_->Stop(); }
  // Blocks until stopped, e.g. by SIGTERM once StopOnSignals was called.
  void Wait() { server_->Wait(); }
  void StopOnSignals() { server_->StopOnSignals({SIGTERM, SIGINT}); }

 private:
  App() = default;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<CaService> ca_;
  std::unique_ptr<net::Router> router_;
  std::unique_ptr<net::HttpsServer> server_;
};

// Splits "HOST:PORT" ("[::1]:8443" for IPv6). kInvalidArgument when malformed.
Result<std::pair<std::string, uint16_t>> ParseListenAddress(std::string_view listen);

}  // namespace wott::server

#endif  // WOTT_SERVER_APP_H_
