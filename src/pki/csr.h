// Certificate signing requests (PKCS#10) as received from devices: parsing with a size
// limit, proof-of-possession and key-policy checks, and creation (for the agent and tests).
// Thread-safe.
//
// The issuer takes only the public key from a CSR: the subject and any extensions the
// requester asks for are ignored, so identity is never the requester's choice.
#ifndef WOTT_PKI_CSR_H_
#define WOTT_PKI_CSR_H_

#include <cstddef>
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

// Builds a CSR signed by `key` with subject CN=`common_name` (may be empty) and no
// extensions. Used by the agent; the server ignores the subject anyway.
Result<Csr> CreateCsr(EVP_PKEY* key, std::string_view common_name);

Result<std::string> CsrToPem(X509_REQ* csr);
Result<std::string> CsrToDer(X509_REQ* csr);

}  // namespace wott::pki

#endif  // WOTT_PKI_CSR_H_
