#include "audit/vuln_import.h"

#include <set>

#include "audit/debian_tracker_import.h"
#include "audit/osv_import.h"
#include "audit/vuln_db.h"

namespace wott::audit {
namespace {

// Top-level fields of the OSV schema (https://ossf.github.io/osv-schema/).
const std::set<std::string, std::less<>> kOsvFields = {
    "schema_version", "id",       "modified",   "published", "withdrawn",
    "aliases",        "related",  "upstream",   "summary",   "details",
    "severity",       "affected", "references", "credits",   "database_specific"};

// The first object key in `prefix` (which starts at '{'), unescaped only as far as needed.
std::string FirstKey(std::string_view prefix) {
  size_t quote = prefix.find('"');
  if (quote == std::string_view::npos) return "";
  std::string key;
  for (size_t i = quote + 1; i < prefix.size() && prefix[i] != '"'; ++i) {
    if (prefix[i] == '\\') ++i;
    if (i < prefix.size()) key += prefix[i];
  }
  return key;
}

}  // namespace

std::string_view ImportFormatName(ImportFormat format) {
  return format == ImportFormat::kOsv ? "osv" : "debian-tracker";
}

Result<ImportFormat> DetectImportFormat(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<ImportInput> input, ImportInput::Open(path));
  char first = input->PeekFirstNonBlank();
  if (first == '[') return ImportFormat::kOsv;
  if (first == '{') {
    std::string key = FirstKey(input->PeekPrefix(64 * 1024));
    return kOsvFields.contains(key) ? ImportFormat::kOsv : ImportFormat::kDebianTracker;
  }
  return InvalidArgument(path.string() +
                         ": not a Debian Security Tracker JSON export nor OSV JSON (it does not "
                         "start with '{' or '[')");
}

Result<std::vector<FileImport>> ImportVulnFiles(const std::filesystem::path& db_path,
                                                const std::vector<std::filesystem::path>& files,
                                                const std::string& imported_at,
                                                const ProgressFactory& progress) {
  if (files.empty()) return InvalidArgument("no file to import");
  ASSIGN_OR_RETURN(std::unique_ptr<VulnDbWriter> writer, VulnDbWriter::Create(db_path));
  std::vector<FileImport> imports;
  for (const std::filesystem::path& file : files) {
    FileImport import;
    import.file = file;
    ASSIGN_OR_RETURN(import.format, DetectImportFormat(file));
    ProgressFn fn = progress ? progress(file) : nullptr;
    Result<ImportStats> stats = import.format == ImportFormat::kOsv
                                    ? ImportOsvFile(file, *writer, fn)
                                    : ImportDebianTrackerFile(file, *writer, fn);
    if (!stats.ok()) return stats.status();
    import.stats = *stats;
    RETURN_IF_ERROR(writer->AddSource(
        {file.string(), std::string(ImportFormatName(import.format)), stats->advisories}));
    imports.push_back(std::move(import));
  }
  RETURN_IF_ERROR(writer->Commit(imported_at));
  return imports;
}

}  // namespace wott::audit
