// OCSP responder (RFC 6960) for the certificates of one issuing CA (the intermediate).
//
// Responses are signed by a delegated responder certificate (EKU OCSPSigning,
// id-pkix-ocsp-nocheck) that the responder issues itself with the CA's Issuer and a fresh
// P-256 key, and re-issues when less than half of its lifetime remains. Each response
// carries the responder certificate and the intermediate, so a client holding only the
// root can verify it; the responder is identified by key hash.
//
// Request handling:
//  - malformed, truncated, oversized requests, or ones with too many CertIDs or a bad
//    nonce, are answered with an unsigned OCSPResponse "malformedRequest";
//  - a request naming any certificate whose issuer is not our intermediate (or whose
//    CertID hash is not SHA-1/224/256/384/512) gets "unauthorized" (RFC 5019 2.2.3). We
//    never answer "unknown" for another CA's certificate in a signed response: OpenSSL
//    (and every client built on it) rejects a response from a delegated responder whose
//    CertIDs name a different issuer, so "unauthorized" is the answer they report clearly;
//  - a registry failure gives "tryLater" (kUnavailable) or "internalError";
//  - otherwise a signed "successful" response with one SingleResponse per CertID (echoed
//    as sent), good / revoked (time, reason unless unspecified) / unknown, thisUpdate =
//    now, nextUpdate = now + validity, and the request's nonce echoed.
//
// Thread safety: Respond may be called from many threads at once; the responder
// certificate is swapped under a mutex and each call signs with a consistent snapshot.
#ifndef WOTT_PKI_OCSP_H_
#define WOTT_PKI_OCSP_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/issuer.h"
#include "pki/key.h"

namespace wott::pki {

// Largest OCSP request we parse. A request for one certificate is ~80 bytes; a signed one
// with a certificate ~1.5 KiB.
inline constexpr size_t kMaxOcspRequestBytes = 16 * 1024;

// What the registry knows about one serial.
struct OcspCertStatus {
  enum class Kind { kGood, kRevoked, kUnknown };
  Kind kind = Kind::kUnknown;
  TimePoint revoked_at;                                      // kRevoked only
  RevocationReason reason = RevocationReason::kUnspecified;  // kRevoked only

  static OcspCertStatus Good() { return {Kind::kGood, {}, RevocationReason::kUnspecified}; }
  static OcspCertStatus Unknown() { return {}; }
  static OcspCertStatus Revoked(TimePoint at, RevocationReason why) {
    return {Kind::kRevoked, at, why};
  }
};

// Looks up a serial (lowercase hex without leading zeros, as SerialHex prints it) issued by
// the responder's CA. An error makes the whole response tryLater (kUnavailable) or
// internalError (anything else). Called on the thread that called Respond.
using OcspLookup = std::function<Result<OcspCertStatus>(std::string_view serial_hex)>;

struct OcspResponderOptions {
  // nextUpdate - thisUpdate of every SingleResponse.
  Duration validity = std::chrono::hours(1);
  // Lifetime of the responder certificate; it is re-issued when less than half remains.
  Duration responder_lifetime = kOcspResponderLifetime;
  // Most CertIDs answered in one request; more is a malformedRequest.
  size_t max_cert_ids = 64;
  // Requests larger than this are a malformedRequest. At most kMaxOcspRequestBytes.
  size_t max_request_bytes = kMaxOcspRequestBytes;
};

// OCSPResponseStatus values (RFC 6960 4.2.1), for callers that log outcomes.
enum class OcspResponseStatus {
  kSuccessful = 0,
  kMalformedRequest = 1,
  kInternalError = 2,
  kTryLater = 3,
  kUnauthorized = 6,
};

class OcspResponder {
 public:
  // Issues the first responder certificate with `issuer` (which must outlive the
  // responder; its certificate is the CA whose certificates we answer for). Fails when the
  // options are out of range or the certificate cannot be issued (e.g. the CA expired).
  static Result<std::unique_ptr<OcspResponder>> Create(const Issuer* issuer,
                                                       OcspResponderOptions options = {});

  // Answers one DER OCSPRequest with a DER OCSPResponse (see the file comment). Bad input
  // is answered, not failed: an error Status means the response itself could not be built
  // (out of memory, signing failure). `lookup` is called once per CertID of our CA.
  Result<std::string> Respond(std::string_view request_der, const OcspLookup& lookup) const;

  // The current responder certificate (a new reference).
  Certificate ResponderCertificate() const;

 private:
  // A responder certificate with its key; immutable once built, shared with callers.
  struct Signer {
    Certificate cert;
    PrivateKey key;
    TimePoint refresh_at;  // re-issue from this time on
  };

  OcspResponder(const Issuer* issuer, OcspResponderOptions options)
      : issuer_(issuer), options_(options) {}

  Result<std::shared_ptr<const Signer>> IssueSigner() const;
  // The signer to use now, re-issuing it first when due. Never fails while an old signer
  // exists: a failed re-issue keeps the old one and is retried a minute later.
  std::shared_ptr<const Signer> CurrentSigner() const;

  const Issuer* issuer_;
  OcspResponderOptions options_;
  // Hashes of our CA's name and key, one CertID template per supported digest.
  std::vector<ossl::UniquePtr<OCSP_CERTID>> ca_ids_;
  ossl::UniquePtr<STACK_OF(X509)> extra_certs_;  // the intermediate, sent in every response

  mutable std::mutex mu_;
  mutable std::shared_ptr<const Signer> signer_;  // guarded by mu_
  mutable TimePoint next_attempt_;                // guarded by mu_: after a failed re-issue
  mutable std::mutex reissue_mu_;                 // one re-issue at a time
};

// The DER request carried in the last path segment of an RFC 6960 A.1 GET request
// ("/v1/ocsp/<base64>"), after the router's percent-decoding. Accepts standard and URL-safe
// base64, with or without padding and embedded whitespace. kInvalidArgument otherwise or
// when the result would exceed kMaxOcspRequestBytes.
Result<std::string> OcspRequestFromBase64(std::string_view text);

// A DER OCSPResponse carrying only an error status (unsigned, as RFC 6960 4.2.1 says).
// REQUIRES: status != kSuccessful.
Result<std::string> OcspErrorResponse(OcspResponseStatus status);

// The OCSPResponseStatus of a DER OCSPResponse; kInvalidArgument when it does not parse.
Result<OcspResponseStatus> OcspResponseStatusOf(std::string_view response_der);

}  // namespace wott::pki

#endif  // WOTT_PKI_OCSP_H_
