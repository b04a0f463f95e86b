#include "server/posture_findings.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <tuple>

#include "audit/findings_json.h"

namespace wott::server {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<int64_t> ParseCount(std::string_view text, std::string_view name, int64_t fallback,
                           int64_t min, int64_t max) {
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    return InvalidArgument("parameter '" + std::string(name) + "' must be an integer from " +
                           std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

// Splits "a,b" and parses each with `parse`.
template <typename T, typename Parse>
Result<std::set<T>> ParseList(std::string_view text, std::string_view name, Parse parse) {
  std::set<T> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    Result<T> value = parse(item);
    if (!value.ok()) {
      return InvalidArgument("parameter '" + std::string(name) + "': " + value.status().message());
    }
    out.insert(*value);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

}  // namespace

nlohmann::json FindingsToJson(const std::vector<audit::Finding>& findings) {
  json out = json::array();
  for (const audit::Finding& f : findings) out.push_back(audit::FindingToJson(f));
  return out;
}

Result<std::vector<audit::Finding>> FindingsFromJson(const nlohmann::json& stored) {
  if (!stored.is_array()) return InvalidArgument("stored findings are not a list");
  std::vector<audit::Finding> out;
  out.reserve(stored.size());
  for (const json& j : stored) {
    if (!j.is_object()) return InvalidArgument("a stored finding is not an object");
    audit::Finding f;
    f.vuln_id = Str(j, "id");
    f.source_package = Str(j, "package");
    f.installed_version = Str(j, "installed_version");
    if (auto b = j.find("binaries"); b != j.end() && b->is_array()) {
      for (const json& name : *b) {
        if (name.is_string()) f.binary_packages.push_back(name.get<std::string>());
      }
    }
    f.release = Str(j, "release");
    ASSIGN_OR_RETURN(f.state, audit::ParseFindingState(Str(j, "state")));
    ASSIGN_OR_RETURN(f.severity, audit::ParseSeverity(Str(j, "severity")));
    f.urgency = Str(j, "urgency");
    f.fixed_version = Str(j, "fixed_version");
    f.note = Str(j, "note");
    f.scope = Str(j, "scope");
    f.description = Str(j, "description");
    f.origin = Str(j, "origin");
    if (f.vuln_id.empty() || f.source_package.empty()) {
      return InvalidArgument("a stored finding has no id or package");
    }
    out.push_back(std::move(f));
  }
  return out;
}

nlohmann::json FindingCountsJson(const std::vector<audit::Finding>& findings) {
  json counts = json::object();
  for (const auto& [state, n] : audit::CountByState(findings)) counts[state] = n;
  const int fixable = counts["fixable"].get<int>();
  counts["vulnerable"] = fixable;
  counts["unfixed"] = static_cast<int>(findings.size()) - fixable;
  return counts;
}

const audit::Finding* WorstFixable(const std::vector<audit::Finding>& findings) {
  const audit::Finding* worst = nullptr;
  for (const audit::Finding& f : findings) {
    if (f.state != audit::FindingState::kFixable) continue;
    if (worst == nullptr || f.severity > worst->severity ||
        (f.severity == worst->severity && f.vuln_id < worst->vuln_id)) {
      worst = &f;
    }
  }
  return worst;
}

Result<CveQuery> ParseCveQuery(std::string_view severity, std::string_view state,
                               std::string_view limit, std::string_view offset) {
  CveQuery q;
  ASSIGN_OR_RETURN(q.severities, ParseList<audit::Severity>(severity, "severity", [](auto s) {
                     return audit::ParseSeverity(s);
                   }));
  ASSIGN_OR_RETURN(q.states,
                   ParseList<audit::FindingState>(
                       state, "state", [](std::string_view s) -> Result<audit::FindingState> {
                         if (s == "vulnerable") return audit::FindingState::kFixable;
                         return audit::ParseFindingState(s);
                       }));
  ASSIGN_OR_RETURN(q.limit, ParseCount(limit, "limit", 100, 1, 1000));
  ASSIGN_OR_RETURN(q.offset, ParseCount(offset, "offset", 0, 0, int64_t{1} << 40));
  return q;
}

nlohmann::json FleetCvesJson(const std::vector<DeviceFindings>& devices, const CveQuery& query) {
  struct Package {
    std::string fixed_version;
    json devices = json::array();
  };
  struct Entry {
    std::string id;
    audit::Severity severity = audit::Severity::kUnknown;
    audit::FindingState state = audit::FindingState::kOpen;
    std::string description;
    std::map<std::string, Package> packages;  // by source package
    size_t device_count = 0;
  };
  std::map<std::pair<std::string, audit::FindingState>, Entry> entries;
  for (const DeviceFindings& d : devices) {
    for (const audit::Finding& f : d.findings) {
      if (!query.severities.empty() && !query.severities.contains(f.severity)) continue;
      if (!query.states.empty() && !query.states.contains(f.state)) continue;
      Entry& e = entries[{f.vuln_id, f.state}];
      if (e.id.empty()) {
        e.id = f.vuln_id;
        e.state = f.state;
      }
      e.severity = std::max(e.severity, f.severity);
      if (e.description.empty()) e.description = f.description;
      Package& p = e.packages[f.source_package];
      if (p.fixed_version.empty()) p.fixed_version = f.fixed_version;
      p.devices.push_back(
          {{"id", d.device_hex}, {"name", d.device_name}, {"installed", f.installed_version}});
      ++e.device_count;
    }
  }
  std::vector<Entry*> sorted;
  sorted.reserve(entries.size());
  for (auto& [key, e] : entries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return std::make_tuple(b->severity, b->device_count, a->id, a->state) <
           std::make_tuple(a->severity, a->device_count, b->id, b->state);
  });
  json cves = json::array();
  const size_t begin = std::min(sorted.size(), static_cast<size_t>(query.offset));
  const size_t end = std::min(sorted.size(), begin + static_cast<size_t>(query.limit));
  for (size_t i = begin; i < end; ++i) {
    const Entry& e = *sorted[i];
    json packages = json::array();
    for (const auto& [source, p] : e.packages) {
      packages.push_back(
          {{"source", source},
           {"fixed_version", p.fixed_version.empty() ? json() : json(p.fixed_version)},
           {"devices", p.devices}});
    }
    cves.push_back({{"cve", e.id},
                    {"severity", audit::SeverityName(e.severity)},
                    {"state", audit::FindingStateName(e.state)},
                    {"description", e.description},
                    {"packages", std::move(packages)}});
  }
  return {{"cves", std::move(cves)}, {"total", sorted.size()}};
}

std::optional<std::string> RequirementFailure(const PostureRequirement& requirement,
                                              const PostureSummary& summary) {
  if (requirement.min_trust_score) {
    if (!summary.audited || !summary.trust_score) return "no audit reported";
    if (*summary.trust_score < *requirement.min_trust_score) {
      return "trust score " + std::to_string(*summary.trust_score) + " < " +
             std::to_string(*requirement.min_trust_score);
    }
  }
  if (requirement.deny_fixable_severity && summary.worst_fixable &&
      *summary.worst_fixable >= *requirement.deny_fixable_severity) {
    return "fixable " + std::string(audit::SeverityName(*summary.worst_fixable)) +
           " vulnerability " + summary.worst_fixable_id;
  }
  return std::nullopt;
}

}  // namespace wott::server
