#include "server/login_limiter.h"

#include <algorithm>
#include <vector>

namespace wott::server {

std::optional<Duration> LoginLimiter::Blocked(Table& table, std::string_view key, int limit,
                                              TimePoint now) {
  auto it = table.find(std::string(key));
  if (it == table.end()) return std::nullopt;
  Failures& failures = it->second;
  while (!failures.empty() && failures.front() + options_.window <= now) failures.pop_front();
  if (failures.empty()) {
    table.erase(it);
    return std::nullopt;
  }
  if (static_cast<int>(failures.size()) < limit) return std::nullopt;
  // Allowed again once enough of the oldest failures have left the window.
  TimePoint free_at = failures[failures.size() - limit] + options_.window;
  return std::max<Duration>(free_at - now, std::chrono::seconds(1));
}

void LoginLimiter::Add(Table& table, std::string_view key, TimePoint now) {
  if (table.size() >= options_.max_keys && !table.count(std::string(key))) {
    // Forget the keys whose latest failure is oldest (the least recently failing half).
    std::vector<std::pair<TimePoint, std::string>> by_age;
    by_age.reserve(table.size());
    for (const auto& [k, failures] : table) by_age.emplace_back(failures.back(), k);
    auto middle = by_age.begin() + static_cast<std::ptrdiff_t>(by_age.size() / 2);
    std::nth_element(by_age.begin(), middle, by_age.end());
    for (auto it = by_age.begin(); it != middle; ++it) table.erase(it->second);
  }
  Failures& failures = table[std::string(key)];
  failures.push_back(now);
  // A key never needs more entries than the larger limit.
  const size_t keep =
      static_cast<size_t>(std::max({options_.max_user_failures, options_.max_address_failures, 1}));
  while (failures.size() > keep) failures.pop_front();
}

std::optional<Duration> LoginLimiter::Check(std::string_view user, std::string_view address,
                                            TimePoint now) {
  std::lock_guard lock(mu_);
  std::optional<Duration> u = Blocked(by_user_, user, options_.max_user_failures, now);
  std::optional<Duration> a = Blocked(by_address_, address, options_.max_address_failures, now);
  if (u && a) return std::max(*u, *a);
  return u ? u : a;
}

void LoginLimiter::RecordFailure(std::string_view user, std::string_view address, TimePoint now) {
  std::lock_guard lock(mu_);
  Add(by_user_, user, now);
  Add(by_address_, address, now);
}

void LoginLimiter::RecordSuccess(std::string_view user) {
  std::lock_guard lock(mu_);
  by_user_.erase(std::string(user));
}

size_t LoginLimiter::tracked_keys() {
  std::lock_guard lock(mu_);
  return by_user_.size() + by_address_.size();
}

std::string ClientHost(std::string_view remote_address) {
  if (remote_address.starts_with('[')) {
    size_t close = remote_address.find(']');
    if (close != std::string_view::npos) return std::string(remote_address.substr(1, close - 1));
  }
  size_t colon = remote_address.rfind(':');
  if (colon == std::string_view::npos || remote_address.find(':') != colon) {
    return std::string(remote_address);  // no port, or a bare IPv6 address
  }
  return std::string(remote_address.substr(0, colon));
}

}  // namespace wott::server
