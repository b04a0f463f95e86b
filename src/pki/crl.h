// Certificate revocation lists (RFC 5280 section 5): reasons, and building a signed CRL
// from the registry's revoked serials. Thread-safe.
#ifndef WOTT_PKI_CRL_H_
#define WOTT_PKI_CRL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "ossl/unique_ptr.h"
#include "pki/issuer.h"
#include "pki/revocation_reason.h"

namespace wott::pki {

struct RevokedCertificate {
  std::string serial_hex;  // lowercase hex, as SerialHex() prints it
  TimePoint revoked_at;
  RevocationReason reason = RevocationReason::kUnspecified;
};

using Crl = ossl::UniquePtr<X509_CRL>;

// Builds a v2 CRL signed by `issuer`: thisUpdate = now, nextUpdate = now + validity,
// cRLNumber = crl_number, AKI, and one entry per revoked certificate (with its reason code
// unless unspecified), sorted by serial. kInvalidArgument on a malformed serial.
Result<Crl> BuildCrl(const Issuer& issuer, const std::vector<RevokedCertificate>& revoked,
                     uint64_t crl_number, Duration validity);

Result<std::string> CrlToDer(X509_CRL* crl);
Result<std::string> CrlToPem(X509_CRL* crl);
Result<Crl> ParseCrlDer(std::string_view der);
Result<Crl> ParseCrlPem(std::string_view pem);

}  // namespace wott::pki

#endif  // WOTT_PKI_CRL_H_
