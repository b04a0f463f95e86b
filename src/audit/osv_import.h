// Importer for OSV vulnerability records (https://ossf.github.io/osv-schema/), Debian
// ecosystem: a file holds one record (an object) or an array of records. Each
// affected[] entry whose package.ecosystem is "Debian:<version>" (Debian:12 -> bookworm)
// becomes one Advisory per ECOSYSTEM range interval (introduced .. fixed; no fixed event =
// still open). Other ecosystems and withdrawn records are skipped. An array is parsed one
// record at a time (each record is dropped once stored), so memory stays bounded by the
// largest record. Thread-safety: none.
#ifndef WOTT_AUDIT_OSV_IMPORT_H_
#define WOTT_AUDIT_OSV_IMPORT_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "audit/import_input.h"
#include "audit/vuln_db.h"
#include "base/result.h"

namespace wott::audit {

inline constexpr char kOriginOsv[] = "osv";

// "Debian:12" -> "bookworm", "Debian:11" -> "bullseye", ...; "" for other ecosystems and
// unknown Debian versions.
std::string DebianCodenameFromOsvEcosystem(std::string_view ecosystem);

// Imports the OSV file `path` into `writer`. Fails (naming the file, and the record's index
// or id) on bad JSON, a record that is not an object or has no string "id", or a file with
// no Debian advisory at all. Unusable ranges (unparsable versions, last_affected) are
// skipped and counted. `progress` may be null.
Result<ImportStats> ImportOsvFile(const std::filesystem::path& path, VulnDbWriter& writer,
                                  const ProgressFn& progress);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_OSV_IMPORT_H_
