#include "pki/key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/file.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A private temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wott-key-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs the openssl CLI with `args` (no shell metacharacters needed by callers).
bool RunOpenssl(const std::string& args) {
  return std::system(("openssl " + args + " >/dev/null 2>&1").c_str()) == 0;
}

std::string MustRead(const std::string& path) {
  Result<std::string> data = ReadFile(path);
  EXPECT_TRUE(data.ok()) << path << ": " << data.status();
  return data.ok() ? *data : std::string();
}

PrivateKey MustGenerate(KeyType type) {
  Result<PrivateKey> key = GenerateKey(type);
  EXPECT_TRUE(key.ok()) << key.status();
  return key.ok() ? std::move(key).value() : nullptr;
}

// Keys of types GenerateKey does not make, for the policy tests.
PrivateKey QuickKey(const char* type, const char* curve = nullptr) {
  EVP_PKEY* key = curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  EXPECT_NE(key, nullptr) << type;
  return ossl::Own(key);
}

PrivateKey RsaKey(size_t bits) {
  return ossl::Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

PrivateKey DsaKey() {
  auto ctx = ossl::Own(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
  EVP_PKEY* params = nullptr;
  if (ctx == nullptr || EVP_PKEY_paramgen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx.get(), 2048) != 1 ||
      EVP_PKEY_paramgen(ctx.get(), &params) != 1) {
    ADD_FAILURE() << "DSA paramgen failed";
    return nullptr;
  }
  PrivateKey owned_params = ossl::Own(params);
  auto key_ctx = ossl::Own(EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr));
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_keygen_init(key_ctx.get()) != 1 || EVP_PKEY_keygen(key_ctx.get(), &key) != 1) {
    ADD_FAILURE() << "DSA keygen failed";
  }
  return ossl::Own(key);
}

// An RSA public key with a random odd modulus of `bits` bits and exponent `e`: enough for
// policy checks without generating huge keys.
PrivateKey RsaPublicKey(int bits, unsigned long e) {
  auto n = ossl::Own(BN_new());
  auto bn_e = ossl::Own(BN_new());
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* key = nullptr;
  if (BN_rand(n.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1 &&
      BN_set_word(bn_e.get(), e) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1) {
    OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
    auto ctx = ossl::Own(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (EVP_PKEY_fromdata_init(ctx.get()) == 1) {
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params);
    }
    OSSL_PARAM_free(params);
  }
  OSSL_PARAM_BLD_free(bld);
  EXPECT_NE(key, nullptr);
  return ossl::Own(key);
}

template <typename Write>
std::string WriteBio(Write write) {
  auto bio = ossl::Own(BIO_new(BIO_s_mem()));
  EXPECT_EQ(write(bio.get()), 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string TraditionalPem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr) {
  return WriteBio([&](BIO* bio) {
    return PEM_write_bio_PrivateKey_traditional(
        bio, key, cipher,
        cipher ? reinterpret_cast<unsigned char*>(const_cast<char*>("pw")) : nullptr,
        cipher ? 2 : 0, nullptr, nullptr);
  });
}

void ExpectRefused(const Status& s, std::string_view message_part) {
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr(std::string(message_part))) << s;
}

TEST(KeyTypeTest, NamesRoundTrip) {
  for (KeyType type : {KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072}) {
    Result<KeyType> parsed = ParseKeyType(KeyTypeName(type));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_EQ(KeyTypeName(KeyType::kP256), "p256");
}

TEST(KeyTypeTest, ParseRejectsUnknownNames) {
  for (std::string_view bad : {"", "P256", "p-256", "rsa", "rsa2048", "ed25519 ", "dsa"}) {
    EXPECT_EQ(ParseKeyType(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

class GeneratedKeyTest : public ::testing::TestWithParam<KeyType> {};

INSTANTIATE_TEST_SUITE_P(AllTypes, GeneratedKeyTest,
                         ::testing::Values(KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072),
                         [](const auto& info) { return std::string(KeyTypeName(info.param)); });

TEST_P(GeneratedKeyTest, PassesPolicyAndDescribesItself) {
  PrivateKey key = MustGenerate(GetParam());
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(CheckKeyPolicy(key.get()).ok());
  const char* expected = GetParam() == KeyType::kP256      ? "ECDSA P-256"
                         : GetParam() == KeyType::kEd25519 ? "Ed25519"
                                                           : "RSA 3072";
  EXPECT_EQ(DescribeKey(key.get()), expected);
}

TEST_P(GeneratedKeyTest, PemRoundTrip) {
  PrivateKey key = MustGenerate(GetParam());
  Result<std::string> pem = PrivateKeyToPem(key.get());
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_THAT(*pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  Result<PrivateKey> back = PrivateKeyFromPem(*pem);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(SamePublicKey(key.get(), back->get()));
  // The private half survives too.
  EXPECT_EQ(*PrivateKeyToDer(back->get()), *PrivateKeyToDer(key.get()));
}

TEST_P(GeneratedKeyTest, DerRoundTrip) {
  PrivateKey key = MustGenerate(GetParam());
  Result<std::string> der = PrivateKeyToDer(key.get());
  ASSERT_TRUE(der.ok()) << der.status();
  Result<PrivateKey> back = PrivateKeyFromDer(*der);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*PrivateKeyToPem(back->get()), *PrivateKeyToPem(key.get()));
}

TEST_P(GeneratedKeyTest, PublicKeyRoundTrip) {
  PrivateKey key = MustGenerate(GetParam());
  Result<std::string> pem = PublicKeyToPem(key.get());
  ASSERT_TRUE(pem.ok()) << pem.status();
  EXPECT_THAT(*pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  Result<PrivateKey> pub = PublicKeyFromPem(*pem);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_TRUE(SamePublicKey(key.get(), pub->get()));
  Result<std::string> der = PublicKeyToDer(pub->get());
  ASSERT_TRUE(der.ok()) << der.status();
  EXPECT_EQ(*der, *PublicKeyToDer(key.get()));
  // A public key has no private half to encode.
  EXPECT_FALSE(PrivateKeyToPem(pub->get()).ok());
  EXPECT_FALSE(PrivateKeyToDer(pub->get()).ok());
}

TEST_P(GeneratedKeyTest, EveryTruncatedPemFails) {
  PrivateKey key = MustGenerate(GetParam());
  std::string pem = *PrivateKeyToPem(key.get());
  const std::string end = "-----END PRIVATE KEY-----";
  size_t complete = pem.find(end) + end.size();
  for (size_t n = 0; n < complete; ++n) {
    Result<PrivateKey> parsed = PrivateKeyFromPem(pem.substr(0, n));
    ASSERT_FALSE(parsed.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
  // Only the final newline missing: still one whole block.
  EXPECT_TRUE(PrivateKeyFromPem(pem.substr(0, complete)).ok());
}

TEST_P(GeneratedKeyTest, EveryTruncatedDerFails) {
  PrivateKey key = MustGenerate(GetParam());
  std::string der = *PrivateKeyToDer(key.get());
  for (size_t n = 0; n < der.size(); ++n) {
    Result<PrivateKey> parsed = PrivateKeyFromDer(der.substr(0, n));
    ASSERT_FALSE(parsed.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_P(GeneratedKeyTest, TrailingDataIsRefused) {
  PrivateKey key = MustGenerate(GetParam());
  std::string pem = *PrivateKeyToPem(key.get());
  std::string der = *PrivateKeyToDer(key.get());
  ExpectRefused(PrivateKeyFromPem(pem + "garbage\n").status(), "outside the PEM block");
  ExpectRefused(PrivateKeyFromPem("garbage\n" + pem).status(), "outside the PEM block");
  ExpectRefused(PrivateKeyFromPem(pem + pem).status(), "found 2 PEM blocks");
  ExpectRefused(PrivateKeyFromDer(der + std::string(1, '\0')).status(), "not a valid private key");
  // Whitespace around the block is fine.
  EXPECT_TRUE(PrivateKeyFromPem("\n  " + pem + "\n\n").ok());
}

TEST(KeyTest, GeneratedKeysAreDistinct) {
  PrivateKey a = MustGenerate(KeyType::kP256);
  PrivateKey b = MustGenerate(KeyType::kP256);
  EXPECT_FALSE(SamePublicKey(a.get(), b.get()));
  EXPECT_TRUE(SamePublicKey(a.get(), a.get()));
}

TEST(KeyTest, SamePublicKeyIsFalseForNullAndOtherTypes) {
  PrivateKey ec = MustGenerate(KeyType::kP256);
  PrivateKey ed = MustGenerate(KeyType::kEd25519);
  EXPECT_FALSE(SamePublicKey(ec.get(), nullptr));
  EXPECT_FALSE(SamePublicKey(nullptr, ec.get()));
  EXPECT_FALSE(SamePublicKey(ec.get(), ed.get()));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(KeyTest, TraditionalPemFormsParse) {
  PrivateKey ec = MustGenerate(KeyType::kP256);
  std::string ec_pem = TraditionalPem(ec.get());
  ASSERT_THAT(ec_pem, StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  Result<PrivateKey> ec_back = PrivateKeyFromPem(ec_pem);
  ASSERT_TRUE(ec_back.ok()) << ec_back.status();
  EXPECT_TRUE(SamePublicKey(ec.get(), ec_back->get()));

  PrivateKey rsa = RsaKey(2048);
  std::string rsa_pem = TraditionalPem(rsa.get());
  ASSERT_THAT(rsa_pem, StartsWith("-----BEGIN RSA PRIVATE KEY-----"));
  Result<PrivateKey> rsa_back = PrivateKeyFromPem(rsa_pem);
  ASSERT_TRUE(rsa_back.ok()) << rsa_back.status();
  EXPECT_TRUE(SamePublicKey(rsa.get(), rsa_back->get()));
  EXPECT_EQ(DescribeKey(rsa_back->get()), "RSA 2048");
}

TEST(KeyTest, TraditionalDerFormsParse) {
  PrivateKey ec = MustGenerate(KeyType::kP256);
  std::string der = WriteBio([&](BIO* bio) { return i2d_PrivateKey_bio(bio, ec.get()); });
  Result<PrivateKey> back = PrivateKeyFromDer(der);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(SamePublicKey(ec.get(), back->get()));
  ExpectRefused(PrivateKeyFromDer(der + "x").status(), "not a valid private key");
}

TEST(KeyTest, OpensslCliKeysParse) {
  TempDir dir;
  struct {
    const char* args;
    const char* description;
  } cases[] = {
      {"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256", "ECDSA P-256"},
      {"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384", "ECDSA P-384"},
      {"genpkey -algorithm ED25519", "Ed25519"},
      {"genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048", "RSA 2048"},
      // ecparam writes an "EC PARAMETERS" block before the key.
      {"ecparam -name prime256v1 -genkey", "ECDSA P-256"},
  };
  for (const auto& c : cases) {
    std::string path = dir / "key.pem";
    ASSERT_TRUE(RunOpenssl(std::string(c.args) + " -out " + path)) << c.args;
    Result<PrivateKey> key = PrivateKeyFromPem(MustRead(path));
    ASSERT_TRUE(key.ok()) << c.args << ": " << key.status();
    EXPECT_EQ(DescribeKey(key->get()), c.description);
  }
}

TEST(KeyTest, EcParametersBlockAloneOrWithPkcs8IsRefused) {
  TempDir dir;
  ASSERT_TRUE(RunOpenssl("ecparam -name prime256v1 -out " + (dir / "params.pem")));
  std::string params = MustRead(dir / "params.pem");
  ExpectRefused(PrivateKeyFromPem(params).status(), "EC PARAMETERS");
  std::string pkcs8 = *PrivateKeyToPem(MustGenerate(KeyType::kP256).get());
  ExpectRefused(PrivateKeyFromPem(params + pkcs8).status(), "found 2 PEM blocks");
}

TEST(KeyPolicyTest, AcceptsAllowedKeys) {
  EXPECT_TRUE(CheckKeyPolicy(QuickKey("EC", "P-384").get()).ok());
  EXPECT_EQ(DescribeKey(QuickKey("EC", "P-384").get()), "ECDSA P-384");
  EXPECT_TRUE(CheckKeyPolicy(RsaKey(2048).get()).ok());
  EXPECT_TRUE(CheckKeyPolicy(RsaPublicKey(8192, 65537).get()).ok());
  EXPECT_TRUE(CheckKeyPolicy(RsaPublicKey(4096, 3).get()).ok());
}

TEST(KeyPolicyTest, RefusesWeakAndHugeRsa) {
  PrivateKey rsa1024 = RsaKey(1024);
  ExpectRefused(CheckKeyPolicy(rsa1024.get()), "RSA key of 1024 bits is too weak (minimum 2048)");
  ExpectRefused(CheckKeyPolicy(RsaPublicKey(2047, 65537).get()), "too weak");
  ExpectRefused(CheckKeyPolicy(RsaPublicKey(8193, 65537).get()),
                "RSA key of 8193 bits is too large (maximum 8192)");
  // The parsers apply the policy too.
  ExpectRefused(PrivateKeyFromPem(*PrivateKeyToPem(rsa1024.get())).status(), "too weak");
  ExpectRefused(PrivateKeyFromDer(*PrivateKeyToDer(rsa1024.get())).status(), "too weak");
  ExpectRefused(PublicKeyFromPem(*PublicKeyToPem(rsa1024.get())).status(), "too weak");
}

TEST(KeyPolicyTest, RefusesBadRsaExponents) {
  ExpectRefused(CheckKeyPolicy(RsaPublicKey(2048, 65536).get()), "odd");
  ExpectRefused(CheckKeyPolicy(RsaPublicKey(2048, 1).get()), "at least 3");
}

TEST(KeyPolicyTest, RefusesOtherCurves) {
  // P-521 is a fine curve, but the design allows P-256 and P-384 only; refuse until a user
  // needs it rather than widen what every peer must support.
  ExpectRefused(CheckKeyPolicy(QuickKey("EC", "P-521").get()), "EC curve P-521 is not allowed");
  ExpectRefused(CheckKeyPolicy(QuickKey("EC", "secp256k1").get()), "secp256k1");
  ExpectRefused(CheckKeyPolicy(QuickKey("EC", "prime192v1").get()), "not allowed");
}

TEST(KeyPolicyTest, RefusesExplicitCurveParameters) {
  TempDir dir;
  std::string path = dir / "explicit.pem";
  ASSERT_TRUE(
      RunOpenssl("ecparam -name prime256v1 -genkey -noout -param_enc explicit -out " + path));
  std::string pem = MustRead(path);
  ExpectRefused(PrivateKeyFromPem(pem).status(), "explicit curve parameters");
}

// Any signature "verifies" under the point at infinity, so it must never pass as a key.
TEST(KeyPolicyTest, RefusesTheEcPointAtInfinity) {
  auto builder = ossl::Own(OSSL_PARAM_BLD_new());
  const unsigned char infinity[] = {0x00};
  ASSERT_EQ(OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                            "prime256v1", 0), 1);
  ASSERT_EQ(OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, infinity,
                                             sizeof infinity), 1);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder.get());
  auto ctx = ossl::Own(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
  int made = EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params);
  OSSL_PARAM_free(params);
  PrivateKey key(raw);
  if (made != 1) GTEST_SKIP() << "this OpenSSL refuses to build the point at infinity";
  Status s = CheckKeyPolicy(key.get());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("point at infinity"));
  // A real P-256 key still passes.
  EXPECT_TRUE(CheckKeyPolicy(GenerateKey(KeyType::kP256)->get()).ok());
}

TEST(KeyPolicyTest, RefusesOtherAlgorithms) {
  PrivateKey dsa = DsaKey();
  ExpectRefused(CheckKeyPolicy(dsa.get()), "DSA 2048 keys are not allowed");
  ExpectRefused(PrivateKeyFromPem(*PrivateKeyToPem(dsa.get())).status(), "DSA");
  ExpectRefused(CheckKeyPolicy(QuickKey("ED448").get()), "Ed448 keys are not allowed");
  ExpectRefused(CheckKeyPolicy(QuickKey("X25519").get()), "not allowed");
  auto pss_ctx = ossl::Own(EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr));
  EVP_PKEY* pss = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen_init(pss_ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_keygen_bits(pss_ctx.get(), 2048), 1);
  ASSERT_EQ(EVP_PKEY_keygen(pss_ctx.get(), &pss), 1);
  ExpectRefused(CheckKeyPolicy(ossl::Own(pss).get()), "RSA-PSS keys are not allowed");
  ExpectRefused(CheckKeyPolicy(nullptr), "no key");
}

TEST(KeyParseTest, EncryptedKeysAreRefusedWithoutPrompting) {
  PrivateKey key = MustGenerate(KeyType::kP256);
  std::string pkcs8_pem = WriteBio([&](BIO* bio) {
    return PEM_write_bio_PKCS8PrivateKey(bio, key.get(), EVP_aes_256_cbc(), "pw", 2, nullptr,
                                         nullptr);
  });
  ASSERT_THAT(pkcs8_pem, StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  ExpectRefused(PrivateKeyFromPem(pkcs8_pem).status(), "encrypted");

  std::string legacy_pem = TraditionalPem(key.get(), EVP_aes_128_cbc());
  ASSERT_THAT(legacy_pem, HasSubstr("Proc-Type: 4,ENCRYPTED"));
  ExpectRefused(PrivateKeyFromPem(legacy_pem).status(), "encrypted");

  std::string pkcs8_der = WriteBio([&](BIO* bio) {
    return i2d_PKCS8PrivateKey_bio(bio, key.get(), EVP_aes_256_cbc(), const_cast<char*>("pw"), 2,
                                   nullptr, nullptr);
  });
  ExpectRefused(PrivateKeyFromDer(pkcs8_der).status(), "encrypted");
}

TEST(KeyParseTest, GarbageIsRefused) {
  for (std::string_view bad :
       {"hello", "-----BEGIN PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "   \n\t"}) {
    Result<PrivateKey> key = PrivateKeyFromPem(bad);
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(PublicKeyFromPem(bad).ok()) << bad;
    EXPECT_FALSE(PrivateKeyFromDer(bad).ok()) << bad;
  }
  EXPECT_EQ(PrivateKeyFromPem("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKeyFromDer("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PrivateKeyFromDer(std::string("\x30\x03\x02\x01\x00", 5)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(KeyParseTest, OversizedInputIsRefusedBeforeParsing) {
  std::string pem = *PrivateKeyToPem(MustGenerate(KeyType::kP256).get());
  std::string padded = pem + std::string(kMaxKeyBytes - pem.size(), '\n');
  EXPECT_TRUE(PrivateKeyFromPem(padded).ok());
  padded += "\n";
  EXPECT_EQ(PrivateKeyFromPem(padded).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(PublicKeyFromPem(padded).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(PrivateKeyFromDer(std::string(kMaxKeyBytes + 1, '\x30')).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(KeyParseTest, WrongBlockTypesAreRefused) {
  PrivateKey key = MustGenerate(KeyType::kP256);
  std::string private_pem = *PrivateKeyToPem(key.get());
  std::string public_pem = *PublicKeyToPem(key.get());
  ExpectRefused(PrivateKeyFromPem(public_pem).status(), "expected a PRIVATE KEY PEM block");
  ExpectRefused(PublicKeyFromPem(private_pem).status(), "expected a PUBLIC KEY PEM block");
  ExpectRefused(PublicKeyFromPem(public_pem + public_pem).status(), "found 2 PEM blocks");
  ExpectRefused(PublicKeyFromPem(public_pem + "x").status(), "outside the PEM block");
  // Public key DER is not a private key.
  ExpectRefused(PrivateKeyFromDer(*PublicKeyToDer(key.get())).status(), "not a valid private key");
}

TEST(KeyParseTest, ErrorQueueIsLeftEmpty) {
  ERR_clear_error();
  EXPECT_FALSE(PrivateKeyFromDer("\x30\x01").ok());
  EXPECT_TRUE(PrivateKeyFromPem(*PrivateKeyToPem(MustGenerate(KeyType::kP256).get())).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace wott::pki
