// CrlCache: the issuing CA's CRL for the tunnel's revocation check, fetched with GET /v1/crl
// from the agent's server (over TLS verified against the device's CA bundle) and refreshed
// every refresh interval, and earlier when nextUpdate comes closer than that. A failed
// fetch keeps the CRL it has; once that is past its nextUpdate the CRL is stale and the
// tunnel fails closed unless told otherwise (see tunnel_service.h).
//
// Thread-compatible: one thread (the tunnel's supervisor) calls it.
#ifndef WOTT_TUNNEL_CRL_CACHE_H_
#define WOTT_TUNNEL_CRL_CACHE_H_

#include <functional>
#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "base/clock.h"
#include "base/result.h"

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

// GET <server_url>/v1/crl with the agent's configuration (DIR/agent.json) and CA bundle
// (DIR/certs/ca.crt). Fails with the agent's errors (not enrolled, server unreachable, ...)
// or kInvalidArgument when the answer is not a CRL.
Result<std::string> FetchCrlFromServer(const agent::AgentPaths& paths);

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_CRL_CACHE_H_
