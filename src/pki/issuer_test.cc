// Certificate profiles, checked with the real openssl CLI as a second opinion.
#include "pki/issuer.h"

#include <openssl/evp.h>

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/file.h"
#include "pki/csr.h"
#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using wott::testing::RunCommand;
using wott::testing::TempDir;
using wott::testing::TestCa;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1795770967);

wott::testing::TestCaOptions Options(KeyType type) {
  wott::testing::TestCaOptions options;
  options.key_type = type;
  return options;
}

class IssuerTest : public ::testing::TestWithParam<KeyType> {
 protected:
  std::string Text(X509* cert) {
    auto path = tmp_.Write("cert.pem", *CertificateToPem(cert));
    return RunCommand("openssl x509 -noout -text -in " + path.string()).output;
  }
  // openssl verify with the CA's root as the only anchor and its intermediate as untrusted.
  wott::testing::CommandResult Verify(const TestCa& ca, X509* leaf, const std::string& extra = "") {
    auto root = tmp_.Write("root.pem", ca.RootPem());
    auto inter = tmp_.Write("inter.pem", ca.IntermediatePem());
    auto cert = tmp_.Write("leaf.pem", *CertificateToPem(leaf));
    return RunCommand("openssl verify -attime " + std::to_string(1795770967 + 60) + " " + extra +
                      " -CAfile " + root.string() + " -untrusted " + inter.string() + " " +
                      cert.string());
  }
  FakeClock clock_{kNow};
  TempDir tmp_;
};

TEST_P(IssuerTest, DeviceCertificateVerifiesWithOpensslForClientAndServer) {
  TestCa ca(&clock_, Options(GetParam()));
  TestCa::Leaf leaf = ca.IssueDevice(GetParam());
  for (const char* purpose : {"sslclient", "sslserver"}) {
    auto r = Verify(ca, leaf.cert.get(), std::string("-purpose ") + purpose);
    EXPECT_EQ(r.exit_code, 0) << purpose << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr(": OK"));
  }
}

TEST_P(IssuerTest, DeviceProfileAsOpensslPrintsIt) {
  TestCa ca(&clock_, Options(GetParam()));
  TestCa::Leaf leaf = ca.IssueDevice(GetParam());
  std::string name = leaf.id.Name("wott.local");
  std::string text = Text(leaf.cert.get());
  EXPECT_THAT(text, HasSubstr("Subject: O = wott test, CN = " + name));
  EXPECT_THAT(text, HasSubstr("X509v3 Basic Constraints: critical\n                CA:FALSE"));
  EXPECT_THAT(text, HasSubstr("X509v3 Key Usage: critical\n                Digital Signature\n"));
  EXPECT_THAT(text, HasSubstr("TLS Web Client Authentication, TLS Web Server Authentication"));
  EXPECT_THAT(text, HasSubstr("DNS:" + name + ", URI:spiffe://wott.local/device/" + leaf.id.hex()));
  EXPECT_THAT(text, HasSubstr("X509v3 Subject Key Identifier"));
  EXPECT_THAT(text, HasSubstr("X509v3 Authority Key Identifier"));
  EXPECT_THAT(text, Not(HasSubstr("CRL Distribution Points")));  // no public URL configured
  // Backdated one minute, seven days long.
  EXPECT_EQ(NotBefore(leaf.cert.get()), kNow - std::chrono::minutes(1));
  EXPECT_EQ(NotAfter(leaf.cert.get()), kNow + std::chrono::days(7));
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, IssuerTest,
                         ::testing::Values(KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072),
                         [](const auto& info) { return std::string(KeyTypeName(info.param)); });

class IssuerP256Test : public IssuerTest {};

TEST_F(IssuerP256Test, RootAndIntermediateProfiles) {
  TestCa ca(&clock_);
  std::string root = Text(ca.root());
  EXPECT_THAT(root, HasSubstr("X509v3 Basic Constraints: critical\n                CA:TRUE\n"));
  EXPECT_THAT(root, HasSubstr("X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign"));
  EXPECT_THAT(root, HasSubstr("X509v3 Subject Key Identifier"));
  EXPECT_EQ(NotAfter(ca.root()) - NotBefore(ca.root()), kRootLifetime + kBackdate);

  std::string inter = Text(ca.intermediate());
  EXPECT_THAT(inter, HasSubstr("CA:TRUE, pathlen:0"));
  EXPECT_THAT(inter, HasSubstr("Certificate Sign, CRL Sign"));
  EXPECT_THAT(inter, HasSubstr("X509v3 Authority Key Identifier"));
  auto r = Verify(ca, ca.intermediate());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(IssuerP256Test, IntermediateCannotSignAnotherCa) {
  TestCa ca(&clock_);
  // pathlen 0: a leaf below a CA that the intermediate signed must not verify.
  PrivateKey sub_key = *GenerateKey(KeyType::kP256);
  Certificate sub = *ca.issuer().IssueIntermediate(sub_key.get(), "rogue");
  Issuer rogue = *Issuer::Create(ossl::UpRef(sub.get()), std::move(sub_key), {}, &clock_);
  PrivateKey leaf_key = *GenerateKey(KeyType::kP256);
  Certificate leaf = *rogue.IssueDevice(*DeviceId::Generate(), leaf_key.get());
  auto root = tmp_.Write("root.pem", ca.RootPem());
  auto untrusted = tmp_.Write("untrusted.pem", ca.IntermediatePem() + *CertificateToPem(sub.get()));
  auto leaf_path = tmp_.Write("leaf.pem", *CertificateToPem(leaf.get()));
  auto r = RunCommand("openssl verify -attime " + std::to_string(1795770967 + 60) + " -CAfile " +
                      root.string() + " -untrusted " + untrusted.string() + " " +
                      leaf_path.string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("path length constraint exceeded"));
}

TEST_F(IssuerP256Test, SerialsAreRandomPositiveAndAtMostTwentyOctets) {
  TestCa ca(&clock_);
  std::set<std::string> serials;
  for (int i = 0; i < 200; ++i) {
    TestCa::Leaf leaf = ca.IssueDevice();
    std::string hex = SerialHex(leaf.cert.get());
    EXPECT_GE(hex.size(), 16u) << "fewer than 64 bits: " << hex;
    EXPECT_LE(hex.size(), 40u);
    const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf.cert.get());
    EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
    serials.insert(hex);
  }
  EXPECT_EQ(serials.size(), 200u);
}

TEST_F(IssuerP256Test, LifetimeIsConfigurableAndClampedToTheIssuer) {
  TestCa ca(&clock_);
  TestCa::Leaf day = ca.IssueDevice(KeyType::kP256, std::chrono::hours(24));
  EXPECT_EQ(NotAfter(day.cert.get()), kNow + std::chrono::hours(24));
  TestCa::Leaf forever = ca.IssueDevice(KeyType::kP256, std::chrono::days(365 * 50));
  EXPECT_EQ(NotAfter(forever.cert.get()), NotAfter(ca.intermediate()));
  PrivateKey key = *GenerateKey(KeyType::kP256);
  DeviceId id = *DeviceId::Generate();
  EXPECT_FALSE(ca.issuer().IssueDevice(id, key.get(), Duration::zero()).ok());
}

TEST_F(IssuerP256Test, RefusesToIssuePastItsOwnExpiry) {
  TestCa ca(&clock_);
  clock_.Advance(kIntermediateLifetime + std::chrono::days(1));
  PrivateKey key = *GenerateKey(KeyType::kP256);
  Result<Certificate> r = ca.issuer().IssueDevice(*DeviceId::Generate(), key.get());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(IssuerP256Test, PublicUrlAddsCrlAndOcspPointers) {
  wott::testing::TestCaOptions options;
  options.issuer.public_url = "https://ca.example.com:8443/";
  TestCa ca(&clock_, options);
  std::string text = Text(ca.IssueDevice().cert.get());
  EXPECT_THAT(text, HasSubstr("URI:https://ca.example.com:8443/v1/crl"));
  EXPECT_THAT(text, HasSubstr("OCSP - URI:https://ca.example.com:8443/v1/ocsp"));
}

TEST_F(IssuerP256Test, BadPublicUrlIsRefused) {
  TestCa ca(&clock_);
  PrivateKey key = *GenerateKey(KeyType::kP256);
  IssuerOptions options;
  options.public_url = "ftp://x";
  Result<Issuer> r = Issuer::Create(ossl::UpRef(ca.intermediate()), ossl::UpRef(ca.issuer().key()),
                                    options, &clock_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(IssuerP256Test, ServerTlsProfileHasDnsAndIpSansForServerAuthOnly) {
  TestCa ca(&clock_);
  PrivateKey key = *GenerateKey(KeyType::kP256);
  Certificate cert = *ca.issuer().IssueServerTls(key.get(), {"ca.example.com", "127.0.0.1"});
  std::string text = Text(cert.get());
  EXPECT_THAT(text, HasSubstr("DNS:ca.example.com, IP Address:127.0.0.1"));
  EXPECT_THAT(text, HasSubstr("TLS Web Server Authentication"));
  EXPECT_THAT(text, Not(HasSubstr("Client Authentication")));
  EXPECT_EQ(Verify(ca, cert.get(), "-purpose sslserver").exit_code, 0);
  EXPECT_NE(Verify(ca, cert.get(), "-purpose sslclient").exit_code, 0);
  EXPECT_FALSE(ca.issuer().IssueServerTls(key.get(), {}).ok());
}

TEST_F(IssuerP256Test, OcspResponderProfile) {
  TestCa ca(&clock_);
  PrivateKey key = *GenerateKey(KeyType::kP256);
  Certificate cert = *ca.issuer().IssueOcspResponder(key.get());
  std::string text = Text(cert.get());
  EXPECT_THAT(text, HasSubstr("OCSP Signing"));
  EXPECT_THAT(text, HasSubstr("OCSP No Check"));
  EXPECT_EQ(Verify(ca, cert.get(), "-purpose ocsphelper").exit_code, 0);
}

TEST_F(IssuerP256Test, CreateRefusesNonCaCertificateAndMismatchedKey) {
  TestCa ca(&clock_);
  TestCa::Leaf leaf = ca.IssueDevice();
  EXPECT_EQ(Issuer::Create(std::move(leaf.cert), std::move(leaf.key), {}, &clock_).status().code(),
            StatusCode::kInvalidArgument);
  Result<Issuer> mismatched = Issuer::Create(ossl::UpRef(ca.intermediate()),
                                             *GenerateKey(KeyType::kP256), {}, &clock_);
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mismatched.status().message(), HasSubstr("does not match"));
}

TEST_F(IssuerP256Test, RefusesWeakDeviceKeys) {
  TestCa ca(&clock_);
  auto rsa1024 = ossl::Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  ASSERT_NE(rsa1024, nullptr);
  Result<Certificate> r = ca.issuer().IssueDevice(*DeviceId::Generate(), rsa1024.get());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

// The requester cannot choose its identity: a CSR asking for another name and CA:TRUE gets
// the server-assigned name and CA:FALSE.
TEST_F(IssuerP256Test, IgnoresSubjectAndExtensionsTheCsrAsksFor) {
  TestCa ca(&clock_);
  TestCa::Leaf victim = ca.IssueDevice();
  std::string victim_name = victim.id.Name("wott.local");
  auto key = tmp_.Write("attacker.key", *PrivateKeyToPem(GenerateKey(KeyType::kP256)->get()));
  auto csr_path = tmp_.path() / "evil.csr";
  auto r = RunCommand("openssl req -new -key " + key.string() + " -subj '/CN=" + victim_name +
                      "' -addext basicConstraints=critical,CA:TRUE -addext subjectAltName=DNS:" +
                      victim_name + " -out " + csr_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Result<PrivateKey> public_key = ParseAndVerifyCsr(*ReadFile(csr_path));
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  DeviceId assigned = *DeviceId::Generate();
  Certificate cert = *ca.issuer().IssueDevice(assigned, public_key->get());
  EXPECT_EQ(CommonName(cert.get()), assigned.Name("wott.local"));
  EXPECT_THAT(DnsNames(cert.get()), ::testing::ElementsAre(assigned.Name("wott.local")));
  EXPECT_FALSE(IsCa(cert.get()));
  EXPECT_THAT(Text(cert.get()), Not(HasSubstr(victim_name)));
}

}  // namespace
}  // namespace wott::pki
