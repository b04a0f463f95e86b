// CrlCache: the issuing CA's CRL for the tunnel's revocation check, fetched with GET /v1/crl
// from the agent's server (over TLS verified against the device's CA bundle) and refreshed
// every refresh interval, and earlier when nextUpdate comes closer than that. A failed
// fetch keeps the CRL it has; once that is past its nextUpdate the CRL is stale and the
// tunnel fails closed unless told otherwise (see tunnel_service.h).
//
// Thread-compatible: one thread (the tunnel's supervisor) calls it.
#ifndef WOTT_TUNNEL_CRL_CACHE_H_
#define WOTT_TUNNEL_CRL_CACHE_H_

#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent_config.h"
#include "base/clock.h"
#include "base/result.h"
#include "ossl/unique_ptr.h"

namespace wott::tunnel {

class CrlCache {
 public:
  // Returns the DER CRL or why it could not.
  using Fetch = std::function<Result<std::string>()>;

  CrlCache(Fetch fetch, const Clock* clock, Duration refresh_interval)
      : fetch_(std::move(fetch)), clock_(clock), refresh_interval_(refresh_interval) {}

  // Fetches when due (never fetched, the interval passed, or nextUpdate is near). True when
  // the CRL changed. A failed fetch is logged and retried at the next call after a short
  // backoff.
  bool MaybeRefresh();

  bool has_crl() const { return !der_.empty(); }
  const std::string& der() const { return der_; }
  // True when there is no CRL or it is past its nextUpdate.
  bool Stale() const;
  std::optional<TimePoint> fetched_at() const { return fetched_at_; }
  std::optional<TimePoint> next_update() const { return next_update_; }
  const std::string& last_error() const { return last_error_; }

 private:
  Fetch fetch_;
  const Clock* clock_;
  Duration refresh_interval_;
  std::string der_;
  std::optional<TimePoint> fetched_at_;
  std::optional<TimePoint> next_update_;
  std::optional<TimePoint> last_attempt_;
  std::string last_error_;
};

// A CRL prepared for the TLS verify step, so that a handshake pays a serial lookup instead of
// OpenSSL's per-verification CRL processing (signature check, decoding, store lookups).
// Parsed once; its signature is verified once per issuing CA certificate (at load when that
// certificate is at hand, else at the first handshake whose verified chain names it); the
// revoked serials are held sorted. Only the peer's leaf is checked, as OpenSSL's
// X509_V_FLAG_CRL_CHECK does.
//
// Thread-safe: Check may run on any number of threads at once.
class CrlIndex {
 public:
  // kInvalidArgument ("CRL: ...") when `der` is not a CRL, has no nextUpdate, or carries a
  // critical extension this check does not implement (delta CRL, distribution point,
  // indirect CRL entries).
  static Result<std::unique_ptr<CrlIndex>> Parse(std::string_view der);

  // Verifies the signature now when `ca`'s subject is the CRL's issuer and its key signed
  // it (so handshakes whose chain has this exact certificate skip the check). True when it
  // did; false for any other certificate.
  bool PreVerify(X509* ca) const;

  // Revocation status of `leaf`, issued by `issuer` (the next certificate of the verified
  // chain; may be null), at `now`: "" when not revoked; else why it must be refused, in
  // OpenSSL's words: "certificate revoked", "CRL has expired", "CRL is not yet valid",
  // "CRL signature failure", "unable to get certificate CRL" (the CRL is not the
  // issuer's).
  std::string Check(X509* leaf, X509* issuer, std::time_t now) const;

  std::time_t next_update() const { return next_update_; }
  size_t revoked_count() const { return serials_.size(); }

 private:
  CrlIndex() = default;
  // True when `issuer` signed the CRL (cached per certificate).
  bool SignedBy(X509* issuer) const;

  ossl::UniquePtr<X509_CRL> crl_;
  std::time_t this_update_ = 0;
  std::time_t next_update_ = 0;
  std::vector<std::string> serials_;  // sorted; see SerialKey in crl_cache.cc
  mutable std::mutex mu_;
  mutable std::vector<ossl::UniquePtr<X509>> verified_issuers_;  // guarded by mu_
};

// GET <server_url>/v1/crl with the agent's configuration (DIR/agent.json) and CA bundle
// (DIR/certs/ca.crt). Fails with the agent's errors (not enrolled, server unreachable, ...)
// or kInvalidArgument when the answer is not a CRL.
Result<std::string> FetchCrlFromServer(const agent::AgentPaths& paths);

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_CRL_CACHE_H_
