#include "agent/ca_pin.h"

#include <gtest/gtest.h>

#include "tests/support/test_ca.h"

namespace wott::agent {
namespace {

TEST(CaPinTest, AcceptsTheBundleHoldingThePinnedRoot) {
  FakeClock clock(RealClock::Instance().Now());
  testing::TestCa ca(&clock);
  const std::string fp = pki::Sha256Fingerprint(ca.root());
  EXPECT_TRUE(CheckPin(ca.RootPem(), fp).ok());
  EXPECT_TRUE(CheckPin(ca.RootPem() + ca.IntermediatePem(), fp).ok());
  Result<std::string> root_fp = RootFingerprint(ca.IntermediatePem() + ca.RootPem());
  ASSERT_TRUE(root_fp.ok()) << root_fp.status();
  EXPECT_EQ(*root_fp, fp);
}

TEST(CaPinTest, RefusesAnyOtherBundle) {
  FakeClock clock(RealClock::Instance().Now());
  testing::TestCa ca(&clock);
  testing::TestCa impostor(&clock);
  const std::string fp = pki::Sha256Fingerprint(ca.root());
  Status s = CheckPin(impostor.RootPem(), fp);
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(s.message().find("does not match the pinned fingerprint"), std::string::npos) << s;
  EXPECT_EQ(CheckPin("not pem", fp).code(), StatusCode::kInvalidArgument);
  // A device certificate with the pinned value is not a CA.
  testing::TestCa::Leaf leaf = ca.IssueDevice();
  std::string leaf_pem = *pki::CertificateToPem(leaf.cert.get());
  EXPECT_FALSE(CheckPin(leaf_pem, pki::Sha256Fingerprint(leaf.cert.get())).ok());
  EXPECT_FALSE(RootFingerprint(leaf_pem).ok());
}

}  // namespace
}  // namespace wott::agent
