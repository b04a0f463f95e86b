// The file format of `wott-server db export` / `db import`: JSON lines, one record per line.
// The first line is {"type":"wott-registry-dump","version":2,...} (its other fields are notes
// for people: login sessions and package lists are not in a dump). Then one line per
// enrollment token, API token, device, certificate and event (type "enrollment_token",
// "api_token", "device", "certificate", "event"), and one {"type":"crl_number","value":N}.
// Times are Unix seconds; absent optional values are null. A device line carries its
// recovery-token hashes ("recovery_token_hash", "previous_recovery_token_hash": null when
// none; dumps written before they existed lack them and read as none). A trust policy is one
// line of type "policy" (name, description, allow_devices, allow_tags, min_trust_score
// (0-100 or null), deny_fixable_severity ("medium", "high", "critical" or null), version,
// updated_at, updated_by). Version 2 added:
//   "user": name, password_hash (the encoded argon2id hash), created_at, password_changed_at;
//   "posture": device_id, host_audit (JSON text) + host_audit_at, findings_hash +
//       vulndb_generation + findings (JSON text) + findings_at, trust_score (0-100) +
//       score_factors (JSON text) + scored_at, score_history ([[at, score], ...], oldest
//       first); each part is present when its time is non-null.
// Version 1 dumps still read: no users, no postures, policies without requirements. Pure
// functions; thread-safe.
#ifndef WOTT_CMD_WOTT_SERVER_DB_DUMP_JSON_H_
#define WOTT_CMD_WOTT_SERVER_DB_DUMP_JSON_H_

#include <string>
#include <string_view>

#include "base/result.h"
#include "store/registry_dump.h"

namespace wott::cmd {

std::string RegistryDumpToJsonLines(const store::RegistryDump& dump);

// kInvalidArgument naming the line for anything malformed (not JSON, unknown type, missing
// or mistyped field, a score out of 0-100, a second header); kFailedPrecondition for a
// format version this wott-server does not read. Records are checked against each other
// (references, duplicates) by the import, not here.
Result<store::RegistryDump> RegistryDumpFromJsonLines(std::string_view text);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_DB_DUMP_JSON_H_
