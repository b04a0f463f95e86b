// Trust policies (issue 5) as JSON, shared by the admin API, the device API and the
// `wott-server policy` commands, so all of them accept and render the same things.
// Pure functions; thread-safe.
#ifndef WOTT_SERVER_POLICY_JSON_H_
#define WOTT_SERVER_POLICY_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/records.h"

namespace wott::server {

// The 32-hex device ID in `ref`: the bare ID, or the full name "<hex>.d.<domain>" in this
// server's `domain` (any domain when `domain` is empty: the CLI on a registry without its
// CA). kInvalidArgument naming `ref` otherwise.
Result<std::string> PolicyDeviceRef(std::string_view ref, std::string_view domain);

// The policy `name` described by a PUT body {"description"?, "allow_devices"?,
// "allow_tags"?, "require"?: {"min_trust_score"?: 0..100, "deny_fixable_severity"?:
// "medium"|"high"|"critical"}} (absent lists are empty; unknown fields are refused). Device
// references go through PolicyDeviceRef; the rest is checked by store::ValidateNewPolicy, so a bad
// name, tag or list size is kInvalidArgument with a message naming it.
Result<store::NewPolicy> ParsePolicyBody(std::string_view name, const nlohmann::json& body,
                                         std::string_view domain);

// {"name", "description", "allow_devices" (hex IDs), "allow_tags", "require":
//  {"min_trust_score": n|null, "deny_fixable_severity": s|null}, "version", "updated_at",
//  "updated_by"}.
nlohmann::json PolicyToJson(const store::PolicyRecord& policy);

// What GET /v1/policies/{name} serves.
struct PolicyDocument {
  std::string body;  // {"name", "version", "allowed_devices", "refused_devices",
                     //  "generated_at"}
  std::string etag;  // "\"<sha256 hex>\"", quoted as the header carries it
};

// A device the rules allow but a posture requirement refuses.
struct RefusedDevice {
  std::string name;    // "<hex>.d.<domain>"
  std::string reason;  // "trust score 42 < 60"
};

// The device API's view of `resolved` at `now`: allowed_devices as resolved (the caller has
// already removed the refused ones), refused_devices [{"name", "reason"}]. The ETag hashes
// the name, the version and both lists (not generated_at), so it changes whenever the
// policy, its membership or a refusal does, and only then.
PolicyDocument RenderPolicyDocument(const store::ResolvedPolicy& resolved, TimePoint now,
                                    const std::vector<RefusedDevice>& refused = {});

// True when the If-None-Match field `if_none_match` ("*", or a list of entity tags, weak
// ones compared weakly) matches `etag`.
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace wott::server

#endif  // WOTT_SERVER_POLICY_JSON_H_
