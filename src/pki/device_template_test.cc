// The template path (Issuer::IssueDeviceDerForCsr) against the generic one
// (IssueDeviceForCsr): for the same device, key and time every field but the serial and the
// signature must be byte for byte the same, and the result must be canonical DER that
// OpenSSL parses, verifies and re-encodes identically.
#include "pki/device_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "pki/issuer.h"
#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

using wott::testing::RunCommand;
using wott::testing::TempDir;
using wott::testing::TestCa;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1795770967);

template <typename T>
std::string Der(const T* object, int (*i2d)(const T*, unsigned char**)) {
  unsigned char* buf = nullptr;
  int len = i2d(object, &buf);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

VerifiedCsr NewCsr(KeyType type) {
  PrivateKey key = *GenerateKey(type);
  Csr csr = *CreateCsr(key.get(), "ignored");
  Result<VerifiedCsr> verified = ParseAndVerifyCsrForIssuance(*CsrToPem(csr.get()));
  EXPECT_TRUE(verified.ok()) << verified.status();
  return std::move(*verified);
}

// Expects `fast` (DER) to be `slow` with another serial and signature.
void ExpectSameCertificate(const Issuer& issuer, const EncodedCertificate& fast, X509* slow) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(fast.der.data());
  Certificate parsed = ossl::Own(d2i_X509(nullptr, &p, static_cast<long>(fast.der.size())));
  ASSERT_NE(parsed, nullptr);
  X509* c = parsed.get();
  EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(fast.der.data() + fast.der.size()));
  EXPECT_EQ(X509_get_version(c), X509_get_version(slow));
  EXPECT_EQ(Der(X509_get_subject_name(c), i2d_X509_NAME),
            Der(X509_get_subject_name(slow), i2d_X509_NAME));
  EXPECT_EQ(Der(X509_get_issuer_name(c), i2d_X509_NAME),
            Der(X509_get_issuer_name(slow), i2d_X509_NAME));
  EXPECT_EQ(Der(X509_get_X509_PUBKEY(c), i2d_X509_PUBKEY),
            Der(X509_get_X509_PUBKEY(slow), i2d_X509_PUBKEY));
  EXPECT_EQ(Der(X509_get0_tbs_sigalg(c), i2d_X509_ALGOR),
            Der(X509_get0_tbs_sigalg(slow), i2d_X509_ALGOR));
  const X509_ALGOR* outer_fast = nullptr;
  const X509_ALGOR* outer_slow = nullptr;
  X509_get0_signature(nullptr, &outer_fast, c);
  X509_get0_signature(nullptr, &outer_slow, slow);
  EXPECT_EQ(Der(outer_fast, i2d_X509_ALGOR), Der(outer_slow, i2d_X509_ALGOR));
  ASSERT_EQ(X509_get_ext_count(c), X509_get_ext_count(slow));
  for (int i = 0; i < X509_get_ext_count(c); ++i) {
    EXPECT_EQ(Der(X509_get_ext(c, i), i2d_X509_EXTENSION),
              Der(X509_get_ext(slow, i), i2d_X509_EXTENSION))
        << "extension " << i;
  }
  EXPECT_EQ(NotBefore(c), NotBefore(slow));
  EXPECT_EQ(NotAfter(c), NotAfter(slow));
  EXPECT_EQ(fast.not_before, NotBefore(c));
  EXPECT_EQ(fast.not_after, NotAfter(c));
  EXPECT_EQ(fast.serial_hex, SerialHex(c));
  EXPECT_NE(fast.serial_hex, SerialHex(slow));
  EXPECT_EQ(ASN1_STRING_type(X509_get0_serialNumber(c)), V_ASN1_INTEGER);  // positive
  // Canonical DER: OpenSSL's own re-encoding of what it parsed is the same bytes.
  unsigned char* tbs = nullptr;
  EXPECT_GT(i2d_re_X509_tbs(c, &tbs), 0);  // also drops the cached encoding
  OPENSSL_free(tbs);
  EXPECT_EQ(Der(c, i2d_X509), fast.der);
  EXPECT_EQ(X509_verify(c, issuer.key()), 1);
  EXPECT_EQ(DerToPem(fast.der, "CERTIFICATE"), *CertificateToPem(c));
}

class DeviceTemplateTest : public ::testing::TestWithParam<KeyType> {
 protected:
  FakeClock clock_{kNow};
  TempDir tmp_;
};

TEST_P(DeviceTemplateTest, SameCertificateAsTheGenericPath) {
  wott::testing::TestCaOptions options;
  options.key_type = GetParam();
  TestCa ca(&clock_, options);
  for (KeyType device_key : {KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072}) {
    VerifiedCsr csr = NewCsr(device_key);
    DeviceId id = *DeviceId::Generate();
    Certificate slow = *ca.issuer().IssueDeviceForCsr(id, csr);
    Result<EncodedCertificate> fast = ca.issuer().IssueDeviceDerForCsr(id, csr);
    ASSERT_TRUE(fast.ok()) << fast.status();
    ExpectSameCertificate(ca.issuer(), *fast, slow.get());
  }
}

TEST_P(DeviceTemplateTest, VerifiesWithOpensslForClientAndServer) {
  wott::testing::TestCaOptions options;
  options.key_type = GetParam();
  TestCa ca(&clock_, options);
  EncodedCertificate fast =
      *ca.issuer().IssueDeviceDerForCsr(*DeviceId::Generate(), NewCsr(KeyType::kP256));
  auto root = tmp_.Write("root.pem", ca.RootPem());
  auto inter = tmp_.Write("inter.pem", ca.IntermediatePem());
  auto leaf = tmp_.Write("leaf.pem", DerToPem(fast.der, "CERTIFICATE"));
  for (const char* purpose : {"sslclient", "sslserver"}) {
    auto r = RunCommand("openssl verify -attime " + std::to_string(1795770967 + 60) + " -purpose " +
                        purpose + " -CAfile " + root.string() + " -untrusted " + inter.string() +
                        " " + leaf.string());
    EXPECT_EQ(r.exit_code, 0) << purpose << ": " << r.output;
  }
  // A flipped signature byte must not verify: the check above is not vacuous.
  std::string bad = fast.der;
  bad[bad.size() - 3] ^= 0x01;
  auto bad_leaf = tmp_.Write("bad.pem", DerToPem(bad, "CERTIFICATE"));
  auto r = RunCommand("openssl verify -attime " + std::to_string(1795770967 + 60) + " -CAfile " +
                      root.string() + " -untrusted " + inter.string() + " " + bad_leaf.string());
  EXPECT_NE(r.exit_code, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(CaKeyTypes, DeviceTemplateTest,
                         ::testing::Values(KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072),
                         [](const auto& info) { return std::string(KeyTypeName(info.param)); });

class DeviceTemplateP256Test : public DeviceTemplateTest {};

// With a public URL the CRL and OCSP pointers come after the AKI, as in the generic path.
TEST_F(DeviceTemplateP256Test, PublicUrlPointersMatch) {
  TestCa ca(&clock_);
  IssuerOptions options;
  options.domain = "wott.local";
  options.organization = "wott test";
  options.public_url = "https://ca.example.com:8443";
  Issuer issuer = *Issuer::Create(ossl::UpRef(ca.intermediate()), ossl::UpRef(ca.issuer().key()),
                                  options, &clock_);
  VerifiedCsr csr = NewCsr(KeyType::kP256);
  DeviceId id = *DeviceId::Generate();
  Certificate slow = *issuer.IssueDeviceForCsr(id, csr);
  ExpectSameCertificate(issuer, *issuer.IssueDeviceDerForCsr(id, csr), slow.get());
  EXPECT_EQ(X509_get_ext_count(slow.get()), 8);
}

// An organization the template does not encode itself (not printable ASCII) takes the
// generic path and still returns the same certificate.
TEST_F(DeviceTemplateP256Test, UnusualOrganizationTakesTheGenericPath) {
  EXPECT_FALSE(DeviceCertTemplate::Encodable("w\xc3\xb6tt"));
  EXPECT_FALSE(DeviceCertTemplate::Encodable(std::string(65, 'a')));
  EXPECT_FALSE(DeviceCertTemplate::Encodable(""));
  EXPECT_TRUE(DeviceCertTemplate::Encodable(std::string(64, 'a')));
  TestCa ca(&clock_);
  IssuerOptions options;
  options.organization = "w\xc3\xb6tt GmbH";
  Issuer issuer = *Issuer::Create(ossl::UpRef(ca.intermediate()), ossl::UpRef(ca.issuer().key()),
                                  options, &clock_);
  VerifiedCsr csr = NewCsr(KeyType::kP256);
  DeviceId id = *DeviceId::Generate();
  Certificate slow = *issuer.IssueDeviceForCsr(id, csr);
  ExpectSameCertificate(issuer, *issuer.IssueDeviceDerForCsr(id, csr), slow.get());
}

TEST_F(DeviceTemplateP256Test, RefusesWhatTheGenericPathRefuses) {
  TestCa ca(&clock_);
  VerifiedCsr csr = NewCsr(KeyType::kP256);
  DeviceId id = *DeviceId::Generate();
  EXPECT_EQ(ca.issuer().IssueDeviceDerForCsr(id, csr, Duration::zero()).status().code(),
            StatusCode::kInvalidArgument);
  VerifiedCsr empty;
  EXPECT_EQ(ca.issuer().IssueDeviceDerForCsr(id, empty).status().code(),
            StatusCode::kInvalidArgument);
  // Lifetime clamped to the issuer's own notAfter, and refused once it has passed.
  EncodedCertificate forever =
      *ca.issuer().IssueDeviceDerForCsr(id, csr, std::chrono::days(365 * 50));
  EXPECT_EQ(forever.not_after, NotAfter(ca.intermediate()));
  clock_.Advance(kIntermediateLifetime + std::chrono::days(1));
  EXPECT_EQ(ca.issuer().IssueDeviceDerForCsr(id, csr).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(DerToPemTest, MatchesOpensslLineLayout) {
  EXPECT_EQ(DerToPem("", "X"), "-----BEGIN X-----\n-----END X-----\n");
  EXPECT_EQ(DerToPem(std::string(48, '\0'), "X"),
            "-----BEGIN X-----\n" + std::string(64, 'A') + "\n-----END X-----\n");
  EXPECT_EQ(DerToPem(std::string(49, '\0'), "X"),
            "-----BEGIN X-----\n" + std::string(64, 'A') + "\nAA==\n-----END X-----\n");
}

}  // namespace
}  // namespace wott::pki
