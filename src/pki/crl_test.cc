#include "pki/crl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pki/verify.h"
#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using wott::testing::RunCommand;
using wott::testing::TempDir;
using wott::testing::TestCa;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1795770967);

TEST(RevocationReasonTest, NamesRoundTrip) {
  for (auto reason : {RevocationReason::kUnspecified, RevocationReason::kKeyCompromise,
                      RevocationReason::kSuperseded, RevocationReason::kCessationOfOperation,
                      RevocationReason::kPrivilegeWithdrawn}) {
    EXPECT_EQ(*ParseRevocationReason(RevocationReasonName(reason)), reason);
  }
  EXPECT_EQ(*ParseRevocationReason("keyCompromise"), RevocationReason::kKeyCompromise);
  Result<RevocationReason> bad = ParseRevocationReason("stolen");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("key_compromise"));
}

class CrlTest : public ::testing::Test {
 protected:
  FakeClock clock_{kNow};
  TestCa ca_{&clock_};
  TempDir tmp_;
};

TEST_F(CrlTest, VerifiesWithOpensslAndListsEntries) {
  TestCa::Leaf a = ca_.IssueDevice();
  TestCa::Leaf b = ca_.IssueDevice();
  std::vector<RevokedCertificate> revoked = {
      {SerialHex(a.cert.get()), kNow - std::chrono::hours(1), RevocationReason::kKeyCompromise},
      {SerialHex(b.cert.get()), kNow, RevocationReason::kUnspecified},
  };
  Result<Crl> crl = BuildCrl(ca_.issuer(), revoked, 42, std::chrono::hours(24));
  ASSERT_TRUE(crl.ok()) << crl.status();
  auto crl_path = tmp_.Write("crl.der", *CrlToDer(crl->get()));
  auto chain = tmp_.Write("chain.pem", ca_.IntermediatePem() + ca_.RootPem());
  auto r = RunCommand("openssl crl -inform DER -in " + crl_path.string() + " -CAfile " +
                      chain.string() + " -noout -text");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("verify OK"));
  EXPECT_THAT(r.output, HasSubstr("X509v3 CRL Number: \n                42"));
  EXPECT_THAT(r.output, HasSubstr("Key Compromise"));
  EXPECT_THAT(r.output, HasSubstr("Next Update: Nov 28"));
  std::string upper_a = SerialHex(a.cert.get()), upper_b = SerialHex(b.cert.get());
  for (auto* s : {&upper_a, &upper_b}) {
    for (char& c : *s) c = static_cast<char>(toupper(c));
    EXPECT_THAT(r.output, HasSubstr("Serial Number: " + *s));
  }
}

TEST_F(CrlTest, RevokedLeafFailsVerificationOthersPass) {
  TestCa::Leaf revoked = ca_.IssueDevice();
  TestCa::Leaf good = ca_.IssueDevice();
  Crl crl = *BuildCrl(ca_.issuer(),
                      {{SerialHex(revoked.cert.get()), kNow, RevocationReason::kSuperseded}}, 1,
                      std::chrono::hours(24));
  // CRL checking covers the leaf; the intermediate needs no CRL from the root here, so only
  // check the leaf level (X509_V_FLAG_CRL_CHECK).
  std::vector<Crl> crls;
  crls.push_back(std::move(crl));
  auto trust = *TrustStore::FromPemWithCrls(ca_.RootPem(), std::move(crls));
  std::vector<Certificate> inter;
  inter.push_back(ossl::UpRef(ca_.intermediate()));
  Status bad = VerifyCertificate(*trust, revoked.cert.get(), inter, Purpose::kClientAuth, kNow);
  EXPECT_EQ(bad.code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(bad.message(), HasSubstr("revoked"));
  EXPECT_TRUE(VerifyCertificate(*trust, good.cert.get(), inter, Purpose::kClientAuth, kNow).ok());
}

TEST_F(CrlTest, EmptyCrlIsValid) {
  Result<Crl> crl = BuildCrl(ca_.issuer(), {}, 1, std::chrono::hours(1));
  ASSERT_TRUE(crl.ok());
  Result<Crl> parsed = ParseCrlDer(*CrlToDer(crl->get()));
  ASSERT_TRUE(parsed.ok());
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(parsed->get());
  EXPECT_TRUE(entries == nullptr || sk_X509_REVOKED_num(entries) == 0);
  EXPECT_TRUE(ParseCrlPem(*CrlToPem(crl->get())).ok());
}

TEST_F(CrlTest, RefusesMalformedSerials) {
  for (const char* serial : {"", "xyz", "ABC", "-1", "0123456789012345678901234567890123456789ab"}) {
    Result<Crl> crl = BuildCrl(ca_.issuer(), {{serial, kNow, RevocationReason::kUnspecified}}, 1,
                               std::chrono::hours(1));
    EXPECT_EQ(crl.status().code(), StatusCode::kInvalidArgument) << serial;
  }
}

TEST_F(CrlTest, ParsersRefuseGarbageAndTrailingData) {
  EXPECT_FALSE(ParseCrlDer("garbage").ok());
  EXPECT_FALSE(ParseCrlPem("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n").ok());
  std::string der = *CrlToDer(BuildCrl(ca_.issuer(), {}, 1, std::chrono::hours(1))->get());
  EXPECT_FALSE(ParseCrlDer(der + "x").ok());
  EXPECT_FALSE(ParseCrlDer(der.substr(0, der.size() - 1)).ok());
}

}  // namespace
}  // namespace wott::pki
