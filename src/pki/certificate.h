// X.509 certificates: PEM/DER parsing and encoding, fingerprints, and read-only accessors for
// the fields wott cares about. Parsing never trusts its input: size limits, exactly the
// expected number of blocks, no trailing garbage. Thread-safe.
#ifndef WOTT_PKI_CERTIFICATE_H_
#define WOTT_PKI_CERTIFICATE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "ossl/unique_ptr.h"

namespace wott::pki {

using Certificate = ossl::UniquePtr<X509>;

// Largest certificate chain or bundle we parse (PEM or DER).
inline constexpr size_t kMaxChainBytes = 256 * 1024;

// Parses exactly one PEM certificate; kInvalidArgument on anything else.
Result<Certificate> ParseCertificatePem(std::string_view pem);
// Parses one DER certificate, consuming all of `der`.
Result<Certificate> ParseCertificateDer(std::string_view der);
// Parses one or more concatenated PEM certificates (a chain or a bundle). Text between
// blocks is ignored, as openssl does; a block that is not a valid certificate is an error.
Result<std::vector<Certificate>> ParseCertificateChainPem(std::string_view pem);

Result<std::string> CertificateToPem(X509* cert);
Result<std::string> CertificateToDer(X509* cert);
// The concatenated PEM of `certs`, in order.
Result<std::string> ChainToPem(const std::vector<Certificate>& certs);

// SHA-256 over the DER encoding, lowercase hex (64 characters).
std::string Sha256Fingerprint(X509* cert);
// The same with colons and uppercase, as `openssl x509 -fingerprint -sha256` prints it.
std::string Sha256FingerprintColons(X509* cert);
// Normalises a user-supplied fingerprint (any case, with or without colons, optional
// "sha256:" / "SHA256:" prefix) to 64 lowercase hex; kInvalidArgument otherwise.
Result<std::string> NormalizeFingerprint(std::string_view text);

// The serial number as lowercase hex without leading zeros ("0" for zero).
std::string SerialHex(X509* cert);

TimePoint NotBefore(X509* cert);
TimePoint NotAfter(X509* cert);

// The subject / issuer in RFC 2253 form ("CN=...,O=...").
std::string SubjectString(X509* cert);
std::string IssuerString(X509* cert);
// The subject's first commonName, or "" when it has none.
std::string CommonName(X509* cert);
// The subjectAltName entries of type DNS / URI / IP (IP as text).
std::vector<std::string> DnsNames(X509* cert);
std::vector<std::string> UriNames(X509* cert);
std::vector<std::string> IpAddresses(X509* cert);

// True when basicConstraints says CA:TRUE.
bool IsCa(X509* cert);

}  // namespace wott::pki

#endif  // WOTT_PKI_CERTIFICATE_H_
