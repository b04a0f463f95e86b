// Device certificates encoded straight to DER from a per-issuer template.
//
// Issuer::IssueDeviceForCsr builds an X509 object, copies the issuer name into it, adds
// each extension through OpenSSL's generic ASN.1 code, and X509_sign re-encodes it all;
// the server then encodes it again for PEM and once more for the fingerprint. Most of the
// certificate is the same for every device of an issuer (version, signature algorithm,
// issuer name, subject O=, basicConstraints, keyUsage, extendedKeyUsage, AKI, CRL and OCSP
// pointers), so the template holds those parts encoded once and each certificate writes
// only what varies: serial, validity, CN, SAN, SubjectPublicKeyInfo and SKI. The signing
// context (digest and key fetched from the provider) is also set up once and copied per
// signature. The bytes are the ones IssueDeviceForCsr would produce for the same serial
// and times (issuer_test checks it field by field).
//
// Thread safety: a DeviceCertTemplate is immutable after Create(); Issue may be called
// from many threads at once.
#ifndef WOTT_PKI_DEVICE_TEMPLATE_H_
#define WOTT_PKI_DEVICE_TEMPLATE_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "ossl/unique_ptr.h"

namespace wott::pki {

// A certificate as DER plus the fields a registry records about it.
struct EncodedCertificate {
  std::string der;
  std::string serial_hex;  // lowercase, no leading zeros (as SerialHex)
  TimePoint not_before;    // whole seconds, as encoded
  TimePoint not_after;
};

class DeviceCertTemplate {
 public:
  struct Parts {
    EVP_PKEY* ca_key = nullptr;  // up-referenced by Create
    X509_NAME* issuer_name = nullptr;
    std::string organization;
    // The encoded extensions that come before the SAN (basicConstraints, keyUsage,
    // extendedKeyUsage) and after the SKI (AKI, CRL distribution point, OCSP), in order.
    std::string extensions_before_san;
    std::string extensions_after_ski;
  };

  // Returns null (not an error) when the parts cannot be templated: an organization that
  // is not Encodable, a CA key type without a known signature algorithm. The caller then
  // keeps the generic path.
  static Result<std::unique_ptr<DeviceCertTemplate>> Create(const Parts& parts);

  // True when `value` (an O= or CN=) is 1-64 printable ASCII characters: OpenSSL encodes
  // those as this template does (a UTF8String); anything else takes the generic path.
  static bool Encodable(std::string_view value);

  // Encodes and signs a certificate for subject CN `common_name`, SAN DNS `common_name` and
  // URI `uri`, key `spki`, valid [not_before, not_after] (truncated to seconds).
  // REQUIRES: Encodable(common_name).
  Result<EncodedCertificate> Issue(std::string_view common_name, std::string_view uri,
                                   X509_PUBKEY* spki, TimePoint not_before,
                                   TimePoint not_after) const;

 private:
  DeviceCertTemplate() = default;

  std::string signature_algorithm_;  // AlgorithmIdentifier DER
  std::string issuer_name_;          // Name DER
  std::string organization_rdn_;     // SET { O= } DER, empty without an organization
  std::string extensions_before_san_;
  std::string extensions_after_ski_;
  ossl::UniquePtr<EVP_MD_CTX> sign_template_;  // DigestSignInit done; copied per signature
};

// PEM ("-----BEGIN <label>-----", 64-column base64) of `der`.
std::string DerToPem(std::string_view der, std::string_view label);

}  // namespace wott::pki

#endif  // WOTT_PKI_DEVICE_TEMPLATE_H_
