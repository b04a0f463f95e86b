// The copy loops end to end through a real Runtime on 127.0.0.1: an app talks plain TCP to a
// client-side listener, which speaks mTLS to a server-side listener, which talks plain TCP to
// a backend. Several MiB each way cross both pumps (batched TLS reads, corked TLS writes).
#include "tunnel/proxy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>

#include "pki/key.h"
#include "tests/support/test_ca.h"
#include "tunnel/credentials.h"

namespace wott::tunnel {
namespace {

using wott::testing::TestCa;

std::string Keystore(const TestCa& ca, const TestCa::Leaf& leaf) {
  return *pki::CertificateToPem(leaf.cert.get()) + ca.IntermediatePem() +
         *pki::PrivateKeyToPem(leaf.key.get());
}

// `size` bytes that differ with `seed` and position, so lost or reordered bytes show.
std::string Pattern(size_t size, uint32_t seed) {
  std::string out(size, '\0');
  for (char& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

// Blocking socket calls give up after 10 s, so a broken proxy fails the test, not hangs it.
void SetTimeouts(int fd) {
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Reads until EOF (or an error/timeout, which ends the string early).
std::string ReadToEof(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

TEST(ProxyTest, CarriesMebibytesBothWaysIntactThroughClientAndServerWithHalfClose) {
  TestCa ca(&RealClock::Instance());
  TestCa::Leaf server_leaf = ca.IssueDevice();
  TestCa::Leaf client_leaf = ca.IssueDevice();
  auto store = [&](Side side, const TestCa::Leaf& leaf) {
    CredentialInputs in;
    in.side = side;
    in.keystore_pem = Keystore(ca, leaf);
    in.cacert_pem = ca.RootPem();
    if (side == Side::kServer) {
      PeerRules rules;
      rules.allow_all = true;
      in.policy = std::make_shared<PeerPolicy>(*PeerPolicy::Create(std::move(rules)));
    }
    auto creds = Credentials::Build(std::move(in));
    EXPECT_TRUE(creds.ok()) << creds.status().ToString();
    auto s = std::make_shared<CredentialStore>();
    if (creds.ok()) s->Swap(*creds);
    return s;
  };

  // The backend: reads the request to EOF (the app's half-close, carried through both
  // tunnels), then answers and closes.
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in any = Loopback(0);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&any), sizeof(any)), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof(any);
  getsockname(listener, reinterpret_cast<sockaddr*>(&any), &len);
  const std::string request = Pattern(5 * 1024 * 1024 + 123, 1);
  const std::string response = Pattern(3 * 1024 * 1024 + 7, 2);
  std::string backend_got;
  std::thread backend([&] {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    SetTimeouts(fd);
    backend_got = ReadToEof(fd);
    SendAll(fd, response);
    close(fd);
  });

  Runtime runtime(1);
  auto server_metrics = std::make_shared<ListenerMetrics>();
  ListenerOptions server_options;
  server_options.side = Side::kServer;
  server_options.listen = "127.0.0.1:0";
  server_options.target = "127.0.0.1:" + std::to_string(ntohs(any.sin_port));
  auto server =
      runtime.AddListener(server_options, store(Side::kServer, server_leaf), server_metrics);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ListenerOptions client_options;
  client_options.side = Side::kClient;
  client_options.listen = "127.0.0.1:0";
  client_options.target = "127.0.0.1:" + std::to_string(runtime.port(*server));
  client_options.server_name = server_leaf.id.Name("wott.local");
  auto client = runtime.AddListener(client_options, store(Side::kClient, client_leaf),
                                    std::make_shared<ListenerMetrics>());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  runtime.Start();

  int app = socket(AF_INET, SOCK_STREAM, 0);
  SetTimeouts(app);
  sockaddr_in to = Loopback(runtime.port(*client));
  ASSERT_EQ(connect(app, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  EXPECT_TRUE(SendAll(app, request));
  shutdown(app, SHUT_WR);
  std::string app_got = ReadToEof(app);
  close(app);
  backend.join();
  close(listener);
  runtime.Stop();

  // Compared by size first, so a failure does not print megabytes.
  ASSERT_EQ(backend_got.size(), request.size());
  EXPECT_TRUE(backend_got == request);
  ASSERT_EQ(app_got.size(), response.size());
  EXPECT_TRUE(app_got == response);
  EXPECT_EQ(server_metrics->accepted(), 1u);
}

}  // namespace
}  // namespace wott::tunnel
