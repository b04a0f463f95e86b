// Importing vulnerability data files into DATA_DIR/vulndb.sqlite: detects each file's format
// (Debian Security Tracker JSON or OSV), imports all the files into one new database and
// swaps it in only when every file imported. Thread-safety: none (one import at a time per
// process; concurrent imports from several processes each leave a complete database, the
// last one wins).
#ifndef WOTT_AUDIT_VULN_IMPORT_H_
#define WOTT_AUDIT_VULN_IMPORT_H_

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "audit/import_input.h"
#include "base/result.h"

namespace wott::audit {

enum class ImportFormat { kDebianTracker, kOsv };

// "debian-tracker" or "osv".
std::string_view ImportFormatName(ImportFormat format);

// Looks at the start of `path`: a JSON array is OSV records; an object whose first key is an
// OSV field ("id", "schema_version", "affected", ...) is one OSV record; any other object is
// the tracker's {source_package: ...}. kInvalidArgument (naming the file) when it is not
// JSON of either shape.
Result<ImportFormat> DetectImportFormat(const std::filesystem::path& path);

struct FileImport {
  std::filesystem::path file;
  ImportFormat format = ImportFormat::kDebianTracker;
  ImportStats stats;
};

// Makes a progress callback for one file (e.g. a ProgressPrinter); may return null.
using ProgressFactory = std::function<ProgressFn(const std::filesystem::path& file)>;

// Imports `files` into a new database and renames it over `db_path`, stamped `imported_at`.
// On any failure (unreadable file, bad JSON, wrong shape, disk full) nothing at `db_path`
// changes and the error names the file. REQUIRES: !files.empty().
Result<std::vector<FileImport>> ImportVulnFiles(const std::filesystem::path& db_path,
                                                const std::vector<std::filesystem::path>& files,
                                                const std::string& imported_at,
                                                const ProgressFactory& progress = nullptr);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_VULN_IMPORT_H_
