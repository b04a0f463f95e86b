// Matching an inventory against the vulnerability database: which vulnerabilities concern
// the installed source packages of the device's Debian release, and in what state.
//
// Matching is by source package name + release codename (the tracker's keys); a binNMU's
// binaries share their source's version. A "resolved" advisory is a finding only while the
// installed source version sorts before fixed_version (dpkg order). Open issues are split
// into the states the tracker distinguishes, so that the noise (no-DSA, unimportant,
// end-of-life) can be filtered out instead of drowning the fixable ones.
//
// Severity from the tracker's urgency (docs/AUDIT.md): high -> high, medium -> medium,
// low -> low, unimportant -> negligible, "not yet assigned" / end-of-life / anything else ->
// unknown; a trailing "*" or "**" (urgency guessed from NVD) is ignored. OSV records carry
// no urgency: unknown, unless their database_specific.urgency says otherwise.
//
// Thread-safety: pure functions; the VulnDb serializes its own lookups.
#ifndef WOTT_AUDIT_MATCHER_H_
#define WOTT_AUDIT_MATCHER_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/deb_version.h"
#include "audit/inventory.h"
#include "audit/vuln_db.h"
#include "base/result.h"

namespace wott::audit {

enum class FindingState {
  kFixable,       // installed version < fixed_version: upgrading fixes it
  kOpen,          // unfixed in this release, no decision yet
  kNoDsa,         // unfixed; the security team will not issue an advisory (minor issue,
                  // postponed to a point release)
  kIgnored,       // unfixed and deemed unimportant (urgency unimportant, or no-DSA ignored)
  kEndOfLife,     // the package is no longer supported in this release
  kUndetermined,  // the tracker does not know yet whether this release is affected
};

// Ordered: a filter "at least kMedium" keeps kMedium, kHigh and kCritical.
enum class Severity { kUnknown, kNegligible, kLow, kMedium, kHigh, kCritical };

// "fixable", "open", "no-dsa", "ignored", "end-of-life", "undetermined".
std::string_view FindingStateName(FindingState state);
// Inverse of FindingStateName (also accepts "unfixed" for kOpen, "unimportant" for
// kIgnored); kInvalidArgument listing the names otherwise.
Result<FindingState> ParseFindingState(std::string_view name);
// "unknown", "negligible", "low", "medium", "high", "critical".
std::string_view SeverityName(Severity severity);
Result<Severity> ParseSeverity(std::string_view name);
Severity SeverityFromUrgency(std::string_view urgency);

struct Finding {
  std::string vuln_id;
  std::string source_package;
  std::string installed_version;             // the installed source version
  std::vector<std::string> binary_packages;  // installed binaries built from it, sorted
  std::string release;
  FindingState state = FindingState::kOpen;
  Severity severity = Severity::kUnknown;
  std::string urgency;        // as published
  std::string fixed_version;  // set for kFixable
  std::string note;           // no-DSA note and reason, when any
  std::string description;
  std::string scope;
  std::string origin;  // "debian-tracker" or "osv"
};

// What one advisory means for `installed` (a source version): the state, or nullopt when
// the installed version is not affected (already fixed, or older than `introduced`).
std::optional<FindingState> ClassifyAdvisory(const Advisory& advisory, const DebVersion& installed);

struct MatchOptions {
  // The release codename to match; "" = the inventory's os.version_codename.
  std::string release;
  // States to report; empty = all.
  std::set<FindingState> states;
  // Only findings of at least this severity (kUnknown = all).
  Severity min_severity = Severity::kUnknown;
  // Fill Finding::description and scope (costs about as much as the rest of the match;
  // counts, scores and fleet views do not need them).
  bool with_descriptions = true;
};

// The findings for `inventory`, most severe first (then fixable first, then by package and
// id). An advisory present both in the tracker and as an OSV record (same id or alias) is
// reported once, from the tracker. Fails with kFailedPrecondition when the release is
// unknown (no codename, a non-Debian OS, or a release the data does not cover), with
// kInvalidArgument when an installed version does not parse.
Result<std::vector<Finding>> MatchInventory(const Inventory& inventory, const VulnDb& db,
                                            const MatchOptions& options = {});

}  // namespace wott::audit

#endif  // WOTT_AUDIT_MATCHER_H_
