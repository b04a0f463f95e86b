#include "pki/key.h"

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "ossl/error.h"

namespace wott::pki {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
// CA/Browser Forum baseline requirements: an odd public exponent of at most 256 bits.
constexpr int kMaxRsaExponentBits = 256;

constexpr std::string_view kEncryptedKeyMessage =
    "the private key is encrypted; provide an unencrypted key (openssl pkey -in KEY -out "
    "PLAIN)";

// The contents of a memory BIO.
std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  if (data == nullptr || size <= 0) return {};
  return std::string(data, static_cast<size_t>(size));
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Reads an EVP_PKEY string parameter ("" when the key has none).
std::string StringParam(EVP_PKEY* key, const char* name) {
  char buf[80] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, name, buf, sizeof buf, &len) != 1) return {};
  return std::string(buf, len);
}

std::string_view CurveDisplayName(std::string_view group) {
  if (group == "prime256v1") return "P-256";
  if (group == "secp384r1") return "P-384";
  if (group == "secp521r1") return "P-521";
  return group;
}

Status CheckEcPolicy(EVP_PKEY* key) {
  // Explicit parameters are forbidden in PKIX (RFC 5480) and were the root of CVE-2020-0601;
  // OpenSSL maps explicit parameters of a known curve to its name, so check the encoding.
  if (StringParam(key, OSSL_PKEY_PARAM_EC_ENCODING) != OSSL_PKEY_EC_ENCODING_GROUP) {
    ERR_clear_error();
    return InvalidArgument(
        "EC key uses explicit curve parameters; only named curves "
        "(P-256, P-384) are allowed");
  }
  // The point at infinity (encoded as the single byte 00) decodes as a valid key, but any
  // signature "verifies" under it: a forged proof of possession.
  unsigned char point[1];
  size_t point_len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                      sizeof point, &point_len) == 1 &&
      point_len == 1) {
    return InvalidArgument("invalid EC public key (point at infinity)");
  }
  ERR_clear_error();  // the buffer is too small for any real point: expected
  std::string group = StringParam(key, OSSL_PKEY_PARAM_GROUP_NAME);
  ERR_clear_error();
  if (group == "prime256v1" || group == "secp384r1") return Status::Ok();
  return InvalidArgument("EC curve " + std::string(CurveDisplayName(group)) +
                         " is not allowed (use P-256 or P-384)");
}

Status CheckRsaPolicy(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  if (bits < kMinRsaBits) {
    return InvalidArgument("RSA key of " + std::to_string(bits) + " bits is too weak (minimum " +
                           std::to_string(kMinRsaBits) + ")");
  }
  if (bits > kMaxRsaBits) {
    return InvalidArgument("RSA key of " + std::to_string(bits) + " bits is too large (maximum " +
                           std::to_string(kMaxRsaBits) + ")");
  }
  BIGNUM* raw_e = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &raw_e) != 1) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument, "RSA key has no public exponent");
  }
  ossl::UniquePtr<BIGNUM> e = ossl::Own(raw_e);
  if (!BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_is_negative(e.get())) {
    return InvalidArgument("RSA public exponent must be odd and at least 3");
  }
  if (BN_num_bits(e.get()) > kMaxRsaExponentBits) {
    return InvalidArgument("RSA public exponent is too large");
  }
  return Status::Ok();
}

// Owners for the two types src/ossl has no deleter for (they appear only here).
struct Pkcs8Free {
  void operator()(PKCS8_PRIV_KEY_INFO* p) const { PKCS8_PRIV_KEY_INFO_free(p); }
};
struct X509SigFree {
  void operator()(X509_SIG* p) const { X509_SIG_free(p); }
};

// Runs a d2i_* `parse` and insists that the object spans the whole input: no trailing bytes.
template <typename T, typename Free = ossl::Deleter<T>, typename Parse>
std::unique_ptr<T, Free> ParseWhole(std::string_view der, Parse parse) {
  const unsigned char* p = Bytes(der);
  std::unique_ptr<T, Free> obj(parse(&p, static_cast<long>(der.size())));
  if (obj == nullptr || p != Bytes(der) + der.size()) return nullptr;
  return obj;
}

auto ParsePkcs8(std::string_view der) {
  return ParseWhole<PKCS8_PRIV_KEY_INFO, Pkcs8Free>(
      der, [](const unsigned char** p, long n) { return d2i_PKCS8_PRIV_KEY_INFO(nullptr, p, n); });
}

// The type of key a traditional private key DER would hold, judged by its first fields:
// RSAPrivateKey (RFC 8017) is SEQUENCE { INTEGER 0, INTEGER n, ... }, ECPrivateKey (RFC 5915)
// is SEQUENCE { INTEGER 1, OCTET STRING, ... }. EVP_PKEY_NONE otherwise. d2i_PrivateKey runs
// OpenSSL 3's decoder search (~1 ms a call), so this keeps it off inputs that cannot match.
int SniffTraditionalType(std::string_view der) {
  const unsigned char* p = Bytes(der);
  const unsigned char* end = p + der.size();
  long len = 0;
  int tag = 0;
  int cls = 0;
  int type = EVP_PKEY_NONE;
  int ret = ASN1_get_object(&p, &len, &tag, &cls, end - p);
  if (ret == (V_ASN1_CONSTRUCTED) && tag == V_ASN1_SEQUENCE && cls == V_ASN1_UNIVERSAL) {
    ret = ASN1_get_object(&p, &len, &tag, &cls, end - p);
    if (ret == 0 && tag == V_ASN1_INTEGER && cls == V_ASN1_UNIVERSAL && len == 1) {
      unsigned char version = *p++;
      ret = ASN1_get_object(&p, &len, &tag, &cls, end - p);
      if (ret == 0 && cls == V_ASN1_UNIVERSAL) {
        if (version == 0 && tag == V_ASN1_INTEGER) type = EVP_PKEY_RSA;
        if (version == 1 && tag == V_ASN1_OCTET_STRING) type = EVP_PKEY_EC;
      }
    }
  }
  ERR_clear_error();  // ASN1_get_object queues errors on malformed input
  return type;
}

// Decodes a traditional EC or RSA private key of the sniffed `type` spanning all of `der`.
PrivateKey DecodeTraditional(std::string_view der, int type) {
  if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) return nullptr;
  return ParseWhole<EVP_PKEY>(
      der, [type](const unsigned char** p, long n) { return d2i_PrivateKey(type, nullptr, p, n); });
}

// Decodes DER private keys: PKCS#8, then the traditional EC and RSA forms. Null when the
// input is none of these; `*encrypted` is set for an EncryptedPrivateKeyInfo.
PrivateKey DecodePrivateDer(std::string_view der, bool* encrypted) {
  *encrypted = false;
  auto p8 = ParsePkcs8(der);
  if (p8 != nullptr) return ossl::Own(EVP_PKCS82PKEY(p8.get()));
  auto sig = ParseWhole<X509_SIG, X509SigFree>(
      der, [](const unsigned char** p, long n) { return d2i_X509_SIG(nullptr, p, n); });
  if (sig != nullptr) {
    *encrypted = true;
    return nullptr;
  }
  return DecodeTraditional(der, SniffTraditionalType(der));
}

Result<PrivateKey> FinishPrivateKey(PrivateKey key, std::string_view what) {
  if (key == nullptr) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "not a valid private key (" + std::string(what) + ")");
  }
  ERR_clear_error();  // failed attempts of other forms
  RETURN_IF_ERROR(CheckKeyPolicy(key.get()));
  return key;
}

Status CheckSize(std::string_view text, std::string_view what) {
  if (text.size() > kMaxKeyBytes) {
    return ResourceExhausted(std::string(what) + " is larger than " + std::to_string(kMaxKeyBytes) +
                             " bytes");
  }
  if (text.empty()) return InvalidArgument(std::string(what) + " is empty");
  return Status::Ok();
}

template <typename Write>
Result<std::string> WriteToBio(Write write, std::string_view failure) {
  ossl::UniquePtr<BIO> bio = ossl::Own(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument, std::string(failure));
  }
  return BioContents(bio.get());
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kP256:
      return "p256";
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kRsa3072:
      return "rsa3072";
  }
  return "unknown";
}

Result<KeyType> ParseKeyType(std::string_view name) {
  for (KeyType type : {KeyType::kP256, KeyType::kEd25519, KeyType::kRsa3072}) {
    if (name == KeyTypeName(type)) return type;
  }
  return InvalidArgument("unknown key type \"" + std::string(name.substr(0, 32)) +
                         "\" (use p256, ed25519 or rsa3072)");
}

Result<PrivateKey> GenerateKey(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::kP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kEd25519:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case KeyType::kRsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072));
      break;
  }
  if (key == nullptr) return ossl::ErrorStatus(StatusCode::kInternal, "key generation failed");
  return ossl::Own(key);
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  // OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY") for every key type.
  return WriteToBio(
      [key](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
      },
      "cannot encode the private key (is it a public key?)");
}

Result<std::string> PrivateKeyToDer(EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  return WriteToBio(
      [key](BIO* bio) {
        return i2d_PKCS8PrivateKey_bio(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
      },
      "cannot encode the private key (is it a public key?)");
}

Result<PrivateKey> PrivateKeyFromPem(std::string_view pem) {
  RETURN_IF_ERROR(CheckSize(pem, "private key"));
  ASSIGN_OR_RETURN(std::vector<internal::PemBlock> blocks, internal::DecodePemBlocks(pem));
  // `openssl ecparam -genkey` writes the curve parameters before the key; the key names
  // its curve itself, so that block carries nothing we need.
  size_t first = 0;
  if (blocks.size() == 2 && blocks[0].label == "EC PARAMETERS" &&
      blocks[1].label == "EC PRIVATE KEY") {
    first = 1;
  }
  if (blocks.size() - first != 1) {
    return InvalidArgument("expected one private key PEM block, found " +
                           std::to_string(blocks.size()) + " PEM blocks");
  }
  const internal::PemBlock& block = blocks[first];
  if (block.label == "ENCRYPTED PRIVATE KEY" ||
      block.headers.find("ENCRYPTED") != std::string::npos) {
    return InvalidArgument(std::string(kEncryptedKeyMessage));
  }
  if (!block.headers.empty()) return InvalidArgument("unexpected headers in the PEM block");
  PrivateKey key;
  if (block.label == "PRIVATE KEY") {
    auto p8 = ParsePkcs8(block.der);
    if (p8 != nullptr) key = ossl::Own(EVP_PKCS82PKEY(p8.get()));
  } else if (block.label == "EC PRIVATE KEY" || block.label == "RSA PRIVATE KEY") {
    int type = block.label[0] == 'E' ? EVP_PKEY_EC : EVP_PKEY_RSA;
    if (SniffTraditionalType(block.der) == type) key = DecodeTraditional(block.der, type);
  } else {
    return InvalidArgument("expected a PRIVATE KEY PEM block, found \"" +
                           block.label.substr(0, 40) + "\"");
  }
  return FinishPrivateKey(std::move(key), "PEM");
}

Result<PrivateKey> PrivateKeyFromDer(std::string_view der) {
  RETURN_IF_ERROR(CheckSize(der, "private key"));
  bool encrypted = false;
  PrivateKey key = DecodePrivateDer(der, &encrypted);
  if (encrypted) {
    ERR_clear_error();
    return InvalidArgument(std::string(kEncryptedKeyMessage));
  }
  return FinishPrivateKey(std::move(key), "DER");
}

Result<std::string> PublicKeyToPem(EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  return WriteToBio([key](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key); },
                    "cannot encode the public key");
}

Result<std::string> PublicKeyToDer(EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  return WriteToBio([key](BIO* bio) { return i2d_PUBKEY_bio(bio, key); },
                    "cannot encode the public key");
}

Result<PrivateKey> PublicKeyFromPem(std::string_view pem) {
  RETURN_IF_ERROR(CheckSize(pem, "public key"));
  ASSIGN_OR_RETURN(std::vector<internal::PemBlock> blocks, internal::DecodePemBlocks(pem));
  if (blocks.size() != 1) {
    return InvalidArgument("expected one public key PEM block, found " +
                           std::to_string(blocks.size()) + " PEM blocks");
  }
  const internal::PemBlock& block = blocks[0];
  if (block.label != "PUBLIC KEY" || !block.headers.empty()) {
    return InvalidArgument("expected a PUBLIC KEY PEM block, found \"" + block.label.substr(0, 40) +
                           "\"");
  }
  auto key = ParseWhole<EVP_PKEY>(
      block.der, [](const unsigned char** p, long n) { return d2i_PUBKEY(nullptr, p, n); });
  if (key == nullptr) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument, "not a valid public key");
  }
  ERR_clear_error();
  RETURN_IF_ERROR(CheckKeyPolicy(key.get()));
  return key;
}

Status CheckKeyPolicy(EVP_PKEY* key) {
  if (key == nullptr) return InvalidArgument("no key");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC:
      return CheckEcPolicy(key);
    case EVP_PKEY_ED25519:
      return Status::Ok();
    case EVP_PKEY_RSA:
      return CheckRsaPolicy(key);
    case EVP_PKEY_RSA_PSS:
      return InvalidArgument("RSA-PSS keys are not allowed (use a plain RSA key)");
    default:
      return InvalidArgument(DescribeKey(key) +
                             " keys are not allowed (use ECDSA P-256 or P-384, Ed25519, or "
                             "RSA of 2048 to 8192 bits)");
  }
}

std::string DescribeKey(EVP_PKEY* key) {
  if (key == nullptr) return "no key";
  std::string bits = std::to_string(EVP_PKEY_get_bits(key));
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      std::string group = StringParam(key, OSSL_PKEY_PARAM_GROUP_NAME);
      ERR_clear_error();
      if (group.empty()) return "ECDSA (explicit parameters)";
      return "ECDSA " + std::string(CurveDisplayName(group));
    }
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_ED448:
      return "Ed448";
    case EVP_PKEY_RSA:
      return "RSA " + bits;
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS " + bits;
    case EVP_PKEY_DSA:
      return "DSA " + bits;
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return name != nullptr ? name : "unknown";
    }
  }
}

bool SamePublicKey(EVP_PKEY* a, EVP_PKEY* b) {
  if (a == nullptr || b == nullptr) return false;
  bool same = EVP_PKEY_eq(a, b) == 1;
  ERR_clear_error();  // comparing keys of different types queues an error
  return same;
}

namespace internal {

PemBlock::~PemBlock() { OPENSSL_cleanse(der.data(), der.size()); }

Result<std::vector<PemBlock>> DecodePemBlocks(std::string_view text) {
  ossl::UniquePtr<BIO> bio = ossl::Own(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return ossl::ErrorStatus(StatusCode::kInternal, "out of memory");
  std::vector<PemBlock> blocks;
  while (true) {
    // PEM_read_bio_ex skips any text before a block, so check what is left ourselves.
    char* rest = nullptr;
    long rest_size = BIO_get_mem_data(bio.get(), &rest);
    std::string_view remaining(rest, rest_size > 0 ? static_cast<size_t>(rest_size) : 0);
    size_t start = 0;
    while (start < remaining.size() && std::isspace(static_cast<unsigned char>(remaining[start]))) {
      ++start;
    }
    if (start == remaining.size()) break;
    if (remaining.substr(start).rfind("-----BEGIN ", 0) != 0) {
      if (blocks.empty() && remaining.find("-----BEGIN ") == std::string_view::npos) {
        return InvalidArgument("not PEM: no \"-----BEGIN\" line");
      }
      return InvalidArgument("unexpected text outside the PEM block");
    }
    // Skip the whitespace: PEM_read_bio_ex wants "-----BEGIN" at the start of a line.
    char scratch[256];
    for (size_t left = start; left > 0;) {
      int n = BIO_read(bio.get(), scratch, static_cast<int>(std::min(left, sizeof scratch)));
      if (n <= 0) return ossl::ErrorStatus(StatusCode::kInternal, "cannot read PEM text");
      left -= static_cast<size_t>(n);
    }
    char* name = nullptr;
    char* headers = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    // PEM_FLAG_SECURE: the body may be a private key, keep it in the secure heap.
    if (PEM_read_bio_ex(bio.get(), &name, &headers, &data, &len,
                        PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1) {
      return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                               "malformed PEM block (truncated or bad base64)");
    }
    PemBlock& block = blocks.emplace_back();
    block.label = name;
    block.headers = headers;
    block.der.assign(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
    // With PEM_FLAG_SECURE all three outputs come from the secure allocator.
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(headers);
    OPENSSL_secure_clear_free(data, static_cast<size_t>(len));
  }
  if (blocks.empty()) return InvalidArgument("not PEM: no \"-----BEGIN\" line");
  return blocks;
}

}  // namespace internal

}  // namespace wott::pki
