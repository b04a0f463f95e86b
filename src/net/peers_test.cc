// Our HttpsServer against the peers users have: openssl s_client and curl.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "net/https_server.h"
#include "net/testing/test_pki.h"
#include "net/testing/test_server.h"

namespace wott::net {
namespace {

using testing::CommandResult;
using testing::MakeClient;
using testing::RunCommand;
using testing::TestPki;
using testing::TestServer;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

int Count(const std::string& text, std::string_view part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

std::string SClient(const TestServer& s, const std::string& args) {
  return "openssl s_client -brief -connect 127.0.0.1:" + std::to_string(s.port()) +
         " -servername localhost -CAfile " + TestPki::Get().Path("root.crt") +
         " -verify_return_error " + args;
}

std::string Curl(const TestServer&, const std::string& args) {
  return "curl -sS --cacert " + TestPki::Get().Path("root.crt") + " " + args;
}

constexpr const char* kGetHello =
    "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

class PeersTest : public ::testing::Test {
 protected:
  TestServer s_;
};

TEST_F(PeersTest, Tls10And11AreRefusedByTheServer) {
  // The client is configured to offer the old versions (no system policy, security level
  // 0), so a refusal comes from the server: its protocol_version alert.
  for (const char* version : {"-tls1", "-tls1_1"}) {
    CommandResult r = RunCommand("OPENSSL_CONF=/dev/null " +
                                 SClient(s_, std::string(version) + " -cipher DEFAULT@SECLEVEL=0"));
    EXPECT_NE(r.exit_code, 0) << version;
    EXPECT_TRUE(Contains(r.output, "alert protocol version")) << version << "\n" << r.output;
    EXPECT_FALSE(Contains(r.output, "CONNECTION ESTABLISHED")) << r.output;
  }
}

TEST_F(PeersTest, CbcSuitesAreRefused) {
  for (const char* cipher :
       {"ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA"}) {
    CommandResult r =
        RunCommand("OPENSSL_CONF=/dev/null " +
                   SClient(s_, std::string("-tls1_2 -cipher ") + cipher + "@SECLEVEL=0"));
    EXPECT_NE(r.exit_code, 0) << cipher;
    EXPECT_TRUE(Contains(r.output, "alert handshake failure")) << cipher << "\n" << r.output;
  }
}

TEST_F(PeersTest, Tls12AeadSuitesAreAccepted) {
  for (const char* cipher : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                             "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    CommandResult r =
        RunCommand(SClient(s_, std::string("-ign_eof -tls1_2 -cipher ") + cipher), kGetHello);
    EXPECT_TRUE(Contains(r.output, "Protocol version: TLSv1.2")) << r.output;
    EXPECT_TRUE(Contains(r.output, std::string("Ciphersuite: ") + cipher)) << r.output;
    EXPECT_TRUE(Contains(r.output, "HTTP/1.1 200 OK")) << r.output;
  }
}

TEST_F(PeersTest, Tls13IsAccepted) {
  CommandResult r = RunCommand(SClient(s_, "-ign_eof -tls1_3"), kGetHello);
  EXPECT_TRUE(Contains(r.output, "Protocol version: TLSv1.3")) << r.output;
  EXPECT_TRUE(Contains(r.output, "Verification: OK")) << r.output;
  EXPECT_TRUE(Contains(r.output, "HTTP/1.1 200 OK")) << r.output;
}

TEST_F(PeersTest, KeepAliveReusesTheConnection) {
  std::string url = s_.Url("/hello");
  CommandResult r = RunCommand(Curl(s_, "-v " + url + " " + url));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Count(r.output, "< HTTP/1.1 200 OK"), 2) << r.output;
  EXPECT_EQ(Count(r.output, "Connected to 127.0.0.1"), 1) << r.output;
  EXPECT_TRUE(Contains(r.output, "Re-using existing connection")) << r.output;
}

TEST_F(PeersTest, ConnectionCloseIsHonoured) {
  std::string url = s_.Url("/hello");
  CommandResult r = RunCommand(Curl(s_, "-v -H 'Connection: close' " + url + " " + url));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Count(r.output, "< HTTP/1.1 200 OK"), 2) << r.output;
  EXPECT_EQ(Count(r.output, "Connected to 127.0.0.1"), 2) << r.output;
  EXPECT_FALSE(Contains(r.output, "Re-using existing connection")) << r.output;
  EXPECT_TRUE(Contains(r.output, "< Connection: close")) << r.output;
}

TEST_F(PeersTest, OneMebibyteBodyGets413AndServerKeepsServing) {
  std::string file = testing::TempDir() / "body";
  for (long size : {1L << 20, 2L << 20}) {  // 2 MiB makes curl use Expect: 100-continue
    std::ofstream(file, std::ios::binary) << std::string(static_cast<size_t>(size), 'a');
    CommandResult r =
        RunCommand(Curl(s_, "-w '\\n%{http_code}' --data-binary @" + file + " " + s_.Url("/echo")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(Contains(r.output, "\"payload_too_large\"")) << r.output;
    EXPECT_TRUE(Contains(r.output, "\n413")) << r.output;
    CommandResult next = RunCommand(Curl(s_, s_.Url("/hello")));
    EXPECT_EQ(next.output, "hello");
  }
  EXPECT_EQ(s_.handler_calls(), 2);  // only the two /hello
}

TEST(PeersBodyLimitTest, ChunkedBodyIsCountedAgainstThePathLimit) {
  // No Content-Length: the limit is enforced while the chunks arrive.
  TestServer s([](HttpsServerOptions& o) { o.path_body_limits = {{"/echo", 256 * 1024}}; });
  std::string file = testing::TempDir() / "chunked-body";
  auto post = [&](size_t size, const std::string& path) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << std::string(size, 'a');
    return RunCommand(Curl(s,
                           "-o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' "
                           "--data-binary @" +
                               file + " " + s.Url(path)));
  };
  EXPECT_EQ(post(200 * 1024, "/echo").output, "200");
  EXPECT_EQ(post(300 * 1024, "/echo").output, "413");
  EXPECT_EQ(post(100 * 1024, "/hello").output, "413");
}

TEST_F(PeersTest, HeadGetsHeadersWithoutBody) {
  std::string url = s_.Url("/hello");
  // Twice on one connection: a body after the first HEAD response would corrupt the second.
  CommandResult r = RunCommand(Curl(s_, "-v -I " + url + " " + url));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Count(r.output, "< Content-Length: 5"), 2) << r.output;
  EXPECT_TRUE(Contains(r.output, "Re-using existing connection")) << r.output;
  EXPECT_FALSE(Contains(r.output, "Excess found")) << r.output;
}

TEST_F(PeersTest, ExpectContinueIsAnswered) {
  CommandResult r =
      RunCommand(Curl(s_, "-v -H 'Expect: 100-continue' --data-binary small " + s_.Url("/echo")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "HTTP/1.1 100 Continue")) << r.output;
  EXPECT_TRUE(Contains(r.output, "small")) << r.output;
}

TEST_F(PeersTest, MalformedRequestsGet400AndServerKeepsServing) {
  for (const char* request :
       {"GARBAGE\r\n\r\n", "GET /hello HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET hello HTTP/1.1\r\nHost: x\r\n\r\n", "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    CommandResult r = RunCommand(SClient(s_, "-ign_eof"), request);
    EXPECT_TRUE(Contains(r.output, "HTTP/1.1 400 Bad Request")) << request << "\n" << r.output;
    EXPECT_TRUE(Contains(r.output, "\"bad_request\"")) << r.output;
    CommandResult ok = RunCommand(SClient(s_, "-ign_eof"), kGetHello);
    EXPECT_TRUE(Contains(ok.output, "HTTP/1.1 200 OK")) << ok.output;
  }
  EXPECT_EQ(s_.handler_calls(), 4);
}

TEST_F(PeersTest, OversizedHeaderGets431) {
  auto request = [](size_t n) {
    return "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + std::string(n, 'a') +
           "\r\n\r\n";
  };
  CommandResult big = RunCommand(SClient(s_, "-ign_eof"), request(9000));
  EXPECT_TRUE(Contains(big.output, "HTTP/1.1 431")) << big.output;
  EXPECT_TRUE(Contains(big.output, "request_header_fields_too_large")) << big.output;
  CommandResult fits = RunCommand(SClient(s_, "-ign_eof"), request(4000));
  EXPECT_TRUE(Contains(fits.output, "HTTP/1.1 200 OK")) << fits.output;
}

TEST_F(PeersTest, CurlClientCertificates) {
  const TestPki& pki = TestPki::Get();
  CommandResult ours = RunCommand(Curl(s_, "--cert " + pki.Path("client-chain.pem") + " --key " +
                                               pki.Path("client.key") + " " + s_.Url("/whoami")));
  EXPECT_EQ(ours.output, "device-1 chain=2");

  for (const char* version : {"--tlsv1.3", "--tlsv1.2 --tls-max 1.2"}) {
    CommandResult none =
        RunCommand(Curl(s_, std::string(version) + " -w ' %{http_code}' " + s_.Url("/whoami")));
    EXPECT_EQ(none.exit_code, 0) << none.output;
    EXPECT_TRUE(Contains(none.output, "\"unauthenticated\"")) << version << none.output;
    EXPECT_TRUE(Contains(none.output, " 401")) << version << none.output;
  }
  int calls = s_.handler_calls();

  for (const char* version : {"--tlsv1.3", "--tlsv1.2 --tls-max 1.2"}) {
    CommandResult foreign =
        RunCommand(Curl(s_, std::string(version) + " --cert " + pki.Path("fclient.crt") +
                                " --key " + pki.Path("fclient.key") + " " + s_.Url("/whoami")));
    EXPECT_NE(foreign.exit_code, 0) << version << foreign.output;
    EXPECT_TRUE(Contains(foreign.output, "alert unknown ca")) << version << foreign.output;
  }
  EXPECT_EQ(s_.handler_calls(), calls);
}

// Sends `partial` and stalls; returns what s_client saw. s_client exits when the server
// closes the connection; `timeout` kills it (exit code 124) if the server never does.
CommandResult StallUntilClosed(const TestServer& s, const std::string& partial) {
  std::string log = testing::TempDir() / "stall.log";
  std::string command =
      "timeout 20 openssl s_client -quiet -connect 127.0.0.1:" + std::to_string(s.port()) +
      " -CAfile " + TestPki::Get().Path("root.crt") + " >" + log + " 2>&1";
  FILE* in = popen(command.c_str(), "w");
  if (in == nullptr) return {};
  fwrite(partial.data(), 1, partial.size(), in);
  fflush(in);
  // Other clients are served while this one stalls.
  HttpsClient client = MakeClient();
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> r = client.Request("GET", s.Url("/hello"));
    EXPECT_TRUE(r.ok() && r->status == 200) << r.status();
  }
  int status = pclose(in);  // our end of stdin closes; s_client -quiet keeps waiting
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream file(log);
  result.output.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return result;
}

TEST(SlowClientTest, StalledHeaderIsDisconnected) {
  TestServer s([](HttpsServerOptions& o) { o.header_timeout = std::chrono::milliseconds(500); });
  CommandResult r = StallUntilClosed(s, "GET /hello HTTP/1.1\r\nHost: loc");
  EXPECT_NE(r.exit_code, 124) << "the server never closed the connection";
  EXPECT_FALSE(Contains(r.output, "HTTP/1.1")) << r.output;
  EXPECT_EQ(s.handler_calls(), 3);
}

TEST(SlowClientTest, StalledBodyIsDisconnected) {
  TestServer s([](HttpsServerOptions& o) { o.body_timeout = std::chrono::milliseconds(500); });
  CommandResult r = StallUntilClosed(
      s, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nonly ten b");
  EXPECT_NE(r.exit_code, 124) << "the server never closed the connection";
  EXPECT_FALSE(Contains(r.output, "HTTP/1.1")) << r.output;
  EXPECT_EQ(s.handler_calls(), 3);
}

TEST(SlowClientTest, SilentConnectionIsDisconnected) {
  TestServer s([](HttpsServerOptions& o) { o.header_timeout = std::chrono::milliseconds(500); });
  CommandResult r = StallUntilClosed(s, "");
  EXPECT_NE(r.exit_code, 124) << "the server never closed the connection";
}

}  // namespace
}  // namespace wott::net
