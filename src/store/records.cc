#include "store/records.h"

#include <array>
#include <chrono>
#include <utility>

namespace wott::store {

std::string_view DeviceStatusName(DeviceStatus status) {
  switch (status) {
    case DeviceStatus::kActive:
      return "active";
    case DeviceStatus::kRevoked:
      return "revoked";
    case DeviceStatus::kDeleted:
      return "deleted";
  }
  return "unknown";
}

Result<DeviceStatus> ParseDeviceStatus(std::string_view text) {
  for (DeviceStatus s : {DeviceStatus::kActive, DeviceStatus::kRevoked, DeviceStatus::kDeleted}) {
    if (DeviceStatusName(s) == text) return s;
  }
  return InvalidArgument("unknown device status \"" + std::string(text.substr(0, 32)) +
                         "\" (expected active, revoked or deleted)");
}

int64_t ToUnixSeconds(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixSeconds(int64_t seconds) {
  // Nanosecond system_clock spans +-292 years; clamp so a damaged row cannot overflow.
  constexpr int64_t kLimit = int64_t{9'000'000'000};
  if (seconds > kLimit) seconds = kLimit;
  if (seconds < -kLimit) seconds = -kLimit;
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::seconds(seconds)));
}

TimePoint TruncateToSeconds(TimePoint t) { return FromUnixSeconds(ToUnixSeconds(t)); }

}  // namespace wott::store
