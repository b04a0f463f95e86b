// Chain verification for peers: a TrustStore of trust anchors (the CA bundle, plus CRLs
// when revocation is checked) and VerifyCertificate, which checks a leaf and its
// intermediates against it for a purpose at a given time.
//
// Thread safety: a TrustStore is immutable after construction and may be shared by many
// threads verifying at once (X509_STORE is internally locked). To change it, build a new
// one and swap.
#ifndef WOTT_PKI_VERIFY_H_
#define WOTT_PKI_VERIFY_H_

#include <memory>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "ossl/unique_ptr.h"
#include "pki/certificate.h"
#include "pki/crl.h"

namespace wott::pki {

enum class Purpose {
  kAny,         // chain only
  kClientAuth,  // leaf must allow TLS client authentication
  kServerAuth,  // leaf must allow TLS server authentication
};

class TrustStore {
 public:
  // Trusts every certificate in `bundle_pem` (at least one). kInvalidArgument when the bundle
  // is malformed or holds a non-CA certificate.
  static Result<std::shared_ptr<const TrustStore>> FromPem(std::string_view bundle_pem);
  // Also checks revocation against `crls` (one per CA that issues leaves); a leaf whose
  // issuer has no CRL here fails verification.
  static Result<std::shared_ptr<const TrustStore>> FromPemWithCrls(std::string_view bundle_pem,
                                                                  std::vector<Crl> crls);

  X509_STORE* store() const { return store_.get(); }
  bool checks_revocation() const { return check_crls_; }
  const std::vector<Certificate>& anchors() const { return anchors_; }

 private:
  ossl::UniquePtr<X509_STORE> store_;
  std::vector<Certificate> anchors_;
  bool check_crls_ = false;
};

// Verifies `leaf` using `intermediates` (untrusted) up to an anchor of `trust`, at time
// `at`, for `purpose`. On failure returns kUnauthenticated with a user-safe reason such as
// "certificate has expired" or "certificate revoked" (OpenSSL's verify error text).
Status VerifyCertificate(const TrustStore& trust, X509* leaf,
                         const std::vector<Certificate>& intermediates, Purpose purpose,
                         TimePoint at);

}  // namespace wott::pki

#endif  // WOTT_PKI_VERIFY_H_
