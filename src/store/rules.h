// The registry's domain rules, shared by every backend so that they refuse the same things
// with the same codes and messages: when a token, device or certificate may be used. Each
// backend loads the rows inside its transaction and asks these functions. Pure; thread-safe.
#ifndef WOTT_STORE_RULES_H_
#define WOTT_STORE_RULES_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "store/records.h"

namespace wott::store {

// kUnauthenticated for an unknown enrollment token (the caller has none to pass here).
Status UnknownEnrollmentToken();
// OK when `token` may enroll one more device at `now`; kPermissionDenied when it is revoked,
// expired or used up.
Status CheckEnrollmentTokenUsable(const EnrollmentTokenRecord& token, TimePoint now);
// True when `token` is usable at `now` (what ListEnrollmentTokens keeps when asked for
// active tokens only).
bool IsEnrollmentTokenActive(const EnrollmentTokenRecord& token, TimePoint now);

// kNotFound for an unknown device.
Status UnknownDevice();
// OK for an active device; kPermissionDenied when revoked or deleted.
Status CheckDeviceActive(const DeviceRecord& device);
// OK unless the device is deleted (kFailedPrecondition): admin edits of a device.
Status CheckDeviceNotDeleted(const DeviceRecord& device);

// OK when `presented` (nullptr when no certificate has the serial) may authenticate a
// renewal of `device_id` at `now`: it is that device's, unrevoked and not expired.
Status CheckRenewalCertificate(const CertificateRecord* presented, std::string_view device_id,
                               TimePoint now);

// kUnauthenticated for an unknown recovery token.
Status UnknownRecoveryToken();
// Applies an issuance's rotation (store.h) to `device`'s recovery hashes: previous :=
// current, current := `new_hash`; a `new_hash` equal to the current one changes nothing; an
// empty one clears both. Every backend writes what this computes.
void RotateRecoveryHashes(DeviceRecord& device, std::string_view new_hash);
// OK when `device`, whose current certificate is `current`, may be recovered at `now`.
Status CheckRecovery(const DeviceRecord& device, const CertificateRecord& current, Duration grace,
                     TimePoint now);

// kUnauthenticated for an unknown, revoked or expired API token (one message for all).
Status CheckApiTokenUsable(const ApiTokenRecord* token, TimePoint now);

// A certificate that is expired at `now` (not_after is inclusive).
bool IsExpired(TimePoint not_after, TimePoint now);

// True when `policy` allows `device`: it is active, and its ID is one of allow_devices or it
// carries one of allow_tags (rules OR-ed). The memory backend applies this directly; the SQL
// backends compute the same set with joins.
bool PolicyAllowsDevice(const PolicyRecord& policy, const DeviceRecord& device);

// kNotFound for an unknown policy.
Status UnknownPolicy();

// The event every backend appends for an operation.
Event MakeEvent(TimePoint now, std::string_view actor, std::string_view action,
                std::string_view subject, std::string detail);

}  // namespace wott::store

#endif  // WOTT_STORE_RULES_H_
