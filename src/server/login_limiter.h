// LoginLimiter: in-memory brute-force protection for POST /v1/session. It counts failed
// logins per user name and per client address over a sliding window; once a key has
// reached its limit, every attempt with that key is refused (even with the right password)
// until its oldest failure leaves the window. A success clears the user's failures (not the
// address's). State is per process (a restart forgets it) and bounded in size.
// Thread-safe (one mutex).
#ifndef WOTT_SERVER_LOGIN_LIMITER_H_
#define WOTT_SERVER_LOGIN_LIMITER_H_

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace wott::server {

struct LoginLimiterOptions {
  // Failures within `window` after which attempts for one user name are refused.
  int max_user_failures = 5;
  // Failures within `window` after which attempts from one client address are refused.
  int max_address_failures = 20;
  Duration window = std::chrono::minutes(15);
  // Keys tracked per kind at most; beyond it the oldest-failing keys are forgotten first.
  size_t max_keys = 100'000;
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimiterOptions options = {}) : options_(options) {}

  // nullopt when an attempt for `user` from `address` may proceed at `now`; otherwise how
  // long until it may (at least one second).
  std::optional<Duration> Check(std::string_view user, std::string_view address, TimePoint now);
  // Records a failed attempt for both keys.
  void RecordFailure(std::string_view user, std::string_view address, TimePoint now);
  // Forgets the user's failures.
  void RecordSuccess(std::string_view user);

  // User names and addresses currently tracked (for tests and metrics).
  size_t tracked_keys();

 private:
  using Failures = std::deque<TimePoint>;  // oldest first
  using Table = std::unordered_map<std::string, Failures>;

  // How long until `key` in `table` is below `limit` at `now`; nullopt when it already is.
  // Drops failures older than the window. REQUIRES: mu_ held.
  std::optional<Duration> Blocked(Table& table, std::string_view key, int limit, TimePoint now);
  // Appends a failure, keeping the table within max_keys. REQUIRES: mu_ held.
  void Add(Table& table, std::string_view key, TimePoint now);

  const LoginLimiterOptions options_;
  std::mutex mu_;
  Table by_user_;     // guarded by mu_
  Table by_address_;  // guarded by mu_
};

// The host part of a "host:port" or "[v6]:port" remote address ("" stays "").
std::string ClientHost(std::string_view remote_address);

}  // namespace wott::server

#endif  // WOTT_SERVER_LOGIN_LIMITER_H_
