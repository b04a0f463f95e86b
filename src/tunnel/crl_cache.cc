#include "tunnel/crl_cache.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/server_api.h"
#include "base/encoding.h"
#include "base/file.h"
#include "pki/crl.h"
#include "tunnel/credentials.h"

namespace wott::tunnel {
namespace {
// Retry pause after a failed fetch (bounded by the refresh interval).
constexpr Duration kRetryPause = std::chrono::seconds(5);

// A serial number as a byte string that sorts and compares like the number's DER content
// (DER is minimal, so equal numbers have equal bytes); negative ones are kept apart.
std::string SerialKey(const ASN1_INTEGER* serial) {
  std::string key(ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "+");
  key.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
             static_cast<size_t>(ASN1_STRING_length(serial)));
  return key;
}

std::optional<std::time_t> ToTimeT(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return timegm(&tm);
}

bool HasCriticalExtension(const STACK_OF(X509_EXTENSION) * extensions) {
  for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
    if (X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(extensions, i)) == 1) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<CrlIndex>> CrlIndex::Parse(std::string_view der) {
  Result<pki::Crl> crl = pki::ParseCrlDer(der);
  if (!crl.ok()) return InvalidArgument("CRL: " + crl.status().message());
  auto index = std::unique_ptr<CrlIndex>(new CrlIndex());
  std::optional<std::time_t> this_update = ToTimeT(X509_CRL_get0_lastUpdate(crl->get()));
  std::optional<std::time_t> next_update = ToTimeT(X509_CRL_get0_nextUpdate(crl->get()));
  if (!this_update || !next_update) return InvalidArgument("CRL: no valid thisUpdate/nextUpdate");
  index->this_update_ = *this_update;
  index->next_update_ = *next_update;
  if (HasCriticalExtension(X509_CRL_get0_extensions(crl->get()))) {
    return InvalidArgument("CRL: unsupported critical extension (delta or partitioned CRL)");
  }
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl->get());  // borrowed
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, i);
    if (HasCriticalExtension(X509_REVOKED_get0_extensions(entry))) {
      return InvalidArgument("CRL: unsupported critical entry extension (indirect CRL)");
    }
    index->serials_.push_back(SerialKey(X509_REVOKED_get0_serialNumber(entry)));
  }
  std::sort(index->serials_.begin(), index->serials_.end());
  index->crl_ = std::move(*crl);
  return index;
}

bool CrlIndex::SignedBy(X509* issuer) const {
  std::lock_guard lock(mu_);
  for (const ossl::UniquePtr<X509>& known : verified_issuers_) {
    if (X509_cmp(known.get(), issuer) == 0) return true;  // cached hash + DER compare
  }
  if (X509_NAME_cmp(X509_get_subject_name(issuer), X509_CRL_get_issuer(crl_.get())) != 0) {
    return false;
  }
  // A CA whose key usage is listed must allow CRL signing (as OpenSSL's CRL check demands).
  if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0) {
    return false;
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);  // borrowed
  if (key == nullptr || X509_CRL_verify(crl_.get(), key) != 1) {
    ERR_clear_error();
    return false;
  }
  verified_issuers_.push_back(ossl::UpRef(issuer));
  return true;
}

bool CrlIndex::PreVerify(X509* ca) const { return ca != nullptr && SignedBy(ca); }

std::string CrlIndex::Check(X509* leaf, X509* issuer, std::time_t now) const {
  if (X509_NAME_cmp(X509_get_issuer_name(leaf), X509_CRL_get_issuer(crl_.get())) != 0 ||
      issuer == nullptr) {
    return "unable to get certificate CRL";
  }
  if (!SignedBy(issuer)) return "CRL signature failure";
  if (now < this_update_) return "CRL is not yet valid";
  if (now >= next_update_) return "CRL has expired";  // fail closed past nextUpdate
  if (std::binary_search(serials_.begin(), serials_.end(),
                         SerialKey(X509_get0_serialNumber(leaf)))) {
    return "certificate revoked";
  }
  return std::string();
}

bool CrlCache::Stale() const {
  return der_.empty() || !next_update_ || clock_->Now() >= *next_update_;
}

bool CrlCache::MaybeRefresh() {
  TimePoint now = clock_->Now();
  bool due = !fetched_at_ || now >= *fetched_at_ + refresh_interval_ ||
             (next_update_ && now >= *next_update_ - refresh_interval_);
  if (!due) return false;
  if (last_attempt_ && !last_error_.empty() &&
      now < *last_attempt_ + std::min(kRetryPause, refresh_interval_)) {
    return false;
  }
  last_attempt_ = now;
  Result<std::string> der = fetch_();
  Result<TimePoint> next = der.ok() ? CrlNextUpdate(*der) : Result<TimePoint>(der.status());
  if (!next.ok()) {
    std::string error = next.status().message();
    if (error != last_error_) spdlog::warn("tunnel: cannot refresh the CRL: {}", error);
    last_error_ = error;
    return false;
  }
  if (!last_error_.empty()) spdlog::info("tunnel: CRL refreshed again");
  last_error_.clear();
  fetched_at_ = now;
  next_update_ = *next;
  if (*der == der_) return false;
  der_ = std::move(*der);
  spdlog::info("tunnel: new CRL loaded (next update {})", FormatRfc3339(*next_update_));
  return true;
}

Result<std::string> FetchCrlFromServer(const agent::AgentPaths& paths) {
  ASSIGN_OR_RETURN(agent::AgentConfig config, agent::LoadAgentConfig(paths));
  ASSIGN_OR_RETURN(std::string bundle, ReadFile(paths.certs / "ca.crt"));
  ASSIGN_OR_RETURN(net::HttpsClient client, agent::NewServerClient(bundle));
  ASSIGN_OR_RETURN(net::HttpResponse response,
                   client.Request("GET", agent::Endpoint(config.server_url, "/v1/crl")));
  if (response.status != 200) return agent::ErrorFromResponse(response, "fetching the CRL");
  return std::move(response.body);
}

}  // namespace wott::tunnel
