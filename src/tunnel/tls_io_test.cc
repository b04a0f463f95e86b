#include "tunnel/tls_io.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pki/key.h"
#include "tests/support/test_ca.h"
#include "tunnel/credentials.h"

namespace wott::tunnel {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using wott::testing::TestCa;

std::string Keystore(const TestCa& ca, const TestCa::Leaf& leaf) {
  return *pki::CertificateToPem(leaf.cert.get()) + ca.IntermediatePem() +
         *pki::PrivateKeyToPem(leaf.key.get());
}

// A connected pair of non-blocking stream sockets, closed at the end.
struct SocketPair {
  SocketPair() {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    for (int f : fd) fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK);
  }
  ~SocketPair() {
    for (int f : fd) close(f);
  }
  int fd[2] = {-1, -1};
};

// Waits (bounded) until `fd` is ready for what `step` asks.
void WaitAsAsked(int fd, const TlsStep& step) {
  pollfd p{fd, static_cast<short>(step.kind == TlsStep::kWantWrite ? POLLOUT : POLLIN), 0};
  poll(&p, 1, 1000);
}

class TlsIoTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Credentials> Build(Side side, const TestCa::Leaf* leaf) {
    CredentialInputs in;
    in.side = side;
    in.keystore_pem = Keystore(ca_, leaf != nullptr ? *leaf : server_);
    in.cacert_pem = ca_.RootPem();
    auto c = Credentials::Build(std::move(in));
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return *c;
  }

  // Runs both handshakes over `pair`, stepping each side when its socket is ready. Returns
  // the server's final step.
  TlsStep HandshakeBoth(SSL* client, SSL* server, const SocketPair& pair) {
    TlsStep c{TlsStep::kWantWrite, 0, {}};
    TlsStep s{TlsStep::kWantRead, 0, {}};
    for (int i = 0; i < 200; ++i) {
      if (c.kind != TlsStep::kDone && c.kind != TlsStep::kError) c = HandshakeStep(client);
      if (s.kind != TlsStep::kDone && s.kind != TlsStep::kError) s = HandshakeStep(server);
      if (s.kind == TlsStep::kError || (s.kind == TlsStep::kDone && c.kind == TlsStep::kDone)) {
        break;
      }
      // Either side may be the one with something to read.
      pollfd p[2] = {{pair.fd[0], POLLIN, 0}, {pair.fd[1], POLLIN, 0}};
      poll(p, 2, 1000);
    }
    return s;
  }

  // Device A's client connection and a server connection attached to the two ends of
  // `pair`, handshaken. The credentials stay with them.
  struct Connected {
    std::shared_ptr<const Credentials> server_creds, client_creds;
    ossl::UniquePtr<SSL> server, client;
  };
  Connected Connect(const SocketPair& pair, PeerCheck* server_check) {
    Connected c;
    c.server_creds = Build(Side::kServer, nullptr);
    c.client_creds = Build(Side::kClient, &a_);
    auto server = c.server_creds->NewConnection(server_check);
    auto client = c.client_creds->NewConnection(nullptr);
    EXPECT_TRUE(server.ok() && client.ok());
    if (!server.ok() || !client.ok()) return c;
    c.server = std::move(*server);
    c.client = std::move(*client);
    SSL_set_accept_state(c.server.get());
    SSL_set_connect_state(c.client.get());
    EXPECT_TRUE(AttachToSocket(c.server.get(), pair.fd[1]).ok());
    EXPECT_TRUE(AttachToSocket(c.client.get(), pair.fd[0]).ok());
    // The client's handshake ends first in TLS 1.3; the server's needs its last flight.
    EXPECT_EQ(HandshakeBoth(c.client.get(), c.server.get(), pair).kind, TlsStep::kDone);
    return c;
  }

  TestCa ca_{&RealClock::Instance()};
  TestCa::Leaf server_ = ca_.IssueDevice();
  TestCa::Leaf a_ = ca_.IssueDevice();
};

TEST_F(TlsIoTest, CopiesOverTheSocketAndSeesAFinAsEof) {
  SocketPair pair;
  PeerCheck check;
  Connected c = Connect(pair, &check);
  ASSERT_FALSE(HasFailure());
  SSL* server = c.server.get();
  SSL* client = c.client.get();
  EXPECT_TRUE(check.saw_certificate);

  TlsStep w = WriteStep(client, "hello", 5);
  ASSERT_EQ(w.kind, TlsStep::kDone);
  EXPECT_EQ(w.bytes, 5u);
  char buffer[64];
  TlsStep r{TlsStep::kWantRead, 0, {}};
  for (int i = 0; i < 20 && r.kind == TlsStep::kWantRead; ++i) {
    WaitAsAsked(pair.fd[1], r);
    r = ReadStep(server, buffer, sizeof(buffer));
  }
  ASSERT_EQ(r.kind, TlsStep::kDone);
  EXPECT_EQ(std::string(buffer, r.bytes), "hello");
  EXPECT_FALSE(HasBufferedInput(server));

  // Nothing more to read yet: the server is told to wait, not that the stream ended.
  EXPECT_EQ(ReadStep(server, buffer, sizeof(buffer)).kind, TlsStep::kWantRead);
  shutdown(pair.fd[0], SHUT_WR);  // a FIN without close_notify (half-close)
  WaitAsAsked(pair.fd[1], r);
  EXPECT_EQ(ReadStep(server, buffer, sizeof(buffer)).kind, TlsStep::kEof);
}

TEST_F(TlsIoTest, ReadBatchTakesEveryRecordReceivedUpToTheBufferThenTheEof) {
  SocketPair pair;
  Connected c = Connect(pair, nullptr);
  ASSERT_FALSE(HasFailure());
  SSL* server = c.server.get();
  SSL* client = c.client.get();

  // 40 KiB: three records (16 + 16 + 8 KiB), all in the socket before the server reads.
  std::string sent(40 * 1024, '\0');
  for (size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>('a' + i % 26);
  size_t written = 0;
  for (int i = 0; i < 100 && written < sent.size(); ++i) {
    TlsStep w = WriteStep(client, sent.data() + written, sent.size() - written);
    ASSERT_NE(w.kind, TlsStep::kError) << w.error;
    written += w.bytes;
    if (w.kind != TlsStep::kDone) WaitAsAsked(pair.fd[0], w);
  }
  ASSERT_EQ(written, sent.size());
  std::string received(64 * 1024, '\0');
  WaitAsAsked(pair.fd[1], TlsStep{TlsStep::kWantRead, 0, {}});
  // A buffer smaller than what arrived: filled, and kDone says there may be more.
  TlsStep first = ReadBatch(server, received.data(), 10000);
  ASSERT_EQ(first.kind, TlsStep::kDone);
  ASSERT_EQ(first.bytes, 10000u);
  // The rest, three records' worth minus the first batch, in one call, then "wait".
  TlsStep rest = ReadBatch(server, received.data() + 10000, received.size() - 10000);
  EXPECT_EQ(rest.kind, TlsStep::kWantRead);
  ASSERT_EQ(rest.bytes, sent.size() - 10000);
  EXPECT_EQ(received.substr(0, sent.size()), sent);

  // Bytes and the end of the stream in one batch: the bytes are reported with the kEof.
  ASSERT_EQ(WriteStep(client, "tail", 4).kind, TlsStep::kDone);
  shutdown(pair.fd[0], SHUT_WR);
  WaitAsAsked(pair.fd[1], TlsStep{TlsStep::kWantRead, 0, {}});
  TlsStep last = ReadBatch(server, received.data(), received.size());
  EXPECT_EQ(last.kind, TlsStep::kEof);
  ASSERT_EQ(last.bytes, 4u);
  EXPECT_EQ(received.substr(0, 4), "tail");
}

TEST_F(TlsIoTest, AClientWithoutCertificateFailsTheServerHandshakeWithTheReason) {
  SocketPair pair;
  auto server_creds = Build(Side::kServer, nullptr);
  PeerCheck check;
  auto server = server_creds->NewConnection(&check);
  auto anon_ctx = ossl::Own(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_verify(anon_ctx.get(), SSL_VERIFY_NONE, nullptr);
  auto client = ossl::Own(SSL_new(anon_ctx.get()));
  ASSERT_TRUE(server.ok() && client);
  SSL_set_accept_state(server->get());
  SSL_set_connect_state(client.get());
  ASSERT_TRUE(AttachToSocket(server->get(), pair.fd[1]).ok());
  ASSERT_TRUE(AttachToSocket(client.get(), pair.fd[0]).ok());
  TlsStep s = HandshakeBoth(client.get(), server->get(), pair);
  EXPECT_EQ(s.kind, TlsStep::kError);
  EXPECT_THAT(s.error,
              AnyOf(HasSubstr("did not return a certificate"), HasSubstr("certificate required")));
  EXPECT_FALSE(check.saw_certificate);
}

TEST_F(TlsIoTest, AClosedPeerMidHandshakeIsAnError) {
  SocketPair pair;
  auto server_creds = Build(Side::kServer, nullptr);
  auto server = server_creds->NewConnection(nullptr);
  ASSERT_TRUE(server.ok());
  SSL_set_accept_state(server->get());
  ASSERT_TRUE(AttachToSocket(server->get(), pair.fd[1]).ok());
  EXPECT_EQ(HandshakeStep(server->get()).kind, TlsStep::kWantRead);
  ASSERT_EQ(write(pair.fd[0], "GET / HTTP/1.0\r\n\r\n", 18), 18);  // not TLS
  TlsStep s{TlsStep::kWantRead, 0, {}};
  for (int i = 0; i < 20 && s.kind == TlsStep::kWantRead; ++i) {
    WaitAsAsked(pair.fd[1], s);
    s = HandshakeStep(server->get());
  }
  EXPECT_EQ(s.kind, TlsStep::kError);
  EXPECT_FALSE(s.error.empty());
}

TEST(BufferPoolTest, ReusesReturnedBuffersAndKeepsAtMostMaxFree) {
  BufferPool pool(1024, 1);
  char* first = nullptr;
  {
    BufferPool::Handle a = pool.Borrow();
    BufferPool::Handle b = pool.Borrow();
    ASSERT_NE(a.data(), nullptr);
    ASSERT_NE(b.data(), nullptr);
    EXPECT_NE(a.data(), b.data());
    first = a.data();
    EXPECT_EQ(pool.free_count(), 0u);
    a.Release();
    EXPECT_EQ(a.data(), nullptr);
    EXPECT_EQ(pool.free_count(), 1u);
  }  // b comes back too, but the pool keeps only one
  EXPECT_EQ(pool.free_count(), 1u);
  BufferPool::Handle c = pool.Borrow();
  EXPECT_EQ(c.data(), first);
  EXPECT_EQ(pool.free_count(), 0u);
  BufferPool::Handle moved = std::move(c);
  EXPECT_EQ(moved.data(), first);
  EXPECT_EQ(pool.free_count(), 0u);
}

}  // namespace
}  // namespace wott::tunnel
