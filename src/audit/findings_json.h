// JSON renderings of matcher results, shared by `wott-server cve scan --json` and (later)
// the API and dashboard, so that every consumer sees the same field names. Pure functions.
#ifndef WOTT_AUDIT_FINDINGS_JSON_H_
#define WOTT_AUDIT_FINDINGS_JSON_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/matcher.h"

namespace wott::audit {

// {"id", "package", "installed_version", "binaries": [...], "release", "state", "severity",
//  "urgency", "fixed_version" (null unless fixable), "note", "scope", "description",
//  "origin"}.
nlohmann::json FindingToJson(const Finding& finding);

// Number of findings per state name, every state present (zeros included), plus "total".
std::map<std::string, int> CountByState(const std::vector<Finding>& findings);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_FINDINGS_JSON_H_
