#include "audit/findings_json.h"

namespace wott::audit {

nlohmann::json FindingToJson(const Finding& f) {
  nlohmann::json j;
  j["id"] = f.vuln_id;
  j["package"] = f.source_package;
  j["installed_version"] = f.installed_version;
  j["binaries"] = f.binary_packages;
  j["release"] = f.release;
  j["state"] = FindingStateName(f.state);
  j["severity"] = SeverityName(f.severity);
  j["urgency"] = f.urgency;
  j["fixed_version"] =
      f.state == FindingState::kFixable ? nlohmann::json(f.fixed_version) : nlohmann::json();
  j["note"] = f.note;
  j["scope"] = f.scope;
  j["description"] = f.description;
  j["origin"] = f.origin;
  return j;
}

std::map<std::string, int> CountByState(const std::vector<Finding>& findings) {
  std::map<std::string, int> counts;
  for (FindingState s :
       {FindingState::kFixable, FindingState::kOpen, FindingState::kNoDsa, FindingState::kIgnored,
        FindingState::kEndOfLife, FindingState::kUndetermined}) {
    counts[std::string(FindingStateName(s))] = 0;
  }
  for (const Finding& f : findings) ++counts[std::string(FindingStateName(f.state))];
  counts["total"] = static_cast<int>(findings.size());
  return counts;
}

}  // namespace wott::audit
