// Findings as the server keeps them: stored per device as JSON (FindingToJson), read back
// for the trust score, folded into the fleet CVE view, and checked against a policy's
// posture requirements. Pure functions over values; safe from any thread.
#ifndef WOTT_SERVER_POSTURE_FINDINGS_H_
#define WOTT_SERVER_POSTURE_FINDINGS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/matcher.h"
#include "base/result.h"

namespace wott::server {

// [FindingToJson...] and back. FindingsFromJson fails with kInvalidArgument on a
// malformed stored list (unknown state or severity names, missing fields).
nlohmann::json FindingsToJson(const std::vector<audit::Finding>& findings);
Result<std::vector<audit::Finding>> FindingsFromJson(const nlohmann::json& stored);

// FindingToJson counts plus the dashboard's names: "vulnerable" (= fixable) and
// "unfixed" (every other state).
nlohmann::json FindingCountsJson(const std::vector<audit::Finding>& findings);

// The most severe fixable finding, if any.
const audit::Finding* WorstFixable(const std::vector<audit::Finding>& findings);

// One device's findings for the fleet view.
struct DeviceFindings {
  std::string device_hex;
  std::string device_name;  // "<hex>.d.<domain>"
  std::vector<audit::Finding> findings;
};

// GET /v1/admin/cves filters. Empty sets mean "all".
struct CveQuery {
  std::set<audit::Severity> severities;
  std::set<audit::FindingState> states;
  int64_t limit = 100;
  int64_t offset = 0;
};

// Parses "severity=high,critical&state=fixable&limit=&offset=" (already split into
// values; "" = not given). State names as ParseFindingState, plus "vulnerable" for
// fixable. limit 1..1000 (default 100), offset >= 0. kInvalidArgument naming the parameter.
Result<CveQuery> ParseCveQuery(std::string_view severity, std::string_view state,
                               std::string_view limit, std::string_view offset);

// {"cves": [{"cve", "severity", "state", "description", "packages": [{"source",
// "fixed_version", "devices": [{"id", "name", "installed"}]}]}], "total"}: one entry per
// (vulnerability, state), most severe first, then by number of devices (most first), then
// by id; `total` counts entries before paging.
nlohmann::json FleetCvesJson(const std::vector<DeviceFindings>& devices, const CveQuery& query);

// What a policy may require of a device's posture (docs/API.md "Policies").
struct PostureRequirement {
  std::optional<int> min_trust_score = std::nullopt;  // 0..100
  std::optional<audit::Severity> deny_fixable_severity =
      std::nullopt;  // kMedium, kHigh or kCritical
  bool empty() const { return !min_trust_score && !deny_fixable_severity; }
};

// What the requirement looks at for one device.
struct PostureSummary {
  bool audited = false;            // a host audit or an inventory was reported
  std::optional<int> trust_score;  // the latest computed score
  std::optional<audit::Severity> worst_fixable =
      std::nullopt;              // nullopt = none (or findings unknown)
  std::string worst_fixable_id = "";  // its vulnerability id
};

// Why the device fails `requirement` ("trust score 42 < 60", "no audit reported",
// "fixable high vulnerability CVE-2023-1234"), or nullopt when it passes.
std::optional<std::string> RequirementFailure(const PostureRequirement& requirement,
                                              const PostureSummary& summary);

}  // namespace wott::server

#endif  // WOTT_SERVER_POSTURE_FINDINGS_H_
