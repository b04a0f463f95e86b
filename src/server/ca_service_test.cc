#include "server/ca_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/csr.h"
#include "pki/verify.h"
#include "server/testing/ca_service_fixture.h"
#include "tests/support/test_ca.h"

namespace wott::server {
namespace {

using std::chrono::days;
using std::chrono::hours;
using ::testing::HasSubstr;

const TimePoint kStart = testing::kFixtureStart;

class CaServiceTest : public testing::CaServiceFixture {
 protected:
  // Creates an enrollment token and returns its secret.
  std::string MakeToken(int64_t uses = 1, Duration ttl = hours(24), store::Tags tags = {}) {
    std::string secret = "token-" + std::to_string(next_token_++);
    store::NewEnrollmentToken t;
    t.id = "t" + std::to_string(next_token_);
    t.token_hash = CaService::HashToken(secret);
    t.max_uses = uses;
    t.expires_at = clock_.Now() + ttl;
    t.tags = std::move(tags);
    t.created_by = "test";
    EXPECT_TRUE(store_->CreateEnrollmentToken(t, clock_.Now()).ok());
    return secret;
  }

  pki::Certificate Leaf(const IssuedCertificate& issued) {
    return std::move((*pki::ParseCertificateChainPem(issued.certificate_chain))[0]);
  }

  Result<IssuedCertificate> Enroll(const std::string& token) {
    return service_->Enroll({.token = token, .csr = NewCsr(), .hostname = "pi", .os = "Debian"});
  }

  int next_token_ = 0;
};

TEST_F(CaServiceTest, EnrollIssuesAVerifiableDeviceCertificate) {
  std::string token = MakeToken(1, hours(24), {{"site", "paris"}});
  Result<IssuedCertificate> issued = Enroll(token);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_THAT(issued->device_name, ::testing::MatchesRegex("[0-9a-f]{32}\\.d\\.wott\\.local"));
  EXPECT_EQ(issued->not_after, kStart + days(7));
  EXPECT_EQ(issued->renew_after - issued->not_before,
            std::chrono::seconds((7 * 86400 + 60) * 2 / 3));
  EXPECT_EQ(issued->recovery_token.size(), 64u);

  pki::Certificate leaf = Leaf(*issued);
  auto trust = *pki::TrustStore::FromPem(issued->ca_bundle);
  std::vector<pki::Certificate> chain;
  chain.push_back(std::move((*pki::ParseCertificateChainPem(issued->certificate_chain))[1]));
  EXPECT_TRUE(
      pki::VerifyCertificate(*trust, leaf.get(), chain, pki::Purpose::kClientAuth, kStart).ok());

  store::DeviceRecord device = *store_->GetDevice(issued->device_hex);
  EXPECT_EQ(device.name, issued->device_name);
  EXPECT_EQ(device.tags.at("site"), "paris");
  EXPECT_EQ(device.metadata.at("hostname"), "pi");
  EXPECT_EQ(device.current_serial, issued->serial);
}

TEST_F(CaServiceTest, EnrollRefusesBadTokens) {
  EXPECT_EQ(Enroll("").status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Enroll("no-such-token").status().code(), StatusCode::kUnauthenticated);
  std::string once = MakeToken(1);
  ASSERT_TRUE(Enroll(once).ok());
  EXPECT_EQ(Enroll(once).status().code(), StatusCode::kPermissionDenied);
  std::string short_lived = MakeToken(5, hours(1));
  clock_.Advance(hours(2));
  EXPECT_EQ(Enroll(short_lived).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(CaServiceTest, BadCsrDoesNotConsumeTheToken) {
  std::string token = MakeToken(1);
  Result<IssuedCertificate> r =
      service_->Enroll({.token = token, .csr = "garbage", .hostname = "", .os = ""});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("csr"));
  EXPECT_TRUE(Enroll(token).ok());
}

TEST_F(CaServiceTest, SingleUseTokenRacedByManyThreadsIssuesOnce) {
  std::string token = MakeToken(1);
  std::vector<std::string> csrs;
  for (int i = 0; i < 50; ++i) csrs.push_back(NewCsr());
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      Result<IssuedCertificate> r =
          service_->Enroll({.token = token, .csr = csrs[i], .hostname = "", .os = ""});
      (r.ok() ? ok : refused)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(refused.load(), 49);
  EXPECT_EQ(store_->CountDevicesByStatus()->active, 1);
}

TEST_F(CaServiceTest, RenewKeepsTheIdentityWithANewSerial) {
  IssuedCertificate first = *Enroll(MakeToken());
  clock_.Advance(days(5));
  Result<IssuedCertificate> renewed = service_->Renew(Leaf(first).get(), NewCsr());
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->device_name, first.device_name);
  EXPECT_NE(renewed->serial, first.serial);
  EXPECT_NE(renewed->recovery_token, first.recovery_token);
  EXPECT_EQ(store_->GetDevice(first.device_hex)->current_serial, renewed->serial);
}

TEST_F(CaServiceTest, RenewRefusedForRevokedDeletedAndForeign) {
  IssuedCertificate a = *Enroll(MakeToken());
  ASSERT_TRUE(store_
                  ->RevokeDevice(a.device_hex, store::RevocationReason::kKeyCompromise, "test",
                                 clock_.Now())
                  .ok());
  EXPECT_EQ(service_->Renew(Leaf(a).get(), NewCsr()).status().code(),
            StatusCode::kPermissionDenied);

  IssuedCertificate b = *Enroll(MakeToken());
  ASSERT_TRUE(store_->DeleteDevice(b.device_hex, "test", clock_.Now()).ok());
  EXPECT_EQ(service_->Renew(Leaf(b).get(), NewCsr()).status().code(),
            StatusCode::kPermissionDenied);

  wott::testing::TestCa foreign(&clock_);
  EXPECT_EQ(service_->Renew(foreign.IssueDevice().cert.get(), NewCsr()).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->Renew(nullptr, NewCsr()).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(CaServiceTest, ServerCertificateIsNotADeviceIdentity) {
  pki::PrivateKey key = *pki::GenerateKey(pki::KeyType::kP256);
  pki::Certificate server = *service_->issuer().IssueServerTls(key.get(), {"localhost"});
  EXPECT_EQ(service_->DeviceOf(server.get()).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(CaServiceTest, RecoverWithinGraceRotatesTheToken) {
  IssuedCertificate first = *Enroll(MakeToken());
  std::string expired_pem = *pki::CertificateToPem(Leaf(first).get());
  clock_.Advance(days(7) + days(10));
  Result<IssuedCertificate> recovered = service_->Recover({.recovery_token = first.recovery_token,
                                                           .csr = NewCsr(),
                                                           .expired_certificate = expired_pem});
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->device_name, first.device_name);
  // The used token is now the previous one: while the recovered certificate is valid it
  // cannot recover again (renew instead).
  EXPECT_EQ(service_
                ->Recover({.recovery_token = first.recovery_token,
                           .csr = NewCsr(),
                           .expired_certificate = expired_pem})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
}

// The agent killed after a renewal's answer but before installing it keeps the old
// certificate and the old (now previous) token; once the new certificate expired too, that
// pair recovers. A token two rotations old, or a certificate two generations old, does not.
TEST_F(CaServiceTest, RecoverWithThePreviousTokenAndTheCertificateItCameWith) {
  IssuedCertificate first = *Enroll(MakeToken());
  std::string first_pem = *pki::CertificateToPem(Leaf(first).get());
  clock_.Advance(days(1));
  Result<IssuedCertificate> second = service_->Renew(Leaf(first).get(), NewCsr());
  ASSERT_TRUE(second.ok()) << second.status();
  std::string second_pem = *pki::CertificateToPem(Leaf(*second).get());
  clock_.Advance(days(7) + days(1));  // both certificates expired
  auto recover = [&](const std::string& token, const std::string& pem) {
    return service_->Recover(
        {.recovery_token = token, .csr = NewCsr(), .expired_certificate = pem});
  };
  // The current token goes with the current certificate only.
  EXPECT_EQ(recover(second->recovery_token, first_pem).status().code(),
            StatusCode::kPermissionDenied);
  Result<IssuedCertificate> third = recover(first.recovery_token, first_pem);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->device_name, first.device_name);
  clock_.Advance(days(8));  // the recovered certificate expired as well
  // `first`'s token is two rotations old now; `second`'s is the previous one, which goes
  // with the current certificate or the one before it, not with `first`'s.
  EXPECT_EQ(recover(first.recovery_token, first_pem).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(recover(second->recovery_token, first_pem).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(service_->registry()
                  .RevokeCertificate(second->serial, store::RevocationReason::kKeyCompromise, "cli",
                                     clock_.Now())
                  .ok());
  EXPECT_EQ(recover(second->recovery_token, second_pem).status().code(),
            StatusCode::kPermissionDenied);  // a revoked certificate never recovers
  EXPECT_TRUE(recover(second->recovery_token, *pki::CertificateToPem(Leaf(*third).get())).ok());
}

TEST_F(CaServiceTest, RecoverRefusedPastGraceRevokedOrWithWrongInputs) {
  IssuedCertificate a = *Enroll(MakeToken());
  std::string a_pem = *pki::CertificateToPem(Leaf(a).get());
  IssuedCertificate b = *Enroll(MakeToken());
  std::string b_pem = *pki::CertificateToPem(Leaf(b).get());
  // Not expired yet: renew instead.
  EXPECT_EQ(service_->Recover({a.recovery_token, NewCsr(), a_pem}).status().code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(days(8));
  // Another device's certificate with a's token.
  EXPECT_EQ(service_->Recover({a.recovery_token, NewCsr(), b_pem}).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->Recover({"wrong", NewCsr(), a_pem}).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->Recover({a.recovery_token, NewCsr(), "junk"}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      store_->RevokeDevice(b.device_hex, store::RevocationReason::kUnspecified, "t", clock_.Now())
          .ok());
  EXPECT_FALSE(service_->Recover({b.recovery_token, NewCsr(), b_pem}).ok());
  clock_.Advance(days(31));
  EXPECT_EQ(service_->Recover({a.recovery_token, NewCsr(), a_pem}).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(CaServiceTest, CrlListsRevocationsAndIsCachedOtherwise) {
  IssuedCertificate a = *Enroll(MakeToken());
  std::string empty = *service_->CrlDer();
  EXPECT_EQ(*service_->CrlDer(), empty);  // unchanged registry: the same CRL
  ASSERT_TRUE(
      store_->RevokeDevice(a.device_hex, store::RevocationReason::kKeyCompromise, "t", clock_.Now())
          .ok());
  std::string der = *service_->CrlDer();
  EXPECT_NE(der, empty);
  pki::Crl crl = *pki::ParseCrlDer(der);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  ASSERT_EQ(sk_X509_REVOKED_num(revoked), 1);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(service_->intermediate())), 1);
  // Regenerated once half its validity has passed.
  clock_.Advance(hours(13));
  EXPECT_NE(*service_->CrlDer(), der);
}

}  // namespace
}  // namespace wott::server
