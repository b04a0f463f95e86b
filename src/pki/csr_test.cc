#include "pki/csr.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "pki/certificate.h"
#include "pki/device_id.h"
#include "pki/issuer.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace fs = std::filesystem;

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "wott-csr-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(std::string_view name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

bool RunOpenssl(const std::string& args) {
  return std::system(("openssl " + args + " >/dev/null 2>&1").c_str()) == 0;
}

std::string MustRead(const std::string& path) {
  Result<std::string> data = ReadFile(path);
  EXPECT_TRUE(data.ok()) << path << ": " << data.status();
  return data.ok() ? *data : std::string();
}

// The source tree: $WOTT_SOURCE_DIR when set, else found from this file's path, which is
// relative to the build directory when ccache's base_dir rewrote it.
fs::path SourceDir() {
  if (const char* dir = std::getenv("WOTT_SOURCE_DIR")) return dir;
  fs::path root = fs::path(__FILE__).parent_path().parent_path().parent_path();
  const char* build_dir = std::getenv("WOTT_BUILD_DIR");
  if (root.is_relative() && build_dir != nullptr) root = fs::path(build_dir) / root;
  return root;
}

PrivateKey MustGenerate(KeyType type) {
  Result<PrivateKey> key = GenerateKey(type);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? std::move(key).value() : nullptr;
}

Csr MustCreate(EVP_PKEY* key, std::string_view cn = "device") {
  Result<Csr> csr = CreateCsr(key, cn);
  EXPECT_TRUE(csr.ok()) << csr.status();
  return csr.ok() ? std::move(csr).value() : nullptr;
}

// A CSR carrying `public_key` but signed by `signer`, built without our checks.
std::string SignedDer(EVP_PKEY* public_key, EVP_PKEY* signer, long version = X509_REQ_VERSION_1) {
  Csr csr = ossl::Own(X509_REQ_new());
  EXPECT_EQ(X509_REQ_set_version(csr.get(), version), 1);
  EXPECT_EQ(X509_REQ_set_pubkey(csr.get(), public_key), 1);
  const EVP_MD* md = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  EXPECT_GT(X509_REQ_sign(csr.get(), signer, md), 0);
  return *CsrToDer(csr.get());
}

void ExpectRefused(const Status& s, std::string_view message_part,
                   StatusCode code = StatusCode::kInvalidArgument) {
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(s.message(), HasSubstr(std::string(message_part))) << s;
}

class CsrRoundTripTest : public ::testing::TestWithParam<KeyType> {};

INSTANTIATE_TEST_SUITE_P(AllTypes, CsrRoundTripTest,
                         ::testing::Values(KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072),
                         [](const auto& info) { return std::string(KeyTypeName(info.param)); });

TEST_P(CsrRoundTripTest, PemAndDerParseAndVerify) {
  PrivateKey key = MustGenerate(GetParam());
  Csr csr = MustCreate(key.get());
  ASSERT_NE(csr, nullptr);
  Result<std::string> pem = CsrToPem(csr.get());
  Result<std::string> der = CsrToDer(csr.get());
  ASSERT_TRUE(pem.ok() && der.ok());
  EXPECT_THAT(*pem, StartsWith("-----BEGIN CERTIFICATE REQUEST-----\n"));
  for (const std::string& text : {*pem, *der}) {
    Result<PrivateKey> pub = ParseAndVerifyCsr(text);
    ASSERT_TRUE(pub.ok()) << pub.status();
    EXPECT_TRUE(SamePublicKey(pub->get(), key.get()));
  }
  Result<Csr> parsed = ParseCsr(*pem);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*CsrToDer(parsed->get()), *der);
}

TEST_P(CsrRoundTripTest, FlippedSignatureByteIsRefused) {
  PrivateKey key = MustGenerate(GetParam());
  Csr csr = MustCreate(key.get());
  std::string der = *CsrToDer(csr.get());
  const ASN1_BIT_STRING* sig = nullptr;
  X509_REQ_get0_signature(csr.get(), &sig, nullptr);
  ASSERT_NE(sig, nullptr);
  std::string_view sig_bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                             static_cast<size_t>(ASN1_STRING_length(sig)));
  size_t at = der.rfind(sig_bytes);
  ASSERT_NE(at, std::string::npos);
  for (size_t offset : {size_t{0}, sig_bytes.size() / 2, sig_bytes.size() - 1}) {
    std::string bad = der;
    bad[at + offset] ^= 0x01;
    Result<PrivateKey> pub = ParseAndVerifyCsr(bad);
    ASSERT_FALSE(pub.ok()) << "flipped signature byte " << offset << " accepted";
    EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_P(CsrRoundTripTest, EveryTruncatedDerFails) {
  Csr csr = MustCreate(MustGenerate(GetParam()).get());
  std::string der = *CsrToDer(csr.get());
  for (size_t n = 0; n < der.size(); ++n) {
    Result<Csr> parsed = ParseCsr(der.substr(0, n));
    ASSERT_FALSE(parsed.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_P(CsrRoundTripTest, EveryTruncatedPemFails) {
  Csr csr = MustCreate(MustGenerate(GetParam()).get());
  std::string pem = *CsrToPem(csr.get());
  const std::string end = "-----END CERTIFICATE REQUEST-----";
  size_t complete = pem.find(end) + end.size();
  for (size_t n = 0; n < complete; ++n) {
    Result<Csr> parsed = ParseCsr(pem.substr(0, n));
    ASSERT_FALSE(parsed.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
  // Only the final newline missing: still one whole block.
  EXPECT_TRUE(ParseCsr(pem.substr(0, complete)).ok());
}

TEST(CsrTest, SubjectChangedAfterSigningIsRefused) {
  PrivateKey key = MustGenerate(KeyType::kP256);
  std::string der = *CsrToDer(MustCreate(key.get(), "device-aaaa").get());
  size_t at = der.find("device-aaaa");
  ASSERT_NE(at, std::string::npos);
  der[at + 7] = 'b';
  ASSERT_TRUE(ParseCsr(der).ok());
  ExpectRefused(ParseAndVerifyCsr(der).status(), "signature does not verify");
}

TEST(CsrTest, SignatureByAnotherKeyIsRefused) {
  PrivateKey claimed = MustGenerate(KeyType::kP256);
  PrivateKey signer = MustGenerate(KeyType::kP256);
  ExpectRefused(ParseAndVerifyCsr(SignedDer(claimed.get(), signer.get())).status(),
                "signature does not verify");
  // Different key types: the signature algorithm does not even match the key.
  PrivateKey ed = MustGenerate(KeyType::kEd25519);
  ExpectRefused(ParseAndVerifyCsr(SignedDer(claimed.get(), ed.get())).status(),
                "signature does not verify");
  // Control: the same builder with the right key verifies.
  EXPECT_TRUE(ParseAndVerifyCsr(SignedDer(claimed.get(), claimed.get())).ok());
}

TEST(CsrTest, UnknownVersionIsRefused) {
  PrivateKey key = MustGenerate(KeyType::kP256);
  ExpectRefused(ParseCsr(SignedDer(key.get(), key.get(), 1)).status(), "version");
  EXPECT_TRUE(ParseCsr(SignedDer(key.get(), key.get(), 0)).ok());
}

TEST(CsrTest, FramingErrorsAreRefused) {
  std::string pem = *CsrToPem(MustCreate(MustGenerate(KeyType::kP256).get()).get());
  std::string der = *CsrToDer(ParseCsr(pem)->get());
  ExpectRefused(ParseCsr(der + std::string(1, '\0')).status(), "unexpected data after");
  ExpectRefused(ParseCsr(der + der).status(), "unexpected data after");
  ExpectRefused(ParseCsr(pem + "garbage").status(), "outside the PEM block");
  ExpectRefused(ParseCsr("Request:\n" + pem).status(), "outside the PEM block");
  ExpectRefused(ParseCsr(pem + pem).status(), "found 2 PEM blocks");
  std::string cert_label = pem;
  for (size_t at; (at = cert_label.find("CERTIFICATE REQUEST")) != std::string::npos;) {
    cert_label.replace(at, strlen("CERTIFICATE REQUEST"), "CERTIFICATE");
  }
  ExpectRefused(ParseCsr(cert_label).status(), "expected a CERTIFICATE REQUEST PEM block");
  // Whitespace around the block is fine, and so is the older label.
  EXPECT_TRUE(ParseCsr("\r\n " + pem + "\n\n").ok());
  std::string new_label = pem;
  new_label.replace(new_label.find("CERTIFICATE"), 0, "NEW ");
  new_label.replace(new_label.rfind("CERTIFICATE"), 0, "NEW ");
  EXPECT_TRUE(ParseAndVerifyCsr(new_label).ok());
}

TEST(CsrTest, GarbageIsRefused) {
  std::mt19937 rng(42);  // fixed seed: reproducible
  std::vector<std::string> inputs = {
      "hello",      "\x30", std::string("\x30\x00", 2), std::string("\x30\x80\x00\x00", 4),
      "-----BEGIN", "   \n"};
  for (int i = 0; i < 200; ++i) {
    std::string bytes(rng() % 600, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    if (i % 2 == 0 && !bytes.empty()) bytes[0] = 0x30;  // take the DER path
    inputs.push_back(bytes);
  }
  for (const std::string& input : inputs) {
    Result<PrivateKey> pub = ParseAndVerifyCsr(input);
    ASSERT_FALSE(pub.ok());
    EXPECT_EQ(pub.status().code(), StatusCode::kInvalidArgument);
  }
  ExpectRefused(ParseCsr("").status(), "empty");
}

TEST(CsrTest, SizeLimitComesFirst) {
  std::string pem = *CsrToPem(MustCreate(MustGenerate(KeyType::kP256).get()).get());
  std::string at_limit = pem + std::string(kMaxCsrBytes - pem.size(), '\n');
  EXPECT_TRUE(ParseAndVerifyCsr(at_limit).ok());
  ExpectRefused(ParseCsr(at_limit + "\n").status(), "larger than 16384 bytes",
                StatusCode::kResourceExhausted);
  std::string der_like(kMaxCsrBytes + 1, '\0');
  der_like[0] = 0x30;
  ExpectRefused(ParseCsr(der_like).status(), "larger than", StatusCode::kResourceExhausted);
  // Just under the limit, garbage is a plain parse error.
  ExpectRefused(ParseCsr(std::string(kMaxCsrBytes, 'x')).status(), "not PEM");
}

TEST(CsrTest, CreateRefusesBadInput) {
  PrivateKey key = MustGenerate(KeyType::kP256);
  EXPECT_TRUE(CreateCsr(key.get(), "").ok());
  EXPECT_TRUE(CreateCsr(key.get(), std::string(64, 'a')).ok());
  ExpectRefused(CreateCsr(key.get(), std::string(65, 'a')).status(), "longer than 64");
  ExpectRefused(CreateCsr(nullptr, "x").status(), "no key");
  // A public key alone cannot sign.
  Result<PrivateKey> pub = PublicKeyFromPem(*PublicKeyToPem(key.get()));
  ASSERT_TRUE(pub.ok());
  ExpectRefused(CreateCsr(pub->get(), "x").status(), "cannot sign");
  // Keys refused by policy are refused here too.
  PrivateKey rsa1024 = ossl::Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
  ExpectRefused(CreateCsr(rsa1024.get(), "x").status(), "too weak");
  ExpectRefused(VerifyCsr(nullptr).status(), "no certificate request");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(CsrTest, CsrsFromTheOpensslCliVerify) {
  TempDir dir;
  const char* key_args[] = {"-newkey ec -pkeyopt ec_paramgen_curve:P-256",
                            "-newkey ec -pkeyopt ec_paramgen_curve:P-384", "-newkey ed25519",
                            "-newkey rsa:2048"};
  for (const char* args : key_args) {
    for (const char* form : {"PEM", "DER"}) {
      std::string out = dir / "req";
      ASSERT_TRUE(RunOpenssl(std::string("req -new -nodes -subj /CN=cli ") + args + " -keyout " +
                             (dir / "key.pem") + " -outform " + form + " -out " + out))
          << args;
      Result<PrivateKey> pub = ParseAndVerifyCsr(MustRead(out));
      ASSERT_TRUE(pub.ok()) << args << " " << form << ": " << pub.status();
      Result<PrivateKey> key = PrivateKeyFromPem(MustRead(dir / "key.pem"));
      ASSERT_TRUE(key.ok()) << key.status();
      EXPECT_TRUE(SamePublicKey(pub->get(), key->get()));
    }
  }
}

TEST(CsrTest, CliCsrsWithRefusedKeysFailPolicy) {
  TempDir dir;
  ASSERT_TRUE(RunOpenssl("genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out " +
                         (dir / "dsa.params")));
  struct {
    std::string args;
    const char* message;
  } cases[] = {
      {"-newkey dsa:" + (dir / "dsa.params"), "DSA 2048 keys are not allowed"},
      {"-newkey rsa:1024", "RSA key of 1024 bits is too weak"},
      {"-newkey ec -pkeyopt ec_paramgen_curve:secp256k1", "secp256k1"},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-521", "P-521"},
  };
  for (const auto& c : cases) {
    std::string out = dir / "req.pem";
    ASSERT_TRUE(RunOpenssl("req -new -nodes -subj /CN=cli " + c.args + " -keyout " +
                           (dir / "key.pem") + " -out " + out))
        << c.args;
    Result<Csr> csr = ParseCsr(MustRead(out));
    ASSERT_TRUE(csr.ok()) << c.args << ": " << csr.status();
    ExpectRefused(VerifyCsr(csr->get()).status(), c.message);
  }
}

// Every file in tests/testdata/csr (made by make-fixtures.sh there) and what it must give.
TEST(CsrTest, Fixtures) {
  struct Expected {
    StatusCode code;
    const char* message;  // substring of the error message; "" for success
  };
  const auto kBadSignature =
      Expected{StatusCode::kInvalidArgument, "signature does not verify with its own key"};
  const auto kOutside = Expected{StatusCode::kInvalidArgument, "outside the PEM block"};
  const auto kMalformedPem = Expected{StatusCode::kInvalidArgument, "malformed PEM block"};
  const std::map<std::string, Expected> expected = {
      {"valid_p256.pem", {StatusCode::kOk, ""}},
      {"valid_p256.der", {StatusCode::kOk, ""}},
      {"valid_new_label.pem", {StatusCode::kOk, ""}},
      {"signature_last_byte_flipped.der", kBadSignature},
      {"signature_last_byte_flipped_ed25519.der", kBadSignature},
      {"subject_changed_after_signing.der", kBadSignature},
      {"public_key_swapped.der", kBadSignature},
      {"der_truncated_10_bytes.der", {StatusCode::kInvalidArgument, "malformed or truncated DER"}},
      {"der_trailing_zero_byte.der", {StatusCode::kInvalidArgument, "unexpected data after"}},
      {"pem_trailing_garbage.pem", kOutside},
      {"pem_text_before_block.pem", kOutside},
      {"pem_two_blocks.pem", {StatusCode::kInvalidArgument, "found 2 PEM blocks"}},
      {"pem_truncated_no_end_line.pem", kMalformedPem},
      {"pem_bad_base64.pem", kMalformedPem},
      {"pem_end_label_mismatch.pem", kMalformedPem},
      {"pem_label_certificate.pem",
       {StatusCode::kInvalidArgument, "expected a CERTIFICATE REQUEST"}},
      {"pem_with_headers.pem", {StatusCode::kInvalidArgument, "unexpected headers"}},
      {"key_dsa_2048.pem", {StatusCode::kInvalidArgument, "DSA 2048 keys are not allowed"}},
      {"key_rsa_1024.pem", {StatusCode::kInvalidArgument, "RSA key of 1024 bits is too weak"}},
      {"key_ec_secp256k1.pem", {StatusCode::kInvalidArgument, "EC curve secp256k1 is not allowed"}},
      {"key_ec_p521.pem", {StatusCode::kInvalidArgument, "EC curve P-521 is not allowed"}},
      {"key_ec_explicit_p256.pem", {StatusCode::kInvalidArgument, "explicit curve parameters"}},
  };
  fs::path dir = SourceDir() / "tests/testdata/csr";
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " not found; set WOTT_SOURCE_DIR";
  size_t seen = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sh") continue;
    auto it = expected.find(name);
    ASSERT_NE(it, expected.end()) << name << " has no expectation in this test";
    ++seen;
    Result<PrivateKey> pub = ParseAndVerifyCsr(MustRead(entry.path().string()));
    EXPECT_EQ(pub.status().code(), it->second.code) << name << ": " << pub.status();
    EXPECT_THAT(pub.status().message(), HasSubstr(it->second.message)) << name;
  }
  EXPECT_EQ(seen, expected.size()) << "fixtures missing from " << dir;
}

// ---- ParseAndVerifyCsrForIssuance: the fast path must agree with ParseCsr + VerifyCsr ----

std::string SpkiDer(X509_PUBKEY* spki) {
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(spki, &der);
  std::string out(reinterpret_cast<char*>(der), len > 0 ? static_cast<size_t>(len) : 0);
  OPENSSL_free(der);
  return out;
}

// Both paths on `input`: the same code and message, and on success the same key and SPKI.
void ExpectPathsAgree(const std::string& input, const std::string& what) {
  Result<VerifiedCsr> fast = ParseAndVerifyCsrForIssuance(input);
  Result<VerifiedCsr> generic = internal::ParseAndVerifyCsrGeneric(input);
  ASSERT_EQ(fast.status().code(), generic.status().code())
      << what << ": fast " << fast.status() << " vs generic " << generic.status();
  EXPECT_EQ(fast.status().message(), generic.status().message()) << what;
  if (fast.ok()) {
    EXPECT_TRUE(SamePublicKey(fast->public_key.get(), generic->public_key.get())) << what;
    EXPECT_EQ(SpkiDer(fast->spki.get()), SpkiDer(generic->spki.get())) << what;
    // The SPKI is the request's, byte for byte.
    Result<Csr> csr = ParseCsr(input);
    ASSERT_TRUE(csr.ok());
    EXPECT_EQ(SpkiDer(fast->spki.get()), SpkiDer(X509_REQ_get_X509_PUBKEY(csr->get()))) << what;
  }
}

// Whether the fast path itself (not the generic fallback) decided `der`.
bool FastPathDecides(const std::string& der) {
  Result<std::optional<VerifiedCsr>> fast = internal::ParseAndVerifyCsrDerFast(der);
  return !fast.ok() || fast->has_value();
}

TEST(CsrFastPathTest, AgreesWithGenericOnEveryFixture) {
  fs::path dir = SourceDir() / "tests/testdata/csr";
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " not found; set WOTT_SOURCE_DIR";
  int files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sh") continue;
    ++files;
    ExpectPathsAgree(MustRead(entry.path().string()), entry.path().filename().string());
  }
  EXPECT_GE(files, 20);
  EXPECT_TRUE(FastPathDecides(MustRead((dir / "valid_p256.der").string())));
  EXPECT_TRUE(
      FastPathDecides(MustRead((dir / "signature_last_byte_flipped_ed25519.der").string())));
}

TEST(CsrFastPathTest, AgreesOnCsrsOfEveryKeyTypeAndDigest) {
  TempDir dir;
  ASSERT_TRUE(RunOpenssl("genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out " +
                         (dir / "dsa.params")));
  ASSERT_TRUE(RunOpenssl("ecparam -name prime256v1 -genkey -conv_form compressed -out " +
                         (dir / "compressed.key")));
  struct Case {
    std::string args;
    bool fast;  // decided by the fast path
  } cases[] = {
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256", true},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha1", true},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha512", true},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-384 -sha384", true},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-384", true},
      {"-key " + (dir / "compressed.key"), true},
      {"-newkey ed25519", true},
      {"-newkey rsa:2048", false},
      {"-newkey rsa:1024", false},
      {"-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048", false},
      {"-newkey ec -pkeyopt ec_paramgen_curve:P-521", false},
      {"-newkey ec -pkeyopt ec_paramgen_curve:secp256k1", false},
      {"-newkey ed448", false},
      {"-newkey dsa:" + (dir / "dsa.params"), false},
  };
  for (const Case& c : cases) {
    std::string out = dir / "req.der";
    ASSERT_TRUE(RunOpenssl("req -new -nodes -subj /CN=cli " + c.args + " -keyout " +
                           (dir / "key.pem") + " -outform DER -out " + out))
        << c.args;
    std::string der = MustRead(out);
    ExpectPathsAgree(der, c.args);
    EXPECT_EQ(FastPathDecides(der), c.fast) << c.args;
  }
}

TEST(CsrFastPathTest, AgreesWhenTheSignatureDoesNotMatchTheKey) {
  PrivateKey p256 = MustGenerate(KeyType::kP256);
  PrivateKey other = MustGenerate(KeyType::kP256);
  PrivateKey ed = MustGenerate(KeyType::kEd25519);
  PrivateKey rsa = MustGenerate(KeyType::kRsa3072);
  ExpectPathsAgree(SignedDer(p256.get(), other.get()), "p256 signed by another p256");
  ExpectPathsAgree(SignedDer(p256.get(), ed.get()), "p256 signed by ed25519");
  ExpectPathsAgree(SignedDer(ed.get(), p256.get()), "ed25519 signed by p256");
  ExpectPathsAgree(SignedDer(p256.get(), rsa.get()), "p256 signed by rsa");
  ExpectPathsAgree(SignedDer(p256.get(), p256.get(), 1), "version 2");
  ExpectRefused(ParseAndVerifyCsrForIssuance(SignedDer(p256.get(), ed.get())).status(),
                "signature does not verify");
  EXPECT_TRUE(ParseAndVerifyCsrForIssuance(SignedDer(ed.get(), ed.get())).ok());
}

// Every single-byte change and every truncation of valid requests: both paths must give
// the same outcome (most changes break the DER or the signature; some are accepted by both,
// e.g. in the signature's unused-bits octet or a non-canonical length the parser tolerates).
TEST(CsrFastPathTest, AgreesOnEveryMutation) {
  for (KeyType type : {KeyType::kP256, KeyType::kEd25519}) {
    std::string der = *CsrToDer(MustCreate(MustGenerate(type).get()).get());
    for (size_t i = 0; i < der.size(); ++i) {
      for (unsigned char flip : {0x01, 0x80, 0xff}) {
        std::string bad = der;
        bad[i] = static_cast<char>(bad[i] ^ flip);
        ExpectPathsAgree(bad, std::string(KeyTypeName(type)) + " byte " + std::to_string(i) +
                                  " ^ " + std::to_string(flip));
      }
      ExpectPathsAgree(der.substr(0, i), "truncated to " + std::to_string(i));
    }
  }
}

TEST(CsrFastPathTest, PemFramingAndSizeChecksAreShared) {
  std::string pem = *CsrToPem(MustCreate(MustGenerate(KeyType::kP256).get()).get());
  EXPECT_TRUE(ParseAndVerifyCsrForIssuance(pem).ok());
  for (const std::string& input : {pem + pem, pem + "garbage", std::string(), std::string("x"),
                                   std::string(kMaxCsrBytes + 1, '\x30')}) {
    ExpectPathsAgree(input, "framing " + std::to_string(input.size()));
    EXPECT_FALSE(ParseAndVerifyCsrForIssuance(input).ok());
  }
}

// An EC point that is not on the curve is refused by both paths.
TEST(CsrFastPathTest, PointNotOnTheCurveIsRefused) {
  PrivateKey key = MustGenerate(KeyType::kP256);
  std::string der = *CsrToDer(MustCreate(key.get()).get());
  std::string point = *PublicKeyToDer(key.get());
  point = point.substr(point.size() - 65);  // 04 || X || Y
  size_t at = der.find(point);
  ASSERT_NE(at, std::string::npos);
  der[at + 64] = static_cast<char>(der[at + 64] ^ 0x01);  // Y changed: off the curve
  ExpectPathsAgree(der, "point off the curve");
  ExpectRefused(ParseAndVerifyCsrForIssuance(der).status(), "no usable public key");
}

// A P-256 CSR whose key is the point at infinity, with a "self-signature" made without any
// private key: for that key ECDSA verification reduces to r == x(u1*G), which anyone can
// satisfy (pick k, r = x(kG), s = e/k).
std::string InfinityKeyCsrDer() {
  Csr req = ossl::Own(X509_REQ_new());
  EXPECT_EQ(X509_REQ_set_version(req.get(), X509_REQ_VERSION_1), 1);
  unsigned char* bits = static_cast<unsigned char*>(OPENSSL_zalloc(1));  // 00 = infinity
  EXPECT_EQ(X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(req.get()),
                                   OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
                                   OBJ_nid2obj(NID_X9_62_prime256v1), bits, 1),
            1);
  X509_ALGOR* algorithm = X509_ALGOR_new();
  X509_ALGOR_set0(algorithm, OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, nullptr);
  EXPECT_EQ(X509_REQ_set1_signature_algo(req.get(), algorithm), 1);
  X509_ALGOR_free(algorithm);
  unsigned char* tbs = nullptr;
  int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(tbs, static_cast<size_t>(tbs_len), digest);
  OPENSSL_free(tbs);
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX* bn = BN_CTX_new();
  const BIGNUM* n = EC_GROUP_get0_order(group);
  BIGNUM *k = BN_new(), *x = BN_new(), *r = BN_new(), *s = BN_new();
  BIGNUM* e = BN_bin2bn(digest, sizeof digest, nullptr);
  EC_POINT* point = EC_POINT_new(group);
  BN_rand_range(k, n);
  EC_POINT_mul(group, point, k, nullptr, nullptr, bn);
  EC_POINT_get_affine_coordinates(group, point, x, nullptr, bn);
  BN_nnmod(r, x, n, bn);
  BIGNUM* k_inverse = BN_mod_inverse(nullptr, k, n, bn);
  BN_mod_mul(s, e, k_inverse, n, bn);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* sig_der = nullptr;
  int sig_len = i2d_ECDSA_SIG(sig, &sig_der);
  ASN1_BIT_STRING* signature = ASN1_BIT_STRING_new();
  ASN1_BIT_STRING_set(signature, sig_der, sig_len);
  // Encode with 0 unused bits (else i2d derives them from the last byte's trailing zeros).
  signature->flags = (signature->flags & ~0x07L) | ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), signature);
  OPENSSL_free(sig_der);
  ECDSA_SIG_free(sig);
  BN_free(k_inverse);
  EC_POINT_free(point);
  BN_free(e);
  BN_free(x);
  BN_free(k);
  BN_CTX_free(bn);
  EC_GROUP_free(group);
  return *CsrToDer(req.get());
}

TEST(CsrFastPathTest, PointAtInfinityIsRefusedByBothPaths) {
  std::string der = InfinityKeyCsrDer();
  // OpenSSL alone accepts the forged self-signature: this is what the EC point check stops.
  Result<Csr> csr = ParseCsr(der);
  ASSERT_TRUE(csr.ok()) << csr.status();
  EXPECT_EQ(X509_REQ_verify(csr->get(), X509_REQ_get0_pubkey(csr->get())), 1);
  ExpectPathsAgree(der, "point at infinity");
  EXPECT_TRUE(FastPathDecides(der));
  ExpectRefused(ParseAndVerifyCsrForIssuance(der).status(), "invalid EC public key");
  ExpectRefused(ParseAndVerifyCsr(der).status(), "invalid EC public key");
}

TEST(CsrFastPathTest, IssuerCopiesTheRequestsKey) {
  RealClock clock;
  PrivateKey ca_key = MustGenerate(KeyType::kP256);
  Result<Certificate> root =
      MakeRootCertificate(ca_key.get(), "ca", "wott", kRootLifetime, clock.Now());
  ASSERT_TRUE(root.ok());
  Result<Issuer> issuer = Issuer::Create(std::move(*root), std::move(ca_key), {}, &clock);
  ASSERT_TRUE(issuer.ok()) << issuer.status();
  for (KeyType type : {KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072}) {
    PrivateKey device_key = MustGenerate(type);
    std::string pem = *CsrToPem(MustCreate(device_key.get()).get());
    Result<VerifiedCsr> csr = ParseAndVerifyCsrForIssuance(pem);
    ASSERT_TRUE(csr.ok()) << csr.status();
    Result<Certificate> cert = issuer->IssueDeviceForCsr(*DeviceId::Generate(), *csr);
    ASSERT_TRUE(cert.ok()) << cert.status();
    // Parsed back, as a peer sees it (the issuer copies the key bits and decodes nothing).
    Result<Certificate> parsed = ParseCertificateDer(*CertificateToDer(cert->get()));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(SamePublicKey(X509_get0_pubkey(parsed->get()), device_key.get()));
    EXPECT_EQ(SpkiDer(X509_get_X509_PUBKEY(parsed->get())), SpkiDer(csr->spki.get()));
  }
  EXPECT_FALSE(issuer->IssueDeviceForCsr(*DeviceId::Generate(), VerifiedCsr{}).ok());
}

TEST(CsrFastPathTest, ConcurrentCallsShareTheCurveTemplates) {
  std::vector<std::string> csrs;
  std::vector<PrivateKey> keys;
  for (const char* curve : {"P-256", "P-384"}) {
    for (int i = 0; i < 2; ++i) {
      keys.push_back(ossl::Own(EVP_EC_gen(curve)));
      csrs.push_back(*CsrToDer(MustCreate(keys.back().get()).get()));
    }
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        size_t k = static_cast<size_t>(i) % csrs.size();
        Result<VerifiedCsr> csr = ParseAndVerifyCsrForIssuance(csrs[k]);
        if (!csr.ok() || !SamePublicKey(csr->public_key.get(), keys[k].get())) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace wott::pki
