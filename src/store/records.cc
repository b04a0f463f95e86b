#include "store/records.h"

#include <array>
#include <chrono>
#include <utility>

namespace wott::store {
namespace {

constexpr std::array<std::pair<RevocationReason, std::string_view>, 8> kReasonNames = {{
    {RevocationReason::kUnspecified, "unspecified"},
    {RevocationReason::kKeyCompromise, "key_compromise"},
    {RevocationReason::kCaCompromise, "ca_compromise"},
    {RevocationReason::kAffiliationChanged, "affiliation_changed"},
    {RevocationReason::kSuperseded, "superseded"},
    {RevocationReason::kCessationOfOperation, "cessation_of_operation"},
    {RevocationReason::kCertificateHold, "certificate_hold"},
    {RevocationReason::kPrivilegeWithdrawn, "privilege_withdrawn"},
}};

}  // namespace

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

std::string_view RevocationReasonName(RevocationReason reason) {
  for (const auto& [r, name] : kReasonNames) {
    if (r == reason) return name;
  }
  return "unknown";
}

Result<RevocationReason> ParseRevocationReason(std::string_view text) {
  for (const auto& [r, name] : kReasonNames) {
    if (name == text) return r;
  }
  return InvalidArgument("unknown revocation reason \"" + std::string(text.substr(0, 32)) +
                         "\" (expected e.g. key_compromise, superseded, cessation_of_operation)");
}

std::optional<RevocationReason> RevocationReasonFromCode(int code) {
  for (const auto& [r, name] : kReasonNames) {
    if (static_cast<int>(r) == code) return r;
  }
  return std::nullopt;
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
