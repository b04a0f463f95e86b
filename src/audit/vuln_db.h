// The vulnerability database: reference data (Debian Security Tracker, OSV) in its own
// SQLite file, DATA_DIR/vulndb.sqlite, apart from the device registry.
//
// It is only ever replaced whole: VulnDbWriter builds a new file beside the old one and
// Commit() renames it over the old one (rename(2): atomic), so readers see the old data or
// the complete new data, and an import that fails leaves the old data in place.
//
// Thread-safety: a VulnDbWriter is used by one thread. A VulnDb may be shared; its lookups
// are serialized by an internal mutex. A VulnDb keeps reading the file it opened even after
// a newer one is committed (open a new VulnDb to see it).
#ifndef WOTT_AUDIT_VULN_DB_H_
#define WOTT_AUDIT_VULN_DB_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "audit/sqlite_handle.h"
#include "base/result.h"

namespace wott::audit {

// The database's file name inside a data directory.
inline constexpr char kVulnDbFileName[] = "vulndb.sqlite";

// One vulnerability (CVE, DSA, OSV record): what it is, independent of packages.
struct Vulnerability {
  std::string id;                    // "CVE-2024-4741", "DSA-5532-1", "TEMP-0000000-1A2B3C"
  std::string description;           // may be empty
  std::string scope;                 // tracker: "local" / "remote" / ""
  std::vector<std::string> aliases;  // OSV aliases/upstream (e.g. the CVE of a DSA)
  std::string origin;                // "debian-tracker" or "osv"
};

// How one vulnerability concerns one source package in one release.
struct Advisory {
  std::string vuln_id;
  std::string source_package;  // Debian source package name
  std::string release;         // codename: "bookworm"
  std::string status;          // "resolved", "open", "undetermined" (tracker words)
  std::string fixed_version;   // the first fixed version when resolved; "" otherwise
  std::string introduced;      // OSV: first affected version; "" = all earlier versions
  std::string urgency;         // tracker urgency as published ("low", "not yet assigned", ...)
  std::string nodsa;           // tracker no-DSA note ("Minor issue"); "" when none
  std::string nodsa_reason;    // "postponed", "ignored" or ""
  std::string origin;          // "debian-tracker" or "osv"
};

// An advisory joined with its vulnerability's text, as lookups return it.
struct AdvisoryRow {
  Advisory advisory;
  std::string description;
  std::string scope;
  std::vector<std::string> aliases;
};

// One imported file, recorded in the database.
struct ImportedSource {
  std::string file;    // as given on the command line
  std::string format;  // "debian-tracker" or "osv"
  int64_t advisories = 0;
};

struct VulnDbStats {
  int64_t vulnerabilities = 0;
  int64_t advisories = 0;
  std::vector<std::string> releases;  // sorted
  std::string imported_at;            // RFC 3339 UTC
  std::vector<ImportedSource> sources;
};

class VulnDbWriter {
 public:
  // Starts a new database in a temporary file beside `path` (same directory, which must
  // exist). Nothing at `path` changes until Commit().
  static Result<std::unique_ptr<VulnDbWriter>> Create(const std::filesystem::path& path);
  // Removes the temporary file unless Commit() succeeded.
  ~VulnDbWriter();
  VulnDbWriter(const VulnDbWriter&) = delete;
  VulnDbWriter& operator=(const VulnDbWriter&) = delete;

  // Adds a vulnerability; a second one with the same id is ignored (the tracker repeats a
  // CVE under each package it affects).
  Status AddVulnerability(const Vulnerability& v);
  Status AddAdvisory(const Advisory& a);
  Status AddSource(const ImportedSource& source);

  // Indexes, stamps `imported_at` (RFC 3339), fsyncs, and renames the new file over `path`.
  // On failure `path` is untouched. REQUIRES: called at most once.
  Status Commit(std::string_view imported_at);

 private:
  VulnDbWriter(std::filesystem::path path, std::filesystem::path temp, Db db);

  std::filesystem::path path_;
  std::filesystem::path temp_;
  Db db_;
  Stmt add_vulnerability_;
  Stmt add_advisory_;
  int64_t next_seq_ = 0;
  bool committed_ = false;
};

class VulnDb {
 public:
  // Opens the database at `path` read-only. kNotFound when there is none yet (the message
  // says how to import data); kFailedPrecondition when the file is not one of ours.
  static Result<std::unique_ptr<VulnDb>> Open(const std::filesystem::path& path);

  // The advisories for `source_package` in `release`, in vulnerability id order. The
  // description and scope are read only when `with_text` (a second b-tree lookup per row,
  // most of a scan's cost); aliases always.
  Result<std::vector<AdvisoryRow>> Find(std::string_view source_package, std::string_view release,
                                        bool with_text = true) const;
  // Whether any advisory names `release`.
  Result<bool> HasRelease(std::string_view release) const;
  Result<VulnDbStats> Stats() const;

 private:
  explicit VulnDb(Db db) : db_(std::move(db)) {}

  mutable std::mutex mu_;
  mutable Db db_;                // guarded by mu_ (const lookups prepare statements)
  mutable Stmt find_;            // guarded by mu_
  mutable Stmt find_with_text_;  // guarded by mu_
};

}  // namespace wott::audit

#endif  // WOTT_AUDIT_VULN_DB_H_
