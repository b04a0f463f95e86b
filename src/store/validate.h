// Input checks shared by every Store backend, so all of them accept and refuse exactly the
// same things. Each returns OK or kInvalidArgument with a message naming the field.
// Pure functions; thread-safe.
#ifndef WOTT_STORE_VALIDATE_H_
#define WOTT_STORE_VALIDATE_H_

#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"
#include "store/records.h"

namespace wott::store {

Status ValidateDeviceId(std::string_view id);
Status ValidateSerial(std::string_view serial);
Status ValidateTokenHash(std::string_view what, std::string_view hash);
// An empty hash is allowed and means "no recovery token".
Status ValidateRecoveryHash(std::string_view hash);
// A public token ID: 1-64 of [A-Za-z0-9_-].
Status ValidateTokenId(std::string_view id);
Status ValidateActor(std::string_view actor);
Status ValidateTags(const Tags& tags);
Status ValidateMetadata(const Metadata& metadata);
Status ValidateAgentInfo(const AgentInfo& agent);
Status ValidateNewDevice(const NewDevice& device);
// A certificate about to be recorded for `device_id`.
Status ValidateNewCertificate(const CertificateRecord& certificate, std::string_view device_id);
Status ValidateNewEnrollmentToken(const NewEnrollmentToken& token, TimePoint now);
Status ValidateNewApiToken(const NewApiToken& token, TimePoint now);
Status ValidateEvent(const Event& event);
Status ValidatePage(const PageRequest& page);
Status ValidateLimit(int limit);
Status ValidateDeviceFilter(const DeviceFilter& filter);
Status ValidateRevocationReason(RevocationReason reason);
// A policy name: [a-z0-9][a-z0-9-]{0,62}.
Status ValidatePolicyName(std::string_view name);
// A policy tag rule "key=value": the key as a device tag key, the value as a tag value.
Status ValidatePolicyTag(std::string_view tag);
// A whole policy: name, description (<= 256 bytes), device IDs, tag rules, their counts.
Status ValidateNewPolicy(const NewPolicy& policy);
// "key=value" -> {key, value}, split at the first '='. REQUIRES: ValidatePolicyTag passed.
std::pair<std::string, std::string> SplitPolicyTag(std::string_view tag);
// `policy` with its device IDs and tag rules sorted and deduplicated (what the store keeps).
NewPolicy NormalizePolicy(NewPolicy policy);

}  // namespace wott::store

#endif  // WOTT_STORE_VALIDATE_H_
