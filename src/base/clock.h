// Clock: the source of "now" for everything that depends on time (certificate validity,
// token expiry, renewal schedules), injected so tests can control time.
// RealClock and FakeClock are both safe to use from several threads.
#ifndef WOTT_BASE_CLOCK_H_
#define WOTT_BASE_CLOCK_H_

#include <atomic>
#include <chrono>

namespace wott {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::system_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The system's wall clock.
class RealClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance; never destroyed.
  static RealClock& Instance();
};

// A clock that only moves when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }
  void Set(TimePoint t) { now_.store(t.time_since_epoch().count()); }
  void Advance(Duration d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<Duration::rep> now_;
};

}  // namespace wott

#endif  // WOTT_BASE_CLOCK_H_
