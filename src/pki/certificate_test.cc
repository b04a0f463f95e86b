#include "pki/certificate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using wott::testing::RunCommand;
using wott::testing::TempDir;
using wott::testing::TestCa;

class CertificateTest : public ::testing::Test {
 protected:
  FakeClock clock_{std::chrono::system_clock::from_time_t(1795770967)};
  TestCa ca_{&clock_};
  TempDir tmp_;
};

TEST_F(CertificateTest, PemAndDerRoundTrip) {
  TestCa::Leaf leaf = ca_.IssueDevice();
  std::string pem = *CertificateToPem(leaf.cert.get());
  std::string der = *CertificateToDer(leaf.cert.get());
  EXPECT_EQ(X509_cmp(ParseCertificatePem(pem)->get(), leaf.cert.get()), 0);
  EXPECT_EQ(X509_cmp(ParseCertificateDer(der)->get(), leaf.cert.get()), 0);
}

TEST_F(CertificateTest, ChainParsesInOrder) {
  TestCa::Leaf leaf = ca_.IssueDevice();
  std::string chain = *CertificateToPem(leaf.cert.get()) + ca_.IntermediatePem();
  Result<std::vector<Certificate>> certs = ParseCertificateChainPem(chain);
  ASSERT_TRUE(certs.ok());
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ(X509_cmp((*certs)[1].get(), ca_.intermediate()), 0);
}

TEST_F(CertificateTest, FingerprintMatchesOpenssl) {
  auto path = tmp_.Write("root.pem", ca_.RootPem());
  auto r = RunCommand("openssl x509 -noout -fingerprint -sha256 -in " + path.string());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("=" + Sha256FingerprintColons(ca_.root())));
  EXPECT_EQ(*NormalizeFingerprint(Sha256FingerprintColons(ca_.root())),
            Sha256Fingerprint(ca_.root()));
  EXPECT_EQ(Sha256Fingerprint(ca_.root()).size(), 64u);
}

TEST_F(CertificateTest, NormalizeFingerprintRefusesBadInput) {
  EXPECT_TRUE(NormalizeFingerprint("SHA256:" + std::string(64, 'A')).ok());
  EXPECT_FALSE(NormalizeFingerprint(std::string(63, 'a')).ok());
  EXPECT_FALSE(NormalizeFingerprint(std::string(64, 'g')).ok());
  EXPECT_FALSE(NormalizeFingerprint("").ok());
}

TEST_F(CertificateTest, AccessorsReadTheDeviceProfile) {
  TestCa::Leaf leaf = ca_.IssueDevice();
  std::string name = leaf.id.Name("wott.local");
  EXPECT_EQ(CommonName(leaf.cert.get()), name);
  EXPECT_THAT(DnsNames(leaf.cert.get()), ::testing::ElementsAre(name));
  EXPECT_THAT(UriNames(leaf.cert.get()),
              ::testing::ElementsAre("spiffe://wott.local/device/" + leaf.id.hex()));
  EXPECT_EQ(SubjectString(leaf.cert.get()), "CN=" + name + ",O=wott test");
  EXPECT_FALSE(IsCa(leaf.cert.get()));
  EXPECT_TRUE(IsCa(ca_.intermediate()));
}

TEST_F(CertificateTest, RefusesMalformedInput) {
  std::string pem = ca_.RootPem();
  std::string der = *CertificateToDer(ca_.root());
  EXPECT_FALSE(ParseCertificatePem("").ok());
  EXPECT_FALSE(ParseCertificatePem("garbage").ok());
  EXPECT_FALSE(ParseCertificatePem(pem + pem).ok());  // two where one is expected
  EXPECT_FALSE(ParseCertificateDer(der + "x").ok());   // trailing data
  for (size_t cut : {size_t{1}, der.size() / 2, der.size() - 1}) {
    EXPECT_FALSE(ParseCertificateDer(der.substr(0, cut)).ok()) << cut;
    EXPECT_FALSE(ParseCertificatePem(pem.substr(0, cut)).ok()) << cut;
  }
  EXPECT_EQ(ParseCertificateChainPem(std::string(kMaxChainBytes + 1, 'a')).status().code(),
            StatusCode::kResourceExhausted);
  // Drop one base64 line from the middle: still PEM, but the DER inside is cut short.
  std::string broken = pem;
  size_t line = broken.find('\n', 200);
  broken.erase(line + 1, 65);
  EXPECT_FALSE(ParseCertificateChainPem(pem + broken).ok());
}

}  // namespace
}  // namespace wott::pki
