#include "agent/schedule.h"

#include <algorithm>
#include <mutex>
#include <random>

namespace wott::agent {

TimePoint RenewalTime(TimePoint renew_after, TimePoint not_after, double u,
                      const ScheduleOptions& options) {
  if (not_after <= renew_after) return renew_after;
  auto window =
      std::chrono::duration_cast<Duration>((not_after - renew_after) * options.jitter_fraction * u);
  return renew_after + window;
}

Duration Backoff(int failures, double u, const ScheduleOptions& options) {
  Duration d = options.backoff_base;
  for (int i = 1; i < failures && d < options.backoff_cap; ++i) d *= 2;
  d = std::min(d, options.backoff_cap);
  return d / 2 + std::chrono::duration_cast<Duration>(d / 2 * u);
}

double RandomUnit() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace wott::agent
