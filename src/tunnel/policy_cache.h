// Central trust policies on the device: the last good resolved allowlist of one named
// policy on the server (GET /v1/policies/{name}, see docs/TUNNEL.md), polled with
// If-None-Match. Three pieces:
//   PolicySnapshot: one parsed answer (name, version, ETag, device names, and the devices
//                   the server refused for posture with its reasons), immutable.
//   PolicyView:     the current snapshot, shared with PeerPolicy; thread-safe (atomic swap),
//                   so TLS verify callbacks on any thread read it while the cache updates it.
//   PolicyCache:    fetches through a seam (the real one is FetchPolicyFromServer), keeps
//                   the last good snapshot when a fetch fails (logged once per change of
//                   state), and allows nobody before its first successful fetch.
//                   Thread-compatible: one thread (the tunnel's supervisor) calls
//                   MaybeRefresh; the counters may be read from any thread.
#ifndef WOTT_TUNNEL_POLICY_CACHE_H_
#define WOTT_TUNNEL_POLICY_CACHE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent_config.h"
#include "base/clock.h"
#include "base/result.h"

namespace wott::tunnel {

// Checks a policy name: [a-z0-9][a-z0-9-]{0,62}. kInvalidArgument naming `what`.
Status ValidatePolicyName(std::string_view name, std::string_view what = "policy name");

struct PolicySnapshot {
  std::string name;
  int64_t version = 0;
  std::string etag;                       // as the server sent it (quotes included)
  std::vector<std::string> device_names;  // as the server listed them, "<hex>.d.<domain>"
  std::set<std::string> device_hex;       // the same devices, 32 lowercase hex each
  // Devices that match the policy's rules but fail its posture requirements (device hex ->
  // the server's reason, e.g. "trust score 42 < 60"). They are not in device_hex: this
  // only explains a refusal in logs and metrics.
  std::map<std::string, std::string> refused;
  TimePoint fetched_at;
};

// At most this many refused_devices entries, and reasons of 1..kMaxRefusedReason printable
// ASCII characters (the reason goes into log lines).
inline constexpr size_t kMaxRefusedDevices = 100000;
inline constexpr size_t kMaxRefusedReason = 200;

// Parses the body of a 200 answer for `name`: {"name", "version", "allowed_devices":
// [...], "refused_devices" (optional): [{"name", "reason"}], "generated_at"}.
// kInvalidArgument when it is not that (another name, a device entry that is not a device
// name or 32-hex ID, a refused entry without a name or a printable reason, too many refused
// entries, ...): a malformed answer never replaces a good set. Unknown fields are ignored
// (the server may add some).
Result<PolicySnapshot> ParsePolicyAnswer(std::string_view body, std::string_view name);

// The current snapshot of one policy; null until the first successful fetch.
class PolicyView {
 public:
  std::shared_ptr<const PolicySnapshot> Current() const { return current_.load(); }
  void Set(std::shared_ptr<const PolicySnapshot> next) { current_.store(std::move(next)); }
  // True when the policy has been fetched and lists this device (32 lowercase hex).
  bool Allows(const std::string& device_hex) const;
  // The server's reason when the current snapshot lists this device (32 lowercase hex) as
  // refused for posture; nullopt otherwise (not fetched, unknown device, allowed).
  std::optional<std::string> RefusedReason(const std::string& device_hex) const;

 private:
  std::atomic<std::shared_ptr<const PolicySnapshot>> current_;
};

// One answer of the fetch seam.
struct PolicyAnswer {
  bool not_modified = false;  // 304: the If-None-Match ETag is still current
  std::string etag;           // the ETag header of a 200 ("" when none)
  std::string body;           // the body of a 200
};

class PolicyCache {
 public:
  // GET the policy `name`, sending `if_none_match` ("" = none). A non-2xx/304 answer or a
  // transport error is an error Status (its message is logged).
  using Fetch = std::function<Result<PolicyAnswer>(const std::string& name,
                                                   const std::string& if_none_match)>;

  // REQUIRES: ValidatePolicyName(name).ok(), fetch != nullptr, clock != nullptr.
  PolicyCache(std::string name, Fetch fetch, const Clock* clock, Duration refresh_interval);

  // Fetches when due (never tried, or `refresh_interval` since the last attempt).
  // True when the allowed set changed.
  bool MaybeRefresh();
  // Fetches now. True when the allowed set changed (a new ETag with the same devices,
  // e.g. a new version, updates the snapshot but returns false).
  bool Refresh();

  const std::string& name() const { return name_; }
  // Shared with PeerPolicy; lives as long as its longest holder.
  std::shared_ptr<PolicyView> view() const { return view_; }
  std::shared_ptr<const PolicySnapshot> current() const { return view_->Current(); }
  const std::string& last_error() const { return last_error_; }
  std::optional<TimePoint> last_success() const { return last_success_; }

  uint64_t fetched_ok() const { return ok_.load(std::memory_order_relaxed); }
  uint64_t not_modified() const { return not_modified_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }

 private:
  std::string name_;
  Fetch fetch_;
  const Clock* clock_;
  Duration refresh_interval_;
  std::shared_ptr<PolicyView> view_ = std::make_shared<PolicyView>();
  std::optional<TimePoint> last_attempt_;
  std::optional<TimePoint> last_success_;
  std::string last_error_;
  std::atomic<uint64_t> ok_{0};
  std::atomic<uint64_t> not_modified_{0};
  std::atomic<uint64_t> failed_{0};
};

// GET <server_url>/v1/policies/<name> over mTLS with the agent's configuration
// (DIR/agent.json), pinned CA bundle (DIR/certs/ca.crt) and its own certificate (re-read
// at each call, so a renewal is picked up). Fails with the agent's errors (not enrolled,
// server unreachable, 404 not_found, 403 revoked, ...).
Result<PolicyAnswer> FetchPolicyFromServer(const agent::AgentPaths& paths, const std::string& name,
                                           const std::string& if_none_match);

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_POLICY_CACHE_H_
