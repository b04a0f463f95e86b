// Certificate issuance: the profiles of every certificate wott makes (root, intermediate,
// device, server TLS, OCSP responder) and the Issuer that signs them with a CA key.
//
// Identity is never the requester's choice: the issuer takes only a public key from the
// caller and sets subject, SANs and extensions itself. Every certificate gets a random
// positive 127-bit serial, SKI and AKI, and a notBefore backdated one minute for clock
// skew; notAfter never exceeds the issuing CA's own notAfter.
//
// Thread safety: an Issuer is immutable after Create(); its Issue* methods may be called
// from many threads at once.
#ifndef WOTT_PKI_ISSUER_H_
#define WOTT_PKI_ISSUER_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/device_id.h"
#include "pki/device_template.h"
#include "pki/key.h"

namespace wott::pki {

using std::chrono::days;

inline constexpr Duration kRootLifetime = days(20 * 365 + 5);
inline constexpr Duration kIntermediateLifetime = days(5 * 365 + 1);
inline constexpr Duration kDeviceLifetime = days(7);
inline constexpr Duration kServerTlsLifetime = days(397);
inline constexpr Duration kOcspResponderLifetime = days(30);
// How far notBefore is set in the past, so peers with a slow clock accept new certificates.
inline constexpr Duration kBackdate = std::chrono::minutes(1);

struct IssuerOptions {
  // DNS domain of device names: "<hex>.d.<domain>" and "spiffe://<domain>/device/<hex>".
  std::string domain = std::string(kDefaultDomain);
  // Subject O= of every certificate issued.
  std::string organization = "wott";
  // Public base URL of the server ("https://ca.example.com:8443"). When set, device and
  // server certificates carry a CRL distribution point (<url>/v1/crl) and an OCSP URL
  // (<url>/v1/ocsp); when empty they carry neither.
  std::string public_url;
};

// Makes a self-signed root: CA:TRUE, keyUsage keyCertSign + cRLSign (critical).
Result<Certificate> MakeRootCertificate(EVP_PKEY* key, std::string_view common_name,
                                        std::string_view organization, Duration lifetime,
                                        TimePoint now);

class Issuer {
 public:
  // `ca_cert` must be a CA certificate whose public key matches `ca_key`; `clock` must
  // outlive the Issuer. Fails with kInvalidArgument otherwise.
  static Result<Issuer> Create(Certificate ca_cert, PrivateKey ca_key, IssuerOptions options,
                               const Clock* clock);

  // Intermediate CA: CA:TRUE, pathlen 0, keyCertSign + cRLSign.
  Result<Certificate> IssueIntermediate(EVP_PKEY* public_key, std::string_view common_name,
                                        Duration lifetime = kIntermediateLifetime) const;

  // Device: CN = SAN DNS = id.Name(domain), SAN URI = id.SpiffeUri(domain), CA:FALSE,
  // digitalSignature, EKU clientAuth + serverAuth.
  Result<Certificate> IssueDevice(const DeviceId& id, EVP_PKEY* public_key,
                                  Duration lifetime = kDeviceLifetime) const;

  // The same for a CSR checked by ParseAndVerifyCsrForIssuance, copying its encoded
  // SubjectPublicKeyInfo as is. Faster than IssueDevice(EVP_PKEY*): OpenSSL 3.0 re-encodes
  // an EVP_PKEY through its slow provider encoders.
  Result<Certificate> IssueDeviceForCsr(const DeviceId& id, const VerifiedCsr& csr,
                                        Duration lifetime = kDeviceLifetime) const;

  // The same certificate, returned encoded: written from a per-issuer template and signed
  // with a prepared context, without an X509 object (see device_template.h), so the caller
  // gets DER, serial and validity without re-encoding. Issuers whose names or key type the
  // template does not cover take IssueDeviceForCsr and encode its result.
  Result<EncodedCertificate> IssueDeviceDerForCsr(const DeviceId& id, const VerifiedCsr& csr,
                                                  Duration lifetime = kDeviceLifetime) const;

  // Server TLS: EKU serverAuth; `sans` are DNS names or IP addresses (at least one). The
  // first SAN is also the CN.
  Result<Certificate> IssueServerTls(EVP_PKEY* public_key, const std::vector<std::string>& sans,
                                     Duration lifetime = kServerTlsLifetime) const;

  // Delegated OCSP responder: EKU OCSPSigning and id-pkix-ocsp-nocheck.
  Result<Certificate> IssueOcspResponder(EVP_PKEY* public_key,
                                         Duration lifetime = kOcspResponderLifetime) const;

  X509* certificate() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }
  const IssuerOptions& options() const { return options_; }
  const Clock& clock() const { return *clock_; }

  // Signs `cert` (or a CRL) with the CA key using the digest its key type requires.
  Status Sign(X509* cert) const;
  Status Sign(X509_CRL* crl) const;

 private:
  Issuer() = default;

  struct Spec;  // what varies between profiles (see issuer.cc)
  Spec DeviceSpec(const DeviceId& id) const;
  // The device profile's template, from the issuer's name, key and fixed extensions.
  Result<std::unique_ptr<DeviceCertTemplate>> MakeDeviceTemplate() const;
  // [notBefore, notAfter] of a certificate issued now for `lifetime`.
  Result<std::pair<TimePoint, TimePoint>> Validity(Duration lifetime) const;
  // `spki`, when not null, is the encoded form of `public_key` and is copied into the
  // certificate instead of re-encoding `public_key`.
  Result<Certificate> Issue(const Spec& spec, EVP_PKEY* public_key, X509_PUBKEY* spki,
                            Duration lifetime) const;

  Certificate cert_;
  PrivateKey key_;
  IssuerOptions options_;
  const Clock* clock_ = nullptr;
  // Extensions that are the same in every certificate this issuer signs, built once.
  ossl::UniquePtr<X509_EXTENSION> authority_key_id_;
  ossl::UniquePtr<X509_EXTENSION> crl_distribution_point_;  // null without public_url
  ossl::UniquePtr<X509_EXTENSION> ocsp_access_;             // null without public_url
  std::unique_ptr<DeviceCertTemplate> device_template_;     // null: generic path only
};

}  // namespace wott::pki

#endif  // WOTT_PKI_ISSUER_H_
