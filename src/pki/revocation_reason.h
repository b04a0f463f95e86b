// Why a certificate was revoked: the CRLReason codes of RFC 5280 5.3.1, shared by the CRL and
// OCSP code and by the registry (which stores the numeric code). No OpenSSL in here, so any
// module may include it. Pure functions; thread-safe.
#ifndef WOTT_PKI_REVOCATION_REASON_H_
#define WOTT_PKI_REVOCATION_REASON_H_

#include <optional>
#include <string_view>

#include "base/result.h"

namespace wott::pki {

// The numeric values are the ones on the wire; 7 is unused by the RFC.
enum class RevocationReason : int {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kCertificateHold = 6,
  kRemoveFromCrl = 8,
  kPrivilegeWithdrawn = 9,
  kAaCompromise = 10,
};

// "unspecified", "key_compromise", "ca_compromise", "affiliation_changed", "superseded",
// "cessation_of_operation", "certificate_hold", "remove_from_crl", "privilege_withdrawn",
// "aa_compromise"; "unknown" for a value outside the enum.
std::string_view RevocationReasonName(RevocationReason reason);
// Inverse of RevocationReasonName (also accepts the camelCase RFC names, e.g.
// "keyCompromise"); kInvalidArgument listing the valid names otherwise.
Result<RevocationReason> ParseRevocationReason(std::string_view name);
// The reason with this RFC 5280 code; nullopt for 7 and codes outside 0..10.
std::optional<RevocationReason> RevocationReasonFromCode(int code);

}  // namespace wott::pki

#endif  // WOTT_PKI_REVOCATION_REASON_H_
