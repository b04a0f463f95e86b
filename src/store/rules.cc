#include "store/rules.h"

#include <algorithm>
#include <utility>

#include "base/encoding.h"

namespace wott::store {

Status UnknownEnrollmentToken() { return Unauthenticated("enrollment token is not valid"); }

Status CheckEnrollmentTokenUsable(const EnrollmentTokenRecord& token, TimePoint now) {
  if (token.revoked_at) return PermissionDenied("enrollment token has been revoked");
  if (ToUnixSeconds(now) >= ToUnixSeconds(token.expires_at)) {
    return PermissionDenied("enrollment token has expired");
  }
  if (token.uses_left <= 0) return PermissionDenied("enrollment token has no uses left");
  return Status::Ok();
}

bool IsEnrollmentTokenActive(const EnrollmentTokenRecord& token, TimePoint now) {
  return CheckEnrollmentTokenUsable(token, now).ok();
}

Status UnknownDevice() { return NotFound("unknown device"); }

Status CheckDeviceActive(const DeviceRecord& device) {
  switch (device.status) {
    case DeviceStatus::kActive:
      return Status::Ok();
    case DeviceStatus::kRevoked:
      return PermissionDenied("device has been revoked");
    case DeviceStatus::kDeleted:
      return PermissionDenied("device has been deleted");
  }
  return PermissionDenied("device is not active");
}

Status CheckDeviceNotDeleted(const DeviceRecord& device) {
  if (device.status == DeviceStatus::kDeleted) {
    return FailedPrecondition("device has been deleted");
  }
  return Status::Ok();
}

bool IsExpired(TimePoint not_after, TimePoint now) {
  return ToUnixSeconds(now) > ToUnixSeconds(not_after);
}

Status CheckRenewalCertificate(const CertificateRecord* presented, std::string_view device_id,
                               TimePoint now) {
  if (presented == nullptr || presented->device_id != device_id) {
    return PermissionDenied("the presented certificate does not belong to this device");
  }
  if (presented->revoked_at) {
    return PermissionDenied("the presented certificate has been revoked");
  }
  if (IsExpired(presented->not_after, now)) {
    return PermissionDenied("the presented certificate has expired");
  }
  return Status::Ok();
}

Status UnknownRecoveryToken() { return Unauthenticated("recovery token is not valid"); }

void RotateRecoveryHashes(DeviceRecord& device, std::string_view new_hash) {
  if (new_hash.empty()) {
    device.recovery_token_hash.clear();
    device.previous_recovery_token_hash.clear();
    return;
  }
  if (new_hash == device.recovery_token_hash) return;
  device.previous_recovery_token_hash = std::move(device.recovery_token_hash);
  device.recovery_token_hash = std::string(new_hash);
}

Status CheckRecovery(const DeviceRecord& device, const CertificateRecord& current, Duration grace,
                     TimePoint now) {
  RETURN_IF_ERROR(CheckDeviceActive(device));
  if (current.revoked_at) {
    return PermissionDenied("the device's certificate has been revoked; enroll it again");
  }
  if (!IsExpired(current.not_after, now)) {
    return FailedPrecondition("the device's certificate has not expired yet; renew it instead");
  }
  if (ToUnixSeconds(now) - ToUnixSeconds(current.not_after) >
      std::chrono::floor<std::chrono::seconds>(grace).count()) {
    return PermissionDenied("the device's certificate expired more than " +
                            FormatDuration(std::chrono::floor<std::chrono::seconds>(grace)) +
                            " ago; enroll it again");
  }
  return Status::Ok();
}

Status CheckApiTokenUsable(const ApiTokenRecord* token, TimePoint now) {
  if (token == nullptr || token->revoked_at ||
      (token->expires_at && ToUnixSeconds(now) >= ToUnixSeconds(*token->expires_at))) {
    return Unauthenticated("API token is not valid");
  }
  return Status::Ok();
}

Event MakeEvent(TimePoint now, std::string_view actor, std::string_view action,
                std::string_view subject, std::string detail) {
  Event event;
  event.time = TruncateToSeconds(now);
  event.actor = std::string(actor);
  event.action = std::string(action);
  event.subject = std::string(subject);
  event.detail = std::move(detail);
  return event;
}

bool PolicyAllowsDevice(const PolicyRecord& policy, const DeviceRecord& device) {
  if (device.status != DeviceStatus::kActive) return false;
  if (std::binary_search(policy.allow_devices.begin(), policy.allow_devices.end(), device.id)) {
    return true;
  }
  for (const auto& [key, value] : device.tags) {
    if (std::binary_search(policy.allow_tags.begin(), policy.allow_tags.end(), key + "=" + value)) {
      return true;
    }
  }
  return false;
}

Status UnknownPolicy() { return NotFound("unknown policy"); }

}  // namespace wott::store
