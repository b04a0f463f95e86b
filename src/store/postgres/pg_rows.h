// Row <-> record mapping for the PostgreSQL store: column lists, readers that turn a result
// row into a record, and the small loads/inserts every operation shares. Each function runs
// in the transaction it is given and throws pqxx exceptions (RunTx turns them into Status).
#ifndef WOTT_STORE_POSTGRES_PG_ROWS_H_
#define WOTT_STORE_POSTGRES_PG_ROWS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "store/postgres/pg_db.h"
#include "store/records.h"

namespace wott::store::postgres {

// Column lists for SELECTs over the aliased tables `d` (devices), `c` (certificates),
// `t` (enrollment_tokens) and `a` (api_tokens), in the order the Read* functions expect.
extern const char kDeviceColumns[];
extern const char kCertificateColumns[];
extern const char kTokenColumns[];
extern const char kApiTokenColumns[];

// The record in `row` (columns as above), tags and metadata included.
DeviceRecord ReadDevice(const pqxx::row& row);
CertificateRecord ReadCertificate(const pqxx::row& row);
EnrollmentTokenRecord ReadToken(const pqxx::row& row);
ApiTokenRecord ReadApiToken(const pqxx::row& row);

// Row locks taken by a load inside a write transaction.
enum class Lock { kNone, kShare, kUpdate };

// Single-row loads; nullopt when there is no such row.
std::optional<DeviceRecord> LoadDevice(pqxx::transaction_base& tx, std::string_view id,
                                       Lock lock = Lock::kNone);
std::optional<DeviceRecord> LoadDeviceByRecoveryHash(pqxx::transaction_base& tx,
                                                     std::string_view hash,
                                                     Lock lock = Lock::kNone);
std::optional<CertificateRecord> LoadCertificate(pqxx::transaction_base& tx,
                                                 std::string_view serial, Lock lock = Lock::kNone);
std::optional<EnrollmentTokenRecord> LoadTokenById(pqxx::transaction_base& tx, std::string_view id,
                                                   Lock lock = Lock::kNone);
std::optional<EnrollmentTokenRecord> LoadTokenByHash(pqxx::transaction_base& tx,
                                                     std::string_view hash,
                                                     Lock lock = Lock::kNone);
std::optional<ApiTokenRecord> LoadApiTokenById(pqxx::transaction_base& tx, std::string_view id,
                                               Lock lock = Lock::kNone);
std::optional<ApiTokenRecord> LoadApiTokenByHash(pqxx::transaction_base& tx, std::string_view hash);

enum class MapTable { kDeviceTags, kDeviceMetadata, kTokenTags };
// Adds `map` as rows of `table` owned by `owner_id` (a new device or token: no rows yet).
void InsertMap(pqxx::transaction_base& tx, MapTable table, std::string_view owner_id,
               const std::map<std::string, std::string>& map);
// Replaces the rows of `table` owned by `owner_id` with `map`.
void ReplaceMap(pqxx::transaction_base& tx, MapTable table, std::string_view owner_id,
                const std::map<std::string, std::string>& map);

// Appends `event` (with a new id, or `event.id` when `keep_id`) and returns its id.
int64_t InsertEvent(pqxx::transaction_base& tx, const Event& event, bool keep_id = false);

// True when `sql` (with parameters) returns a row.
bool Exists(pqxx::transaction_base& tx, const std::string& sql, const Params& params);

}  // namespace wott::store::postgres

#endif  // WOTT_STORE_POSTGRES_PG_ROWS_H_
