#include "pki/verify.h"

#include "ossl/error.h"

namespace wott::pki {
Result<std::shared_ptr<const TrustStore>> TrustStore::FromPem(std::string_view bundle_pem) {
  return FromPemWithCrls(bundle_pem, {});
}

Result<std::shared_ptr<const TrustStore>> TrustStore::FromPemWithCrls(std::string_view bundle_pem,
                                                                     std::vector<Crl> crls) {
  auto trust = std::shared_ptr<TrustStore>(new TrustStore());
  ASSIGN_OR_RETURN(trust->anchors_, ParseCertificateChainPem(bundle_pem));
  trust->store_ = ossl::Own(X509_STORE_new());
  if (!trust->store_) return ossl::ErrorStatus(StatusCode::kInternal, "out of memory");
  for (const Certificate& c : trust->anchors_) {
    if (!IsCa(c.get())) {
      return InvalidArgument("CA bundle holds a certificate that is not a CA: " +
                             SubjectString(c.get()));
    }
    if (X509_STORE_add_cert(trust->store_.get(), c.get()) != 1) {
      return ossl::ErrorStatus(StatusCode::kInvalidArgument, "cannot add CA certificate");
    }
  }
  for (const Crl& crl : crls) {
    if (X509_STORE_add_crl(trust->store_.get(), crl.get()) != 1) {
      return ossl::ErrorStatus(StatusCode::kInvalidArgument, "cannot add CRL");
    }
  }
  trust->check_crls_ = !crls.empty();
  return std::shared_ptr<const TrustStore>(std::move(trust));
}

Status VerifyCertificate(const TrustStore& trust, X509* leaf,
                         const std::vector<Certificate>& intermediates, Purpose purpose,
                         TimePoint at) {
  if (leaf == nullptr) return Unauthenticated("no certificate presented");
  auto untrusted = ossl::Own(sk_X509_new_null());
  if (!untrusted) return ossl::ErrorStatus(StatusCode::kInternal, "out of memory");
  for (const Certificate& c : intermediates) {
    ossl::UniquePtr<X509> ref = ossl::UpRef(c.get());
    if (sk_X509_push(untrusted.get(), ref.get()) <= 0) {
      return ossl::ErrorStatus(StatusCode::kInternal, "out of memory");
    }
    ref.release();
  }
  auto ctx = ossl::Own(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.store(), leaf, untrusted.get()) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot set up verification");
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
  switch (purpose) {
    case Purpose::kAny: break;
    case Purpose::kClientAuth: X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT); break;
    case Purpose::kServerAuth: X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER); break;
  }
  if (trust.checks_revocation()) {
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_CRL_CHECK);
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ossl::DrainErrors();
    return Unauthenticated(X509_verify_cert_error_string(err),
                           "verify error " + std::to_string(err) + " at depth " +
                               std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())));
  }
  return Status::Ok();
}

}  // namespace wott::pki
