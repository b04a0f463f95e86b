#include "ossl/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wott::ossl {
namespace {

namespace fs = std::filesystem;

// Throwaway PKI made with the openssl CLI: root -> intermediate -> {server, client}, and
// a foreign root -> foreign client. All keys are ECDSA P-256.
constexpr const char* kMakePki = R"(set -e
ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
ca="-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
sign() { openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -set_serial $3 -days 2 \
  -copy_extensions copy -out $1.crt; }
openssl req -x509 $ec -keyout root.key -out root.crt -subj "/CN=Test Root" -days 2 $ca
openssl req -new $ec -keyout int.key -out int.csr -subj "/CN=Test Intermediate" $ca
sign int root 2
openssl req -new $ec -keyout server.key -out server.csr -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -addext extendedKeyUsage=serverAuth
sign server int 3
openssl req -new $ec -keyout client.key -out client.csr -subj /CN=device-1 \
  -addext extendedKeyUsage=clientAuth
sign client int 4
openssl req -x509 $ec -keyout foreign.key -out foreign.crt -subj "/CN=Foreign Root" -days 2 $ca
openssl req -new $ec -keyout fclient.key -out fclient.csr -subj /CN=device-1 \
  -addext extendedKeyUsage=clientAuth
sign fclient foreign 5
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:secret \
  -out encrypted.key
cat server.crt int.crt > server-chain.pem
cat client.crt int.crt > client-chain.pem
cat server.crt int.crt server.key > combined.pem
)";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TlsContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/wott-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new fs::path(tmpl);
    fs::path script = *dir_ / "make.sh";
    std::ofstream(script) << kMakePki;
    std::string cmd = "cd " + dir_->string() + " && sh make.sh >log.txt 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << Slurp(*dir_ / "log.txt");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string Pem(const char* name) { return Slurp(*dir_ / name); }
  static fs::path Path(const char* name) { return *dir_ / name; }

  // A server with the real chain; client certificates optional, trusted from root.
  static TlsContextOptions ServerOptions() {
    TlsContextOptions o;
    o.certificate_chain_pem = Pem("server-chain.pem");
    o.private_key_pem = Pem("server.key");
    o.trust_anchors_pem = Pem("root.crt");
    o.peer_verification = PeerVerification::kOptional;
    return o;
  }
  static TlsContextOptions ClientOptions(const char* anchors = "root.crt") {
    TlsContextOptions o;
    o.role = TlsRole::kClient;
    o.trust_anchors_pem = Pem(anchors);
    return o;
  }

  static fs::path* dir_;
};
fs::path* TlsContextTest::dir_ = nullptr;

UniquePtr<SSL_CTX> MustBuild(const TlsContextOptions& o) {
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  EXPECT_TRUE(ctx.ok()) << ctx.status();
  return ctx.ok() ? std::move(ctx).value() : nullptr;
}

// Two ends of an in-memory handshake.
struct Connection {
  UniquePtr<SSL> client;
  UniquePtr<SSL> server;
};

Connection Connect(SSL_CTX* client_ctx, SSL_CTX* server_ctx) {
  Connection c{std::move(NewConnection(client_ctx)).value(),
               std::move(NewConnection(server_ctx)).value()};
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(c.client.get(), client_bio, client_bio);  // takes ownership
  SSL_set_bio(c.server.get(), server_bio, server_bio);
  SSL_set_connect_state(c.client.get());
  SSL_set_accept_state(c.server.get());
  return c;
}

// Drives both ends; true when both completed. A TLS 1.3 client finishes before the server
// has checked its certificate, so a refusal shows up on the server only.
bool Handshake(Connection& c) {
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; round < 10 && !(client_done && server_done); ++round) {
    if (!client_done) {
      int rc = SSL_do_handshake(c.client.get());
      if (rc == 1) {
        client_done = true;
      } else if (SSL_get_error(c.client.get(), rc) != SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        return false;
      }
    }
    if (!server_done) {
      int rs = SSL_do_handshake(c.server.get());
      if (rs == 1) {
        server_done = true;
      } else if (SSL_get_error(c.server.get(), rs) != SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        return false;
      }
    }
  }
  return client_done && server_done;
}

TEST_F(TlsContextTest, PolicyAllowsOnlyAeadEcdheSuitesOnTls12) {
  UniquePtr<SSL_CTX> ctx = MustBuild(ServerOptions());
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  int tls12 = 0;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    if (SSL_CIPHER_get_kx_nid(c) == NID_kx_any) continue;  // TLS 1.3 defaults
    ++tls12;
    EXPECT_EQ(SSL_CIPHER_is_aead(c), 1) << SSL_CIPHER_get_name(c);
    EXPECT_EQ(SSL_CIPHER_get_kx_nid(c), NID_kx_ecdhe) << SSL_CIPHER_get_name(c);
  }
  EXPECT_EQ(tls12, 6);
}

TEST_F(TlsContextTest, OpenSslDefaultsWouldIncludeCbcSuites) {
  // The check above can fail: OpenSSL's own default list has non-AEAD suites.
  UniquePtr<SSL_CTX> ctx = Own(SSL_CTX_new(TLS_server_method()));
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  bool has_cbc = false;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    if (SSL_CIPHER_is_aead(sk_SSL_CIPHER_value(ciphers, i)) == 0) has_cbc = true;
  }
  EXPECT_TRUE(has_cbc);
}

TEST_F(TlsContextTest, LoadsChainKeyAndAnchorsFromFiles) {
  TlsContextOptions o;
  o.certificate_chain_file = Path("server-chain.pem");
  o.private_key_file = Path("server.key");
  o.trust_anchors_file = Path("root.crt");
  UniquePtr<SSL_CTX> ctx = MustBuild(o);
  ASSERT_NE(ctx, nullptr);
  STACK_OF(X509)* extra = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs(ctx.get(), &extra), 1);
  EXPECT_EQ(sk_X509_num(extra), 1);  // the intermediate
  EXPECT_EQ(SubjectCommonName(SSL_CTX_get0_certificate(ctx.get())), "localhost");
}

TEST_F(TlsContextTest, AcceptsCombinedPemForChainAndKey) {
  TlsContextOptions o = ServerOptions();
  o.certificate_chain_pem = Pem("combined.pem");
  o.private_key_pem = Pem("combined.pem");
  EXPECT_NE(MustBuild(o), nullptr);
}

TEST_F(TlsContextTest, RejectsKeyThatDoesNotMatchCertificate) {
  TlsContextOptions o = ServerOptions();
  o.private_key_pem = Pem("other.key");
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ctx.status().message(), "the private key does not match the certificate");
  EXPECT_EQ(ERR_peek_error(), 0u) << "error queue left dirty";
}

TEST_F(TlsContextTest, RejectsChainWithoutCertificate) {
  TlsContextOptions o = ServerOptions();
  o.certificate_chain_pem = Pem("server.key");
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(), "no certificate found in the certificate chain");
}

TEST_F(TlsContextTest, RejectsMalformedPem) {
  TlsContextOptions o = ServerOptions();
  std::string pem = Pem("server.crt");
  pem[pem.size() / 2] = '*';  // not base64
  o.certificate_chain_pem = pem;
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(), "malformed PEM in the certificate chain");
  EXPECT_FALSE(ctx.status().detail().empty());
}

TEST_F(TlsContextTest, RejectsGarbageKey) {
  TlsContextOptions o = ServerOptions();
  o.private_key_pem = "not a key";
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(), "no private key found in the private key PEM");
  std::string pem = Pem("server.key");
  pem[pem.size() / 2] = '*';
  o.private_key_pem = pem;
  ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(), "malformed private key PEM");
  EXPECT_EQ(ERR_peek_error(), 0u) << "error queue left dirty";
}

TEST_F(TlsContextTest, RejectsEncryptedKeyWithoutPrompting) {
  TlsContextOptions o = ServerOptions();
  o.private_key_pem = Pem("encrypted.key");
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("encrypted"), std::string::npos);
}

TEST_F(TlsContextTest, RejectsMissingFile) {
  TlsContextOptions o = ServerOptions();
  o.certificate_chain_pem.clear();
  o.certificate_chain_file = Path("nope.pem");
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ctx.status().message().rfind("certificate chain: ", 0), 0u) << ctx.status().message();
}

TEST_F(TlsContextTest, RejectsBothTextAndFile) {
  TlsContextOptions o = ServerOptions();
  o.private_key_file = Path("server.key");
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("not both"), std::string::npos);
}

TEST_F(TlsContextTest, ServerNeedsCertificateAndKey) {
  TlsContextOptions o = ServerOptions();
  o.certificate_chain_pem.clear();
  o.private_key_pem.clear();
  EXPECT_FALSE(BuildTlsContext(o).ok());
  o.certificate_chain_pem = Pem("server.crt");
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.status().message(), "a certificate was given without its private key");
}

TEST_F(TlsContextTest, VerificationNeedsTrustAnchors) {
  TlsContextOptions o = ClientOptions();
  o.trust_anchors_pem.clear();
  Result<UniquePtr<SSL_CTX>> ctx = BuildTlsContext(o);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("trust anchors"), std::string::npos);
  o.peer_verification = PeerVerification::kNone;
  EXPECT_NE(MustBuild(o), nullptr);
}

TEST_F(TlsContextTest, VerifyModesAndAdvertisedCaNames) {
  TlsContextOptions o = ServerOptions();
  UniquePtr<SSL_CTX> optional = MustBuild(o);
  EXPECT_EQ(SSL_CTX_get_verify_mode(optional.get()), SSL_VERIFY_PEER);
  EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(optional.get())), 1);

  o.peer_verification = PeerVerification::kRequired;
  o.advertise_ca_names = false;
  UniquePtr<SSL_CTX> required = MustBuild(o);
  EXPECT_EQ(SSL_CTX_get_verify_mode(required.get()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(required.get())), 0);

  o.peer_verification = PeerVerification::kNone;
  EXPECT_EQ(SSL_CTX_get_verify_mode(MustBuild(o).get()), SSL_VERIFY_NONE);
}

TEST_F(TlsContextTest, SessionResumptionCanBeTurnedOff) {
  TlsContextOptions o = ServerOptions();
  EXPECT_NE(SSL_CTX_get_session_cache_mode(MustBuild(o).get()), SSL_SESS_CACHE_OFF);
  o.session_resumption = false;
  UniquePtr<SSL_CTX> ctx = MustBuild(o);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(ctx.get()), SSL_SESS_CACHE_OFF);
  EXPECT_EQ(SSL_CTX_get_num_tickets(ctx.get()), 0u);
}

TEST_F(TlsContextTest, ClientVerifiesServerChainAndName) {
  UniquePtr<SSL_CTX> server = MustBuild(ServerOptions());
  UniquePtr<SSL_CTX> client = MustBuild(ClientOptions());
  Connection c = Connect(client.get(), server.get());
  ASSERT_TRUE(SetExpectedPeerName(c.client.get(), "localhost").ok());
  ASSERT_TRUE(Handshake(c));
  EXPECT_EQ(ProtocolVersion(c.client.get()), "TLSv1.3");
  std::vector<UniquePtr<X509>> chain = VerifiedPeerChain(c.client.get());
  ASSERT_EQ(chain.size(), 3u);  // leaf, intermediate, root
  EXPECT_EQ(SubjectCommonName(chain[0].get()), "localhost");
  EXPECT_EQ(SubjectCommonName(chain[2].get()), "Test Root");
  EXPECT_TRUE(VerifiedPeerChain(c.server.get()).empty()) << "client sent no certificate";
}

TEST_F(TlsContextTest, ClientChecksIpAddressSan) {
  UniquePtr<SSL_CTX> server = MustBuild(ServerOptions());
  UniquePtr<SSL_CTX> client = MustBuild(ClientOptions());
  Connection ok = Connect(client.get(), server.get());
  ASSERT_TRUE(SetExpectedPeerName(ok.client.get(), "127.0.0.1").ok());
  EXPECT_TRUE(Handshake(ok));
  Connection bad = Connect(client.get(), server.get());
  ASSERT_TRUE(SetExpectedPeerName(bad.client.get(), "127.0.0.2").ok());
  EXPECT_FALSE(Handshake(bad));
  EXPECT_EQ(VerifyFailureReason(bad.client.get()), "IP address mismatch");
}

TEST_F(TlsContextTest, ClientRejectsWrongHostName) {
  UniquePtr<SSL_CTX> server = MustBuild(ServerOptions());
  UniquePtr<SSL_CTX> client = MustBuild(ClientOptions());
  Connection c = Connect(client.get(), server.get());
  ASSERT_TRUE(SetExpectedPeerName(c.client.get(), "other.example").ok());
  EXPECT_FALSE(Handshake(c));
  EXPECT_EQ(VerifyFailureReason(c.client.get()), "hostname mismatch");
  EXPECT_TRUE(VerifiedPeerChain(c.client.get()).empty());
  EXPECT_FALSE(SetExpectedPeerName(c.client.get(), "").ok());
}

TEST_F(TlsContextTest, ClientRejectsServerFromUntrustedCa) {
  UniquePtr<SSL_CTX> server = MustBuild(ServerOptions());
  UniquePtr<SSL_CTX> client = MustBuild(ClientOptions("foreign.crt"));
  Connection c = Connect(client.get(), server.get());
  EXPECT_FALSE(Handshake(c));
  EXPECT_EQ(VerifyFailureReason(c.client.get()), "unable to get local issuer certificate");
}

TEST_F(TlsContextTest, ServerSeesVerifiedClientCertificate) {
  UniquePtr<SSL_CTX> server = MustBuild(ServerOptions());
  TlsContextOptions co = ClientOptions();
  co.certificate_chain_pem = Pem("client-chain.pem");
  co.private_key_pem = Pem("client.key");
  UniquePtr<SSL_CTX> client = MustBuild(co);
  Connection c = Connect(client.get(), server.get());
  ASSERT_TRUE(Handshake(c));
  std::vector<UniquePtr<X509>> chain = VerifiedPeerChain(c.server.get());
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(SubjectCommonName(chain[0].get()), "device-1");
}

TEST_F(TlsContextTest, ServerRefusesClientCertificateFromForeignCa) {
  UniquePtr<SSL_CTX> server = MustBuild(ServerOptions());
  TlsContextOptions co = ClientOptions();
  co.certificate_chain_pem = Pem("fclient.crt");
  co.private_key_pem = Pem("fclient.key");
  UniquePtr<SSL_CTX> client = MustBuild(co);
  Connection c = Connect(client.get(), server.get());
  EXPECT_FALSE(Handshake(c));
  EXPECT_NE(VerifyFailureReason(c.server.get()), "");
  EXPECT_TRUE(VerifiedPeerChain(c.server.get()).empty());
}

TEST_F(TlsContextTest, RequiredModeRefusesClientWithoutCertificate) {
  TlsContextOptions so = ServerOptions();
  so.peer_verification = PeerVerification::kRequired;
  UniquePtr<SSL_CTX> server = MustBuild(so);
  UniquePtr<SSL_CTX> client = MustBuild(ClientOptions());
  Connection c = Connect(client.get(), server.get());
  EXPECT_FALSE(Handshake(c));
  // The same client completes against the optional-mode server.
  UniquePtr<SSL_CTX> optional = MustBuild(ServerOptions());
  Connection d = Connect(client.get(), optional.get());
  EXPECT_TRUE(Handshake(d));
}

}  // namespace
}  // namespace wott::ossl
