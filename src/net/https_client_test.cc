// HttpsClient failure modes: each error says what went wrong, with whom.
#include "net/https_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "net/testing/test_pki.h"
#include "net/testing/test_server.h"

namespace wott::net {
namespace {

using testing::ClientCert;
using testing::MakeClient;
using testing::TestPki;
using testing::TestServer;

// A TCP socket listening on 127.0.0.1 that never accepts (the kernel still completes the
// TCP handshake, so a client connects and then hears nothing).
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(fd_, 4), 0);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

std::string LocalUrl(uint16_t port, std::string_view path = "/") {
  return "https://127.0.0.1:" + std::to_string(port) + std::string(path);
}

TEST(HttpsClientTest, CreateNeedsValidCredentials) {
  HttpsClientOptions none;
  Result<HttpsClient> c = HttpsClient::Create(none);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("CA bundle"), std::string::npos);

  HttpsClientOptions garbage;
  garbage.ca_bundle_pem = "garbage";
  EXPECT_FALSE(HttpsClient::Create(garbage).ok());

  HttpsClientOptions mismatch;
  mismatch.ca_bundle_pem = TestPki::Get().Pem("root.crt");
  mismatch.client_cert_chain_pem = TestPki::Get().Pem("client.crt");
  mismatch.client_key_pem = TestPki::Get().Pem("server.key");
  c = HttpsClient::Create(mismatch);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "the private key does not match the certificate");

  HttpsClientOptions good = mismatch;
  good.client_key_pem = TestPki::Get().Pem("client.key");
  EXPECT_TRUE(HttpsClient::Create(good).ok());
}

TEST(HttpsClientTest, RejectsBadUrlMethodAndHeaders) {
  HttpsClient client = MakeClient();
  Result<HttpResponse> r = client.Request("GET", "http://127.0.0.1:1/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = client.Request("GE T", "https://127.0.0.1:1/");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  HttpHeaders evil;
  evil.Set("X-Evil", "a\r\nInjected: 1");
  r = client.Request("GET", "https://127.0.0.1:1/", "", evil);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpsClientTest, ConnectionRefused) {
  uint16_t port;
  {
    SilentListener l;  // find a free port, then free it
    port = l.port();
  }
  Result<HttpResponse> r = MakeClient().Request("GET", LocalUrl(port));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "connection refused by 127.0.0.1:" + std::to_string(port));
}

TEST(HttpsClientTest, UnknownHost) {
  Result<HttpResponse> r = MakeClient().Request("GET", "https://no-such-host.invalid/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cannot resolve no-such-host.invalid"), std::string::npos)
      << r.status();
}

TEST(HttpsClientTest, SilentServerTimesOut) {
  SilentListener l;
  HttpsClient client = MakeClient(ClientCert::kNone, "root.crt", [](HttpsClientOptions& o) {
    o.request_timeout = std::chrono::milliseconds(300);
  });
  Result<HttpResponse> r = client.Request("GET", LocalUrl(l.port()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().message(),
            "timed out during the TLS handshake with 127.0.0.1:" + std::to_string(l.port()));
}

TEST(HttpsClientTest, ServerFromUntrustedCaIsRefused) {
  TestServer s;
  Result<HttpResponse> r =
      MakeClient(ClientCert::kNone, "foreign.crt").Request("GET", s.Url("/hello"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(r.status().message(), "the TLS certificate of 127.0.0.1:" + std::to_string(s.port()) +
                                      " failed verification: unable to get local issuer "
                                      "certificate");
  EXPECT_EQ(s.handler_calls(), 0);
}

TEST(HttpsClientTest, ServerNameIsCheckedAndCanBeOverridden) {
  TestServer s;
  Result<HttpResponse> wrong = MakeClient(ClientCert::kNone, "root.crt", [](HttpsClientOptions& o) {
                                 o.server_name_override = "wott.example";
                               }).Request("GET", s.Url("/hello"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(wrong.status().message().find("hostname mismatch"), std::string::npos)
      << wrong.status();

  Result<HttpResponse> right = MakeClient(ClientCert::kNone, "root.crt", [](HttpsClientOptions& o) {
                                 o.server_name_override = "localhost";
                               }).Request("GET", s.Url("/hello"));
  ASSERT_TRUE(right.ok()) << right.status();
  EXPECT_EQ(right->status, 200);
  // And by name in the URL.
  Result<HttpResponse> by_name =
      MakeClient().Request("GET", "https://localhost:" + std::to_string(s.port()) + "/hello");
  ASSERT_TRUE(by_name.ok()) << by_name.status();
}

TEST(HttpsClientTest, ResponseBodyLimit) {
  TestServer s;
  HttpsClient small = MakeClient(ClientCert::kNone, "root.crt",
                                 [](HttpsClientOptions& o) { o.max_response_body = 1024 * 1024; });
  Result<HttpResponse> r = small.Request("GET", s.Url("/big"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  Result<HttpResponse> ok = MakeClient().Request("GET", s.Url("/big"));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->body.size(), 2u * 1024 * 1024);
}

TEST(HttpsClientTest, MalformedResponse) {
  // openssl s_server -rev answers every line reversed: TLS is fine, HTTP is not.
  const TestPki& pki = TestPki::Get();
  uint16_t port;
  {
    SilentListener l;
    port = l.port();
  }
  std::string log = testing::TempDir() / "s_server.log";
  std::thread server([&] {
    testing::RunCommand(
        "openssl s_server -rev -naccept 1 -accept 127.0.0.1:" + std::to_string(port) + " -cert " +
            pki.Path("server.crt") + " -key " + pki.Path("server.key") + " -cert_chain " +
            pki.Path("int.crt") + " >" + log + " 2>&1",
        {}, 20);
  });
  bool ready = false;
  for (int i = 0; i < 2000 && !ready; ++i) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ready = text.find("ACCEPT") != std::string::npos;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!ready) {
    server.join();
    FAIL() << "openssl s_server did not start";
  }
  Result<HttpResponse> r = MakeClient().Request("GET", LocalUrl(port, "/"));
  server.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("malformed HTTP response from 127.0.0.1:"), std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace wott::net
