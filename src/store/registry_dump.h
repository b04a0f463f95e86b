// RegistryDump: the whole registry as plain records, to move it between backends
// (`wott-server db export` / `db import`). Read through the Store interface, so every
// backend can be exported without backend-specific code; loading is backend-specific
// (PostgreSQL: ImportRegistryIntoPostgres in store/postgres/postgres_store.h), because it
// writes history (issue times, revocations, event ids) that no Store method records.
//
// Devices carry their current and previous recovery-token hashes (DeviceRecord), so a device
// that expires while offline after the move still recovers on the new registry. Dashboard
// users carry their argon2id hashes, so the same passwords work after the move; their
// sessions are not carried (everyone logs in again). Trust policies carry their posture
// requirements. Device posture is carried without package lists (see DumpedPosture).
#ifndef WOTT_STORE_REGISTRY_DUMP_H_
#define WOTT_STORE_REGISTRY_DUMP_H_

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "store/records.h"
#include "store/store.h"

namespace wott::store {

// The posture of one active device as a move carries it: the latest host audit, findings and
// trust score, and the score's history. Not the package inventory: lists are large (up to
// 2 MiB a device) and the server asks each agent for its list again at its next heartbeat,
// since the new registry holds none; until then the moved findings and score stand, so a
// policy's posture requirements keep refusing (and allowing) the same devices.
struct DumpedPosture {
  DevicePosture posture;                 // `inventory` is always nullopt
  std::vector<TrustScorePoint> history;  // oldest first, at most kMaxPageLimit
};

struct RegistryDump {
  std::vector<EnrollmentTokenRecord> enrollment_tokens;
  std::vector<ApiTokenRecord> api_tokens;
  std::vector<DeviceRecord> devices;            // by ID
  std::vector<CertificateRecord> certificates;  // every device's, oldest issued first
  std::vector<Event> events;                    // oldest first, with their ids
  std::vector<PolicyRecord> policies;           // trust policies by name, with their versions
  std::vector<UserRecord> users;                // dashboard users by name, with their hashes
  std::vector<DumpedPosture> postures;          // active devices' postures, by device ID
  int64_t crl_number = 0;                       // the last CRL number handed out
};

// Reads everything in `store` (page by page; run it while no server writes to the
// registry) except login sessions and package lists. Takes one CRL number, so CRLs from the
// new registry keep increasing.
// kFailedPrecondition when a device has more certificates than one list call returns
// (kMaxPageLimit): the dump would be incomplete.
Result<RegistryDump> DumpRegistry(Store& store, TimePoint now);

}  // namespace wott::store

#endif  // WOTT_STORE_REGISTRY_DUMP_H_
