#include "audit/matcher.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace wott::audit {
namespace {

constexpr std::pair<FindingState, std::string_view> kStateNames[] = {
    {FindingState::kFixable, "fixable"},       {FindingState::kOpen, "open"},
    {FindingState::kNoDsa, "no-dsa"},          {FindingState::kIgnored, "ignored"},
    {FindingState::kEndOfLife, "end-of-life"}, {FindingState::kUndetermined, "undetermined"},
};

constexpr std::pair<Severity, std::string_view> kSeverityNames[] = {
    {Severity::kUnknown, "unknown"}, {Severity::kNegligible, "negligible"},
    {Severity::kLow, "low"},         {Severity::kMedium, "medium"},
    {Severity::kHigh, "high"},       {Severity::kCritical, "critical"},
};

// "low**" -> "low"; "  high " -> "high".
std::string_view CleanUrgency(std::string_view u) {
  while (!u.empty() && (u.back() == '*' || u.back() == ' ')) u.remove_suffix(1);
  while (!u.empty() && u.front() == ' ') u.remove_prefix(1);
  return u;
}

struct SourceKey {
  std::string name;
  std::string version;
  bool operator<(const SourceKey& o) const {
    return std::tie(name, version) < std::tie(o.name, o.version);
  }
};

// Whether `row` (from OSV) repeats an advisory the tracker already gave for this package.
bool DuplicatesTracker(const AdvisoryRow& row, const std::set<std::string>& tracker_ids) {
  if (row.advisory.origin == "debian-tracker") return false;
  if (tracker_ids.contains(row.advisory.vuln_id)) return true;
  return std::any_of(row.aliases.begin(), row.aliases.end(),
                     [&](const std::string& a) { return tracker_ids.contains(a); });
}

}  // namespace

std::string_view FindingStateName(FindingState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

Result<FindingState> ParseFindingState(std::string_view name) {
  if (name == "unfixed") return FindingState::kOpen;
  if (name == "unimportant") return FindingState::kIgnored;
  for (const auto& [s, n] : kStateNames) {
    if (n == name) return s;
  }
  return InvalidArgument("unknown state '" + std::string(name) +
                         "' (fixable, open, no-dsa, ignored, end-of-life, undetermined)");
}

std::string_view SeverityName(Severity severity) {
  for (const auto& [s, name] : kSeverityNames) {
    if (s == severity) return name;
  }
  return "unknown";
}

Result<Severity> ParseSeverity(std::string_view name) {
  for (const auto& [s, n] : kSeverityNames) {
    if (n == name) return s;
  }
  return InvalidArgument("unknown severity '" + std::string(name) +
                         "' (unknown, negligible, low, medium, high, critical)");
}

Severity SeverityFromUrgency(std::string_view urgency) {
  std::string_view u = CleanUrgency(urgency);
  if (u == "unimportant") return Severity::kNegligible;
  for (const auto& [s, n] : kSeverityNames) {
    if (n == u && s != Severity::kNegligible) return s;
  }
  return Severity::kUnknown;
}

std::optional<FindingState> ClassifyAdvisory(const Advisory& a, const DebVersion& installed) {
  if (!a.introduced.empty() && a.introduced != "0") {
    Result<DebVersion> introduced = ParseDebVersion(a.introduced);
    if (introduced.ok() && CompareDebVersions(installed, *introduced) < 0) return std::nullopt;
  }
  if (a.status == "resolved") {
    if (a.fixed_version.empty()) return FindingState::kUndetermined;
    Result<DebVersion> fixed = ParseDebVersion(a.fixed_version);
    if (!fixed.ok()) return FindingState::kUndetermined;
    if (CompareDebVersions(installed, *fixed) < 0) return FindingState::kFixable;
    return std::nullopt;
  }
  std::string_view urgency = CleanUrgency(a.urgency);
  if (urgency.starts_with("end-of-life")) return FindingState::kEndOfLife;
  if (urgency == "unimportant" || a.nodsa_reason == "ignored") return FindingState::kIgnored;
  if (!a.nodsa.empty() || !a.nodsa_reason.empty()) return FindingState::kNoDsa;
  if (a.status == "undetermined") return FindingState::kUndetermined;
  return FindingState::kOpen;
}

Result<std::vector<Finding>> MatchInventory(const Inventory& inventory, const VulnDb& db,
                                            const MatchOptions& options) {
  std::string release = options.release.empty() ? inventory.os.version_codename : options.release;
  if (options.release.empty() && !inventory.os.id.empty() && !inventory.os.IsDebianLike()) {
    return FailedPrecondition("'" + inventory.os.id +
                              "' is not Debian or Debian-based: the data covers Debian only");
  }
  if (release.empty()) {
    return FailedPrecondition(
        "cannot tell the Debian release: os-release has no VERSION_CODENAME (name the release "
        "explicitly)");
  }
  ASSIGN_OR_RETURN(bool known, db.HasRelease(release));
  if (!known) {
    return FailedPrecondition("the vulnerability data has no release '" + release + "'");
  }

  // Installed binaries grouped by the source (name, version) they were built from.
  std::map<SourceKey, std::vector<std::string>> sources;
  for (const InstalledPackage& p : inventory.packages) {
    sources[{p.source_name, p.source_version}].push_back(p.name);
  }

  std::vector<Finding> findings;
  findings.reserve(sources.size() * 8);  // growing a vector of Findings moves them all
  for (auto& [source, binaries] : sources) {
    Result<DebVersion> installed = ParseDebVersion(source.version);
    if (!installed.ok()) {
      return InvalidArgument("package " + source.name + ": " + installed.status().message());
    }
    std::sort(binaries.begin(), binaries.end());
    binaries.erase(std::unique(binaries.begin(), binaries.end()), binaries.end());
    ASSIGN_OR_RETURN(std::vector<AdvisoryRow> rows,
                     db.Find(source.name, release, options.with_descriptions));
    // The sets below cost a node per row; most packages need neither (tracker rows only,
    // each id once), so they are built only when an OSV row or a repeated id is present.
    bool any_osv = false;
    std::vector<std::string_view> ids;
    ids.reserve(rows.size());
    for (const AdvisoryRow& row : rows) {
      any_osv = any_osv || row.advisory.origin != "debian-tracker";
      ids.push_back(row.advisory.vuln_id);
    }
    std::sort(ids.begin(), ids.end());
    const bool repeated_ids = std::adjacent_find(ids.begin(), ids.end()) != ids.end();
    std::set<std::string> tracker_ids;
    if (any_osv) {
      for (const AdvisoryRow& row : rows) {
        if (row.advisory.origin == "debian-tracker") tracker_ids.insert(row.advisory.vuln_id);
      }
    }
    std::set<std::string> seen;
    for (AdvisoryRow& row : rows) {
      if (any_osv && DuplicatesTracker(row, tracker_ids)) continue;
      std::optional<FindingState> state = ClassifyAdvisory(row.advisory, *installed);
      // An OSV record may have several ranges: report the one that applies, once.
      if (!state || (repeated_ids && !seen.insert(row.advisory.vuln_id).second)) continue;
      Severity severity = SeverityFromUrgency(row.advisory.urgency);
      if (!options.states.empty() && !options.states.contains(*state)) continue;
      if (severity < options.min_severity) continue;
      Finding f;
      f.vuln_id = std::move(row.advisory.vuln_id);
      f.source_package = source.name;
      f.installed_version = source.version;
      f.binary_packages = binaries;
      f.release = release;
      f.state = *state;
      f.severity = severity;
      f.urgency = std::move(row.advisory.urgency);
      if (*state == FindingState::kFixable) f.fixed_version = std::move(row.advisory.fixed_version);
      f.note = std::move(row.advisory.nodsa);
      if (!row.advisory.nodsa_reason.empty()) {
        f.note += (f.note.empty() ? "" : " ") + ("(" + row.advisory.nodsa_reason + ")");
      }
      f.description = std::move(row.description);
      f.scope = std::move(row.scope);
      f.origin = std::move(row.advisory.origin);
      findings.push_back(std::move(f));
    }
  }
  // Sort compact keys, then move each Finding once: a Finding is a dozen strings, and moving
  // them through std::sort's swaps cost more than the lookups. Sources were visited in name
  // order, so a per-name ordinal stands in for comparing package names (that string
  // comparison was a fifth of the match); ids are compared only within one package.
  struct Key {
    int rank;       // severity (descending), then state
    uint32_t name;  // ordinal of source_package in visiting order
    uint32_t index;
  };
  std::vector<Key> keys(findings.size());
  uint32_t name_ordinal = 0;
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    if (i > 0 && f.source_package != findings[i - 1].source_package) ++name_ordinal;
    keys[i] = {-static_cast<int>(f.severity) * 16 + static_cast<int>(f.state), name_ordinal,
               static_cast<uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [&findings](const Key& a, const Key& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.name != b.name) return a.name < b.name;
    return findings[a.index].vuln_id < findings[b.index].vuln_id;
  });
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (size_t i : order) sorted.push_back(std::move(findings[i]));
  return sorted;
}

}  // namespace wott::audit
