// Private and public keys: generation, PKCS#8 / SubjectPublicKeyInfo encoding, and the key
// policy every CSR and every CA key must pass. Functions are thread-safe; an EVP_PKEY may
// be shared read-only between threads (OpenSSL 3 guarantees this for signing).
#ifndef WOTT_PKI_KEY_H_
#define WOTT_PKI_KEY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ossl/unique_ptr.h"

namespace wott::pki {

enum class KeyType {
  kP256,     // ECDSA on NIST P-256 (prime256v1), the default
  kEd25519,  // EdDSA on Curve25519
  kRsa3072,  // RSA, 3072-bit modulus
};

// "p256", "ed25519", "rsa3072".
std::string_view KeyTypeName(KeyType type);
// Inverse of KeyTypeName; kInvalidArgument on anything else.
Result<KeyType> ParseKeyType(std::string_view name);

using PrivateKey = ossl::UniquePtr<EVP_PKEY>;

// Largest key text we parse, PEM or DER (an RSA-8192 PKCS#8 PEM is ~6.5 KiB). Larger input
// fails with kResourceExhausted.
inline constexpr size_t kMaxKeyBytes = 64 * 1024;

// A fresh key of `type` from OpenSSL's DRBG.
Result<PrivateKey> GenerateKey(KeyType type);

// Unencrypted PKCS#8 ("-----BEGIN PRIVATE KEY-----") and its DER form.
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);
Result<std::string> PrivateKeyToDer(EVP_PKEY* key);
// Parses PKCS#8 PEM (also the traditional "EC PRIVATE KEY"/"RSA PRIVATE KEY" forms) or
// DER. kInvalidArgument with a clear message on garbage, truncation, trailing data, several
// key blocks or an encrypted key; the key must also pass CheckKeyPolicy. One "EC
// PARAMETERS" block before an "EC PRIVATE KEY" (what `openssl ecparam -genkey` writes) is
// skipped. Never prompts for a password.
Result<PrivateKey> PrivateKeyFromPem(std::string_view pem);
Result<PrivateKey> PrivateKeyFromDer(std::string_view der);

// SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") / DER.
Result<std::string> PublicKeyToPem(EVP_PKEY* key);
Result<std::string> PublicKeyToDer(EVP_PKEY* key);
// Exactly one "PUBLIC KEY" block; the key must pass CheckKeyPolicy.
Result<PrivateKey> PublicKeyFromPem(std::string_view pem);

// Accepts ECDSA on P-256 and P-384, Ed25519, and RSA with a modulus of 2048 to 8192 bits.
// Refuses everything else (DSA, other curves, weak or huge RSA) with kInvalidArgument and a
// message naming the problem ("RSA key of 1024 bits is too weak (minimum 2048)").
Status CheckKeyPolicy(EVP_PKEY* key);

// A short human description: "ECDSA P-256", "Ed25519", "RSA 3072".
std::string DescribeKey(EVP_PKEY* key);

// True when `a` and `b` hold the same public key; false when either is null.
bool SamePublicKey(EVP_PKEY* a, EVP_PKEY* b);

namespace internal {

// One block of a PEM text. Shared by this module's key and CSR parsers; not a general API.
struct PemBlock {
  PemBlock() = default;
  PemBlock(const PemBlock&) = default;
  PemBlock& operator=(const PemBlock&) = default;
  ~PemBlock();  // cleanses `der`, which may hold a private key

  std::string label;    // "PRIVATE KEY", "CERTIFICATE REQUEST", ...
  std::string headers;  // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED ..."); usually empty
  std::string der;      // the decoded base64 body
};

// Decodes every PEM block of `text` in order. Only whitespace may come before, between and
// after the blocks. kInvalidArgument (user-safe message) when there is no block, other text,
// a truncated block or bad base64. REQUIRES: the caller has bounded text.size().
Result<std::vector<PemBlock>> DecodePemBlocks(std::string_view text);

}  // namespace internal

}  // namespace wott::pki

#endif  // WOTT_PKI_KEY_H_
