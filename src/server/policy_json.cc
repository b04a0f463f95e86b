#include "server/policy_json.h"

#include "base/encoding.h"
#include "ossl/digest.h"
#include "pki/device_id.h"
#include "server/admin_query.h"
#include "server/api_util.h"
#include "store/validate.h"

namespace wott::server {
namespace {

// A short, printable excerpt of untrusted input for an error message.
std::string Excerpt(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// The array of strings `key` of `body` ([] when absent or null).
Result<std::vector<std::string>> StringList(const nlohmann::json& body, std::string_view key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) {
    return InvalidArgument("field '" + std::string(key) + "' must be an array of strings");
  }
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) {
      return InvalidArgument("field '" + std::string(key) + "' must be an array of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::string> PolicyDeviceRef(std::string_view ref, std::string_view domain) {
  if (domain.empty()) {  // the domain is unknown: any "<hex>.d.<something>" names <hex>
    Result<std::string> hex = DeviceHexOf(ref);
    if (hex.ok()) return hex;
  }
  Result<pki::DeviceId> id = pki::DeviceId::Parse(ref, domain);
  if (!id.ok()) {
    return InvalidArgument("allow_devices: \"" + Excerpt(ref) +
                           "\" is neither a 32-character lowercase hex device ID nor a device "
                           "name <id>.d." +
                           std::string(domain.empty() ? "<domain>" : domain));
  }
  return id->hex();
}

Result<store::NewPolicy> ParsePolicyBody(std::string_view name, const nlohmann::json& body,
                                         std::string_view domain) {
  RETURN_IF_ERROR(CheckJsonFields(body, {"description", "allow_devices", "allow_tags", "require"}));
  store::NewPolicy policy;
  policy.name = std::string(name);
  ASSIGN_OR_RETURN(policy.description, StringField(body, "description", /*required=*/false));
  ASSIGN_OR_RETURN(std::vector<std::string> devices, StringList(body, "allow_devices"));
  // Checked before the loop: each reference is parsed, so bound the work first.
  if (devices.size() > store::kMaxPolicyDevices) {
    return InvalidArgument("too many devices in the policy (at most " +
                           std::to_string(store::kMaxPolicyDevices) + ")");
  }
  for (const std::string& ref : devices) {
    ASSIGN_OR_RETURN(std::string hex, PolicyDeviceRef(ref, domain));
    policy.allow_devices.push_back(std::move(hex));
  }
  ASSIGN_OR_RETURN(policy.allow_tags, StringList(body, "allow_tags"));
  if (auto require = body.find("require"); require != body.end() && !require->is_null()) {
    if (!require->is_object()) return InvalidArgument("field 'require' must be an object");
    RETURN_IF_ERROR(CheckJsonFields(*require, {"min_trust_score", "deny_fixable_severity"}));
    if (auto min = require->find("min_trust_score"); min != require->end() && !min->is_null()) {
      if (!min->is_number_integer() || min->get<int64_t>() < 0 || min->get<int64_t>() > 100) {
        return InvalidArgument("field 'require.min_trust_score' must be an integer from 0 to 100");
      }
      policy.min_trust_score = min->get<int>();
    }
    ASSIGN_OR_RETURN(policy.deny_fixable_severity,
                     StringField(*require, "deny_fixable_severity", /*required=*/false));
  }
  RETURN_IF_ERROR(store::ValidateNewPolicy(policy));
  return policy;
}

nlohmann::json PolicyToJson(const store::PolicyRecord& policy) {
  return {{"name", policy.name},
          {"description", policy.description},
          {"allow_devices", policy.allow_devices},
          {"allow_tags", policy.allow_tags},
          {"require",
           {{"min_trust_score",
             policy.min_trust_score ? nlohmann::json(*policy.min_trust_score) : nlohmann::json()},
            {"deny_fixable_severity", policy.deny_fixable_severity.empty()
                                          ? nlohmann::json()
                                          : nlohmann::json(policy.deny_fixable_severity)}}},
          {"version", policy.version},
          {"updated_at", FormatRfc3339(policy.updated_at)},
          {"updated_by", policy.updated_by}};
}

PolicyDocument RenderPolicyDocument(const store::ResolvedPolicy& resolved, TimePoint now,
                                    const std::vector<RefusedDevice>& refused) {
  // Names, versions and reasons hold no newline or tab, so this encoding is unambiguous.
  std::string hashed = resolved.policy.name + "\n" + std::to_string(resolved.policy.version);
  for (const std::string& name : resolved.allowed_devices) hashed += "\n" + name;
  nlohmann::json refused_json = nlohmann::json::array();
  for (const RefusedDevice& r : refused) {
    hashed += "\n-" + r.name + "\t" + r.reason;
    refused_json.push_back({{"name", r.name}, {"reason", r.reason}});
  }
  PolicyDocument doc;
  doc.etag = "\"" + ossl::Sha256Hex(hashed) + "\"";
  doc.body = nlohmann::json{{"name", resolved.policy.name},
                            {"version", resolved.policy.version},
                            {"allowed_devices", resolved.allowed_devices},
                            {"refused_devices", std::move(refused_json)},
                            {"generated_at", FormatRfc3339(now)}}
                 .dump();
  return doc;
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view item = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);  // If-None-Match compares weakly
    if (item == etag) return true;
  }
  return false;
}

}  // namespace wott::server
