#include "tunnel/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "pki/crl.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "tests/support/test_ca.h"

// Designated initializers name only the rules a test uses.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wott::tunnel {
namespace {

using ::testing::HasSubstr;
using wott::testing::TestCa;

std::string Pem(X509* cert) { return *pki::CertificateToPem(cert); }

// combined.pem of a leaf: chain (leaf + intermediate) then key.
std::string Keystore(const TestCa& ca, const TestCa::Leaf& leaf) {
  return Pem(leaf.cert.get()) + ca.IntermediatePem() + *pki::PrivateKeyToPem(leaf.key.get());
}

std::shared_ptr<const Credentials> MustBuild(CredentialInputs in) {
  Result<std::shared_ptr<const Credentials>> c = Credentials::Build(std::move(in));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : nullptr;
}

// Runs a handshake over an in-memory BIO pair. True when both sides completed.
bool Handshake(SSL* client, SSL* server) {
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) return false;
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(server, server_bio, server_bio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  auto fatal = [](SSL* ssl, int rc) {
    int err = SSL_get_error(ssl, rc);
    return err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE;
  };
  for (int i = 0; i < 50; ++i) {
    int c = SSL_do_handshake(client);
    if (c != 1 && fatal(client, c)) return false;
    int s = SSL_do_handshake(server);
    if (s != 1 && fatal(server, s)) return false;
    if (c == 1 && s == 1) return true;
  }
  return false;
}

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialInputs ServerInputs(PeerRules rules) {
    CredentialInputs in;
    in.side = Side::kServer;
    in.keystore_pem = Keystore(ca_, server_);
    in.cacert_pem = ca_.RootPem();
    in.policy = std::make_shared<PeerPolicy>(*PeerPolicy::Create(std::move(rules)));
    return in;
  }
  std::shared_ptr<const Credentials> Client(const TestCa& ca, const TestCa::Leaf& leaf) {
    CredentialInputs in;
    in.side = Side::kClient;
    in.keystore_pem = Keystore(ca, leaf);
    in.cacert_pem = ca_.RootPem();
    return MustBuild(std::move(in));
  }
  // Connects `client` to `server`; returns the server's PeerCheck and the outcome.
  std::pair<bool, PeerCheck> Connect(const Credentials& server, const Credentials& client,
                                     std::string server_name = {}) {
    PeerCheck server_check;
    PeerCheck client_check;
    auto s = server.NewConnection(&server_check);
    auto c = client.NewConnection(&client_check, server_name);
    EXPECT_TRUE(s.ok() && c.ok());
    bool ok = Handshake(c->get(), s->get());
    return {ok, server_check};
  }

  TestCa ca_{&RealClock::Instance()};
  TestCa::Leaf server_ = ca_.IssueDevice();
  TestCa::Leaf a_ = ca_.IssueDevice();
  TestCa::Leaf b_ = ca_.IssueDevice();
};

TEST_F(CredentialsTest, BuildReportsTheLeaf) {
  auto creds = MustBuild(ServerInputs({.allow_all = true}));
  ASSERT_NE(creds, nullptr);
  EXPECT_EQ(creds->serial(), pki::SerialHex(server_.cert.get()));
  EXPECT_EQ(creds->common_name(), server_.id.Name("wott.local"));
  EXPECT_EQ(creds->not_after(), pki::NotAfter(server_.cert.get()));
}

TEST_F(CredentialsTest, RefusesBrokenKeystoreAndBundle) {
  CredentialInputs in = ServerInputs({.allow_all = true});
  in.keystore_pem = "garbage";
  EXPECT_THAT(Credentials::Build(in).status().message(), HasSubstr("keystore: no certificate"));
  in.keystore_pem = Pem(server_.cert.get());
  EXPECT_THAT(Credentials::Build(in).status().message(), HasSubstr("keystore: no private key"));
  // The key of another device.
  in.keystore_pem = Pem(server_.cert.get()) + *pki::PrivateKeyToPem(a_.key.get());
  EXPECT_THAT(Credentials::Build(in).status().message(), HasSubstr("does not match"));
  // A truncated file (as a crash mid-write would leave).
  std::string full = Keystore(ca_, server_);
  in.keystore_pem = full.substr(0, full.size() - 40);
  EXPECT_FALSE(Credentials::Build(in).ok());
  in = ServerInputs({.allow_all = true});
  in.cacert_pem = "not a bundle";
  EXPECT_THAT(Credentials::Build(in).status().message(), HasSubstr("CA bundle"));
}

TEST_F(CredentialsTest, LoadNamesAMissingFile) {
  Result<std::shared_ptr<const Credentials>> c =
      Credentials::Load(Side::kServer, "/nonexistent/combined.pem", "/nonexistent/ca.crt", nullptr,
                        CrlMode::kOff, "");
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), HasSubstr("/nonexistent/combined.pem"));
}

TEST_F(CredentialsTest, PolicyAllowsNamedDeviceAndRefusesOthers) {
  auto server = MustBuild(ServerInputs({.devices = {a_.id.hex()}}));
  auto [ok_a, check_a] = Connect(*server, *Client(ca_, a_));
  EXPECT_TRUE(ok_a);
  EXPECT_THAT(check_a.allow_reason, HasSubstr("allow-device"));
  auto [ok_b, check_b] = Connect(*server, *Client(ca_, b_));
  EXPECT_FALSE(ok_b);
  EXPECT_TRUE(check_b.policy_denied);
  EXPECT_EQ(check_b.peer.common_name, b_.id.Name("wott.local"));
}

TEST_F(CredentialsTest, RefusesForeignCaAndNoCertificate) {
  auto server = MustBuild(ServerInputs({.allow_all = true}));
  TestCa other(&RealClock::Instance());
  TestCa::Leaf foreign = other.IssueDevice();
  auto [ok, check] = Connect(*server, *Client(other, foreign));
  EXPECT_FALSE(ok);
  EXPECT_TRUE(check.saw_certificate);
  EXPECT_FALSE(check.policy_denied);
  EXPECT_THAT(check.deny_reason, HasSubstr("issuer"));

  // A client that sends no certificate at all.
  ossl::UniquePtr<SSL_CTX> bare = ossl::Own(SSL_CTX_new(TLS_client_method()));
  ASSERT_NE(bare, nullptr);
  SSL_CTX_set_verify(bare.get(), SSL_VERIFY_NONE, nullptr);
  ossl::UniquePtr<SSL> anonymous = ossl::Own(SSL_new(bare.get()));
  PeerCheck none;
  auto s = server->NewConnection(&none);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(Handshake(anonymous.get(), s->get()));
  EXPECT_FALSE(none.saw_certificate);
}

TEST_F(CredentialsTest, CrlRefusesRevokedPeerAndFailsClosedWithoutCrl) {
  pki::RevokedCertificate revoked{pki::SerialHex(b_.cert.get()), RealClock::Instance().Now()};
  pki::Crl crl = *pki::BuildCrl(ca_.issuer(), {revoked}, 1, std::chrono::hours(1));
  CredentialInputs in = ServerInputs({.allow_all = true});
  in.crl_mode = CrlMode::kRequired;
  in.crl_der = *pki::CrlToDer(crl.get());
  auto server = MustBuild(in);
  ASSERT_TRUE(server->crl_next_update().has_value());
  EXPECT_TRUE(Connect(*server, *Client(ca_, a_)).first);
  auto [ok_b, check_b] = Connect(*server, *Client(ca_, b_));
  EXPECT_FALSE(ok_b);
  EXPECT_THAT(check_b.deny_reason, HasSubstr("revoked"));

  in.crl_der.clear();
  auto no_crl = MustBuild(in);
  auto [ok_none, check_none] = Connect(*no_crl, *Client(ca_, a_));
  EXPECT_FALSE(ok_none);
  EXPECT_THAT(check_none.deny_reason, HasSubstr("CRL"));

  in.crl_mode = CrlMode::kOff;
  EXPECT_TRUE(Connect(*MustBuild(in), *Client(ca_, b_)).first);
}

TEST_F(CredentialsTest, AStaleCrlFailsClosedAndAFreshOneServes) {
  // A second view of the same CA three hours ago: its CRL (valid 1 h) is past nextUpdate now.
  FakeClock past(RealClock::Instance().Now() - std::chrono::hours(3));
  auto issuer = pki::Issuer::Create(ossl::UpRef(ca_.intermediate()),
                                    ossl::UpRef(ca_.issuer().key()), {}, &past);
  ASSERT_TRUE(issuer.ok()) << issuer.status().ToString();
  CredentialInputs in = ServerInputs({.allow_all = true});
  in.crl_mode = CrlMode::kRequired;
  in.crl_der = *pki::CrlToDer(pki::BuildCrl(*issuer, {}, 1, std::chrono::hours(1))->get());
  auto stale = MustBuild(in);
  auto [ok_stale, check_stale] = Connect(*stale, *Client(ca_, a_));
  EXPECT_FALSE(ok_stale);
  EXPECT_THAT(check_stale.deny_reason, HasSubstr("CRL has expired"));

  in.crl_der = *pki::CrlToDer(pki::BuildCrl(ca_.issuer(), {}, 2, std::chrono::hours(1))->get());
  EXPECT_TRUE(Connect(*MustBuild(in), *Client(ca_, a_)).first);
}

TEST_F(CredentialsTest, ClientChecksServerNameAndPolicy) {
  auto server = MustBuild(ServerInputs({.allow_all = true}));
  auto client = Client(ca_, a_);
  EXPECT_TRUE(Connect(*server, *client, server_.id.Name("wott.local")).first);
  EXPECT_FALSE(Connect(*server, *client, b_.id.Name("wott.local")).first);

  CredentialInputs in;
  in.side = Side::kClient;
  in.keystore_pem = Keystore(ca_, a_);
  in.cacert_pem = ca_.RootPem();
  in.policy = std::make_shared<PeerPolicy>(*PeerPolicy::Create({.devices = {b_.id.hex()}}));
  EXPECT_FALSE(Connect(*server, *MustBuild(in), server_.id.Name("wott.local")).first);
  in.policy = std::make_shared<PeerPolicy>(*PeerPolicy::Create({.devices = {server_.id.hex()}}));
  EXPECT_TRUE(Connect(*server, *MustBuild(in), server_.id.Name("wott.local")).first);
}

TEST_F(CredentialsTest, StoreSwapsSnapshots) {
  CredentialStore store;
  EXPECT_EQ(store.Current(), nullptr);
  auto first = MustBuild(ServerInputs({.allow_all = true}));
  store.Swap(first);
  auto held = store.Current();
  auto second = MustBuild(ServerInputs({.allow_all = true}));
  store.Swap(second);
  EXPECT_EQ(store.Current(), second);
  EXPECT_EQ(held, first);  // an open connection keeps its snapshot
}

TEST(CrlNextUpdateTest, RefusesGarbage) { EXPECT_FALSE(CrlNextUpdate("nope").ok()); }

}  // namespace
}  // namespace wott::tunnel
