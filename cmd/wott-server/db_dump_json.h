// The file format of `wott-server db export` / `db import`: JSON lines, one record per line.
// The first line is {"type":"wott-registry-dump","version":1}; then one line per enrollment
// token, API token, device, certificate and event (type "enrollment_token", "api_token",
// "device", "certificate", "event"), and one {"type":"crl_number","value":N}. Times are
// Unix seconds; absent optional values are null. A device line carries its recovery-token
// hashes ("recovery_token_hash", "previous_recovery_token_hash": null when none; dumps
// written before they existed lack them and read as none). A trust policy is one line of type
// "policy" (name, description, allow_devices, allow_tags, version, updated_at, updated_by);
// dumps written before policies existed have none. Pure functions; thread-safe.
#ifndef WOTT_CMD_WOTT_SERVER_DB_DUMP_JSON_H_
#define WOTT_CMD_WOTT_SERVER_DB_DUMP_JSON_H_

#include <string>
#include <string_view>

#include "base/result.h"
#include "store/registry_dump.h"

namespace wott::cmd {

std::string RegistryDumpToJsonLines(const store::RegistryDump& dump);

// kInvalidArgument naming the line for anything malformed (not JSON, unknown type, missing
// or mistyped field, a second header); kFailedPrecondition for a newer format version.
Result<store::RegistryDump> RegistryDumpFromJsonLines(std::string_view text);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_DB_DUMP_JSON_H_
