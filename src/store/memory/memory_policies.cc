#include "store/memory/memory_policies.h"

#include <algorithm>

#include "store/rules.h"
#include "store/validate.h"

namespace wott::store {

PolicyRecord PolicyTable::Put(const NewPolicy& policy, std::string_view actor, TimePoint now) {
  NewPolicy normal = NormalizePolicy(policy);
  PolicyRecord& record = policies_[normal.name];
  record.name = normal.name;
  record.description = normal.description;
  record.allow_devices = std::move(normal.allow_devices);
  record.allow_tags = std::move(normal.allow_tags);
  record.min_trust_score = normal.min_trust_score;
  record.deny_fixable_severity = normal.deny_fixable_severity;
  record.version += 1;  // a new record starts at 0
  record.updated_at = TruncateToSeconds(now);
  record.updated_by = std::string(actor);
  return record;
}

Result<PolicyRecord> PolicyTable::Get(std::string_view name) const {
  auto it = policies_.find(name);
  if (it == policies_.end()) return UnknownPolicy();
  return it->second;
}

std::vector<PolicyRecord> PolicyTable::List() const {
  std::vector<PolicyRecord> out;
  for (const auto& [name, policy] : policies_) out.push_back(policy);
  return out;
}

bool PolicyTable::Erase(std::string_view name) {
  auto it = policies_.find(name);
  if (it == policies_.end()) return false;
  policies_.erase(it);
  return true;
}

Result<ResolvedPolicy> PolicyTable::Resolve(
    std::string_view name, const std::map<std::string, DeviceRecord>& devices) const {
  ASSIGN_OR_RETURN(PolicyRecord policy, Get(name));
  ResolvedPolicy out;
  for (const auto& [id, device] : devices) {
    if (PolicyAllowsDevice(policy, device)) out.allowed_devices.push_back(device.name);
  }
  std::sort(out.allowed_devices.begin(), out.allowed_devices.end());
  out.allowed_devices.erase(std::unique(out.allowed_devices.begin(), out.allowed_devices.end()),
                            out.allowed_devices.end());
  out.policy = std::move(policy);
  return out;
}

}  // namespace wott::store
