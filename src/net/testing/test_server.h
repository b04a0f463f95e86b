// Test support for net_test: an HttpsServer on 127.0.0.1 (port 0) with the test PKI and a
// few routes, that records every RequestRecord, plus clients with or without certificates.
#ifndef WOTT_NET_TESTING_TEST_SERVER_H_
#define WOTT_NET_TESTING_TEST_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/https_client.h"
#include "net/https_server.h"
#include "net/router.h"

namespace wott::net::testing {

// A copy of a RequestRecord.
struct Logged {
  std::string method, target, route, peer, error;
  int status = 0;
  bool had_request = false;
};

// Routes: GET and HEAD /hello, POST /echo (body back; request Content-Type in X-Got-Type),
// GET /whoami (401 without a client certificate, else "<CN> chain=<n>"), GET /block
// (waits for Release()), GET /big (2 MiB), GET /throw, GET /badheader.
class TestServer {
 public:
  // `tweak` may change the options before Start (timeouts, limits, threads).
  explicit TestServer(std::function<void(HttpsServerOptions&)> tweak = {});
  ~TestServer();

  HttpsServer& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  std::string Url(std::string_view path) const;
  std::vector<Logged> logged() const;
  int handler_calls() const { return handler_calls_.load(); }

  // Blocks until a /block handler has started (true) or 20 s passed (false).
  bool WaitBlocked();
  // Lets every /block handler return.
  void Release();

 private:
  HttpResponse Block();

  Router router_;
  std::unique_ptr<HttpsServer> server_;
  std::atomic<int> handler_calls_{0};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Logged> logged_;  // guarded by mu_
  int blocked_ = 0;             // guarded by mu_
  bool released_ = false;       // guarded by mu_
};

enum class ClientCert { kNone, kOurs, kForeign };

// A client trusting `ca` (a file name in the PKI), presenting `cert`.
HttpsClient MakeClient(ClientCert cert = ClientCert::kNone, const char* ca = "root.crt",
                       std::function<void(HttpsClientOptions&)> tweak = {});

// An SSL_CTX for the server from the PKI: `chain`/`key`, client certs optional from root.
ossl::UniquePtr<SSL_CTX> ServerContext(const char* chain = "server-chain.pem",
                                       const char* key = "server.key");

}  // namespace wott::net::testing

#endif  // WOTT_NET_TESTING_TEST_SERVER_H_
