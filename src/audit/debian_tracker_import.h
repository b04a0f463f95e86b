// Importer for the Debian Security Tracker's JSON export
// (https://security-tracker.debian.org/tracker/data/json, ~100 MB):
//   {source_package: {CVE-ID: {description, scope, debianbug,
//     releases: {codename: {status, fixed_version, urgency, nodsa, nodsa_reason,
//                           repositories}}}}}
// Parsed as a stream (nlohmann SAX): only one (package, CVE) entry is held at a time, so
// memory stays bounded whatever the file size. Thread-safety: none (one import per thread).
#ifndef WOTT_AUDIT_DEBIAN_TRACKER_IMPORT_H_
#define WOTT_AUDIT_DEBIAN_TRACKER_IMPORT_H_

#include <filesystem>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "audit/import_input.h"
#include "audit/vuln_db.h"
#include "base/result.h"

namespace wott::audit {

inline constexpr char kOriginDebianTracker[] = "debian-tracker";

struct TrackerRelease {
  std::string codename;       // "bookworm"
  std::string status;         // "resolved", "open", "undetermined"
  std::string fixed_version;  // "" when absent; "0" = never affected
  std::string urgency;        // "low", "medium", "high", "unimportant", "not yet assigned",
                              // "end-of-life" (possibly with a "**" suffix)
  std::string nodsa;          // no-DSA note, "" when none
  std::string nodsa_reason;   // "postponed", "ignored", ""
};

struct TrackerEntry {
  std::string package;  // source package
  std::string cve;      // "CVE-2024-4741" or "TEMP-..."
  std::string description;
  std::string scope;
  std::vector<TrackerRelease> releases;
};

// Streams tracker JSON from `in` and calls `on_entry` once per (package, CVE) entry, in file
// order. Unknown fields are skipped. Fails with kInvalidArgument on a JSON syntax error (the
// message gives the line and column) or a value of the wrong shape (the message names the
// package and CVE), or with the first error `on_entry` returns; entries already delivered
// stay delivered.
Status ParseDebianTracker(std::istream& in, const std::function<Status(TrackerEntry&)>& on_entry);

// Imports the tracker file `path` into `writer`: one Vulnerability per CVE, one Advisory per
// release that is not marked "never affected". A release whose fixed_version does not parse
// as a dpkg version is skipped and counted. Fails (the message names the file) when the file
// cannot be read or parsed, or holds no entry at all. `progress` may be null.
Result<ImportStats> ImportDebianTrackerFile(const std::filesystem::path& path, VulnDbWriter& writer,
                                            const ProgressFn& progress);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_DEBIAN_TRACKER_IMPORT_H_
