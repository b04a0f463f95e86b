#include "pki/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using wott::testing::TestCa;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1795770967);

class VerifyTest : public ::testing::Test {
 protected:
  std::vector<Certificate> Intermediates(const TestCa& ca) {
    std::vector<Certificate> v;
    v.push_back(ossl::UpRef(ca.intermediate()));
    return v;
  }
  FakeClock clock_{kNow};
  TestCa ca_{&clock_};
  std::shared_ptr<const TrustStore> trust_ = *TrustStore::FromPem(ca_.RootPem());
};

TEST_F(VerifyTest, AcceptsDeviceForBothPurposes) {
  TestCa::Leaf leaf = ca_.IssueDevice();
  EXPECT_TRUE(VerifyCertificate(*trust_, leaf.cert.get(), Intermediates(ca_), Purpose::kClientAuth,
                                kNow).ok());
  EXPECT_TRUE(VerifyCertificate(*trust_, leaf.cert.get(), Intermediates(ca_), Purpose::kServerAuth,
                                kNow).ok());
}

TEST_F(VerifyTest, RefusesExpiredAndNotYetValid) {
  TestCa::Leaf leaf = ca_.IssueDevice();
  Status expired = VerifyCertificate(*trust_, leaf.cert.get(), Intermediates(ca_),
                                     Purpose::kClientAuth, kNow + std::chrono::days(8));
  EXPECT_EQ(expired.code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(expired.message(), HasSubstr("expired"));
  Status early = VerifyCertificate(*trust_, leaf.cert.get(), Intermediates(ca_),
                                   Purpose::kClientAuth, kNow - std::chrono::minutes(5));
  EXPECT_THAT(early.message(), HasSubstr("not yet valid"));
  // The one-minute backdate tolerates small skew.
  EXPECT_TRUE(VerifyCertificate(*trust_, leaf.cert.get(), Intermediates(ca_), Purpose::kClientAuth,
                                kNow - std::chrono::seconds(30)).ok());
}

TEST_F(VerifyTest, RefusesForeignCaAndMissingIntermediate) {
  TestCa other(&clock_);
  TestCa::Leaf foreign = other.IssueDevice();
  Status s = VerifyCertificate(*trust_, foreign.cert.get(), Intermediates(other),
                               Purpose::kClientAuth, kNow);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  TestCa::Leaf leaf = ca_.IssueDevice();
  EXPECT_FALSE(VerifyCertificate(*trust_, leaf.cert.get(), {}, Purpose::kClientAuth, kNow).ok());
  EXPECT_FALSE(VerifyCertificate(*trust_, nullptr, {}, Purpose::kClientAuth, kNow).ok());
}

TEST_F(VerifyTest, RefusesServerOnlyCertificateForClientAuth) {
  PrivateKey key = *GenerateKey(KeyType::kP256);
  Certificate server = *ca_.issuer().IssueServerTls(key.get(), {"localhost"});
  EXPECT_TRUE(VerifyCertificate(*trust_, server.get(), Intermediates(ca_), Purpose::kServerAuth,
                                kNow).ok());
  Status s = VerifyCertificate(*trust_, server.get(), Intermediates(ca_), Purpose::kClientAuth,
                               kNow);
  EXPECT_THAT(s.message(), HasSubstr("unsuitable certificate purpose"));
}

TEST_F(VerifyTest, BundleMustHoldOnlyCas) {
  TestCa::Leaf leaf = ca_.IssueDevice();
  EXPECT_EQ(TrustStore::FromPem(*CertificateToPem(leaf.cert.get())).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(TrustStore::FromPem("not pem").ok());
  EXPECT_TRUE(TrustStore::FromPem(ca_.RootPem() + ca_.IntermediatePem()).ok());
}

}  // namespace
}  // namespace wott::pki
