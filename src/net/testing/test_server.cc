#include "net/testing/test_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "net/testing/test_pki.h"
#include "ossl/tls_context.h"

namespace wott::net::testing {

ossl::UniquePtr<SSL_CTX> ServerContext(const char* chain, const char* key) {
  const TestPki& pki = TestPki::Get();
  ossl::TlsContextOptions o;
  o.certificate_chain_pem = pki.Pem(chain);
  o.private_key_pem = pki.Pem(key);
  o.trust_anchors_pem = pki.Pem("root.crt");
  o.peer_verification = ossl::PeerVerification::kOptional;
  Result<ossl::UniquePtr<SSL_CTX>> ctx = ossl::BuildTlsContext(o);
  if (!ctx.ok()) {
    ADD_FAILURE() << ctx.status();
    std::abort();
  }
  return std::move(ctx).value();
}

TestServer::TestServer(std::function<void(HttpsServerOptions&)> tweak) {
  auto count = [this](RouteHandler h) {
    return [this, h](const HttpRequest& r) {
      ++handler_calls_;
      return h(r);
    };
  };
  auto ok = [](Status s) { EXPECT_TRUE(s.ok()) << s; };
  ok(router_.Add("GET", "/hello",
                 count([](const HttpRequest&) { return HttpResponse::Text(200, "hello"); })));
  ok(router_.Add("HEAD", "/hello",
                 count([](const HttpRequest&) { return HttpResponse::Text(200, "hello"); })));
  ok(router_.Add("POST", "/echo", count([](const HttpRequest& r) {
                   HttpResponse resp = HttpResponse::Json(200, r.body);
                   resp.headers.Set("X-Got-Type",
                                    std::string(r.headers.Get("content-type").value_or("none")));
                   return resp;
                 })));
  ok(router_.Add(
      "GET", "/whoami", count([](const HttpRequest& r) {
        if (r.peer_certificate == nullptr) {
          return ErrorResponse(401, "unauthenticated", "a client certificate is required");
        }
        return HttpResponse::Text(200, ossl::SubjectCommonName(r.peer_certificate.get()) +
                                           " chain=" + std::to_string(r.peer_chain.size()));
      })));
  ok(router_.Add("GET", "/block", count([this](const HttpRequest&) { return Block(); })));
  ok(router_.Add("GET", "/big", count([](const HttpRequest&) {
                   return HttpResponse::Text(200, std::string(2 * 1024 * 1024, 'x'));
                 })));
  ok(router_.Add("GET", "/throw", count([](const HttpRequest&) -> HttpResponse {
                   throw std::runtime_error("boom");
                 })));
  ok(router_.Add("GET", "/badheader", count([](const HttpRequest&) {
                   HttpResponse resp = HttpResponse::Text(200, "x");
                   resp.headers.Set("X-Evil", "a\r\nInjected: yes");
                   return resp;
                 })));

  HttpsServerOptions options;
  options.ssl_context = ServerContext();
  options.io_threads = 1;
  options.worker_threads = 2;
  options.on_request = [this](const RequestRecord& r) {
    std::lock_guard lock(mu_);
    logged_.push_back({std::string(r.method), std::string(r.target), std::string(r.route),
                       std::string(r.peer_identity), std::string(r.error), r.status,
                       r.request != nullptr});
  };
  if (tweak) tweak(options);
  server_ = std::make_unique<HttpsServer>(std::move(options),
                                          [this](HttpRequest& r) { return router_.Dispatch(r); });
  Status started = server_->Start();
  EXPECT_TRUE(started.ok()) << started;
}

TestServer::~TestServer() {
  Release();
  server_->Stop();
}

std::string TestServer::Url(std::string_view path) const {
  return "https://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::vector<Logged> TestServer::logged() const {
  std::lock_guard lock(mu_);
  return logged_;
}

HttpResponse TestServer::Block() {
  std::unique_lock lock(mu_);
  ++blocked_;
  cv_.notify_all();
  // Bounded, so a broken test cannot hang the binary.
  bool released = cv_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; });
  return HttpResponse::Text(200, released ? "released" : "gave up");
}

bool TestServer::WaitBlocked() {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return blocked_ > 0; });
}

void TestServer::Release() {
  std::lock_guard lock(mu_);
  released_ = true;
  cv_.notify_all();
}

HttpsClient MakeClient(ClientCert cert, const char* ca,
                       std::function<void(HttpsClientOptions&)> tweak) {
  const TestPki& pki = TestPki::Get();
  HttpsClientOptions o;
  o.ca_bundle_pem = pki.Pem(ca);
  if (cert == ClientCert::kOurs) {
    o.client_cert_chain_pem = pki.Pem("client-chain.pem");
    o.client_key_pem = pki.Pem("client.key");
  } else if (cert == ClientCert::kForeign) {
    o.client_cert_chain_pem = pki.Pem("fclient.crt");
    o.client_key_pem = pki.Pem("fclient.key");
  }
  if (tweak) tweak(o);
  Result<HttpsClient> client = HttpsClient::Create(std::move(o));
  if (!client.ok()) {
    ADD_FAILURE() << client.status();
    std::abort();
  }
  return std::move(client).value();
}

}  // namespace wott::net::testing
