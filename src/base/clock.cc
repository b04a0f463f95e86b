#include "base/clock.h"

namespace wott {

RealClock& RealClock::Instance() {
  static RealClock* clock = new RealClock();
  return *clock;
}

}  // namespace wott
