// Fuzzes server::ParsePolicyBody, the PUT /v1/admin/policies/{name} body (also read by
// `wott-server policy`). Input: the policy name up to the first newline, then the JSON body;
// the first byte's low bit picks the server's domain or none (the CLI without its CA).
// Invariants on an accepted policy: every device is a 32-hex ID, and the policy rendered
// back as a body parses again to the same value.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "server/policy_json.h"

namespace {

bool IsHex32(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view domain = (data[0] & 1) ? "example.test" : "";
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view name = input.substr(0, newline);
  nlohmann::json body =
      nlohmann::json::parse(input.substr(newline + 1), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  wott::Result<wott::store::NewPolicy> policy = wott::server::ParsePolicyBody(name, body, domain);
  if (!policy.ok()) {
    if (policy.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (policy->name != name) __builtin_trap();
  for (const std::string& id : policy->allow_devices) {
    if (!IsHex32(id)) __builtin_trap();
    // A device ID is its own reference, in any domain.
    wott::Result<std::string> ref = wott::server::PolicyDeviceRef(id, domain);
    if (!ref.ok() || *ref != id) __builtin_trap();
  }
  const nlohmann::json rendered = {{"description", policy->description},
                                   {"allow_devices", policy->allow_devices},
                                   {"allow_tags", policy->allow_tags}};
  nlohmann::json again = nlohmann::json::parse(rendered.dump(), nullptr, false);
  wott::Result<wott::store::NewPolicy> second = wott::server::ParsePolicyBody(name, again, domain);
  if (!second.ok() || second->description != policy->description ||
      second->allow_devices != policy->allow_devices || second->allow_tags != policy->allow_tags) {
    __builtin_trap();
  }
  return 0;
}
