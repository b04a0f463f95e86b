// Certificate signing requests (PKCS#10) as received from devices: parsing with a size
// limit, proof-of-possession and key-policy checks, and creation (for the agent and tests).
// Thread-safe.
//
// The issuer takes only the public key from a CSR: the subject and any extensions the
// requester asks for are ignored, so identity is never the requester's choice.
#ifndef WOTT_PKI_CSR_H_
#define WOTT_PKI_CSR_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "ossl/unique_ptr.h"
#include "pki/key.h"

namespace wott::pki {

// Largest CSR we parse, PEM or DER. A P-256 CSR is ~400 bytes, RSA-8192 ~2.5 KiB.
inline constexpr size_t kMaxCsrBytes = 16 * 1024;

using Csr = ossl::UniquePtr<X509_REQ>;

// Parses one CSR in PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER form.
// Fails with kResourceExhausted when larger than kMaxCsrBytes, kInvalidArgument on
// garbage, truncation, trailing data or several PEM blocks.
Result<Csr> ParseCsr(std::string_view pem_or_der);

// Checks a parsed CSR: its self-signature verifies with its own key (proof of possession)
// and the key passes CheckKeyPolicy. Returns the public key on success.
Result<PrivateKey> VerifyCsr(X509_REQ* csr);

// ParseCsr + VerifyCsr.
Result<PrivateKey> ParseAndVerifyCsr(std::string_view pem_or_der);

// Owns an X509_PUBKEY (ossl::UniquePtr has no deleter for it).
struct SpkiDeleter {
  void operator()(X509_PUBKEY* p) const;
};
using Spki = std::unique_ptr<X509_PUBKEY, SpkiDeleter>;

// What issuance takes from a CSR that passed every check of VerifyCsr.
struct VerifiedCsr {
  // The requester's public key; passed CheckKeyPolicy.
  PrivateKey public_key;
  // Its SubjectPublicKeyInfo as the CSR encodes it (algorithm and key bits only: no decoded
  // key is attached), for the issuer to copy instead of re-encoding `public_key`.
  Spki spki;
};

// ParseCsr + VerifyCsr in one step, for issuance. Accepts and refuses exactly what those
// two do, with the same codes and messages, but costs less than half for ECDSA P-256/P-384
// and Ed25519 keys: OpenSSL 3.0's d2i_X509_REQ decodes the public key through the provider
// decoder framework (a new OSSL_DECODER_CTX per call), which costs more than verifying the
// signature. For those key types the request is parsed with an ASN.1 template that keeps
// the SubjectPublicKeyInfo raw, the key is built from its bits (EVP_PKEY_dup of a per-curve
// parameters-only key + EVP_PKEY_set1_encoded_public_key; EVP_PKEY_new_raw_public_key for
// Ed25519), and the signature is checked over the original request-info bytes with the
// same steps as X509_REQ_verify. Any other key type or encoding takes the generic path.
Result<VerifiedCsr> ParseAndVerifyCsrForIssuance(std::string_view pem_or_der);

// Builds a CSR signed by `key` with subject CN=`common_name` (may be empty) and no
// extensions. Used by the agent; the server ignores the subject anyway.
Result<Csr> CreateCsr(EVP_PKEY* key, std::string_view common_name);

Result<std::string> CsrToPem(X509_REQ* csr);
Result<std::string> CsrToDer(X509_REQ* csr);

namespace internal {

// The two paths behind ParseAndVerifyCsrForIssuance, exposed so tests can check they agree.
// The fast path takes DER (at most kMaxCsrBytes) and returns nullopt for a request it does
// not handle; the generic path is ParseCsr + VerifyCsr.
Result<std::optional<VerifiedCsr>> ParseAndVerifyCsrDerFast(std::string_view der);
Result<VerifiedCsr> ParseAndVerifyCsrGeneric(std::string_view pem_or_der);

}  // namespace internal

}  // namespace wott::pki

#endif  // WOTT_PKI_CSR_H_
