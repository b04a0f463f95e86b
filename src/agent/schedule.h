// When the daemon acts: renewal times with random jitter and capped exponential backoff
// after failures. Pure functions (randomness and time are arguments); thread-safe.
#ifndef WOTT_AGENT_SCHEDULE_H_
#define WOTT_AGENT_SCHEDULE_H_

#include "base/clock.h"

namespace wott::agent {

struct ScheduleOptions {
  // Renewal happens in [renew_after, renew_after + jitter_fraction * (not_after -
  // renew_after)]: never before the server's recommendation (about 2/3 of the lifetime),
  // spread so that a fleet enrolled together does not renew together.
  double jitter_fraction = 0.1;
  // Wait after the first failure; doubles with each further failure.
  Duration backoff_base = std::chrono::seconds(10);
  // Longest wait between attempts.
  Duration backoff_cap = std::chrono::hours(1);
};

// The renewal time for a certificate. `u` is a uniform random number in [0, 1).
// REQUIRES: 0 <= u < 1.
TimePoint RenewalTime(TimePoint renew_after, TimePoint not_after, double u,
                      const ScheduleOptions& options = {});

// The wait before the next attempt after `failures` (>= 1) consecutive failures: a
// random point in [d/2, d] where d = min(cap, base * 2^(failures-1)) ("equal jitter").
// REQUIRES: failures >= 1, 0 <= u < 1.
Duration Backoff(int failures, double u, const ScheduleOptions& options = {});

// A uniform random number in [0, 1) from a process-wide generator seeded from the OS.
double RandomUnit();

}  // namespace wott::agent

#endif  // WOTT_AGENT_SCHEDULE_H_
