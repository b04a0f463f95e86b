// Row <-> record mapping for the SQLite store: the column lists, readers that turn a result
// row into a record, and the small loads/inserts every operation shares. Each function runs
// on the connection it is given, inside whatever transaction the caller holds.
// Not thread-safe per Connection (see connection.h).
#ifndef WOTT_STORE_SQLITE_ROWS_H_
#define WOTT_STORE_SQLITE_ROWS_H_

#include <optional>
#include <string_view>

#include "base/result.h"
#include "store/records.h"
#include "store/sqlite/connection.h"

namespace wott::store::sqlite {

// Column lists for SELECTs over the aliased tables `d` (devices), `c` (certificates),
// `t` (enrollment_tokens) and `a` (api_tokens), in the order the Read* functions expect.
extern const char kDeviceColumns[];
extern const char kCertificateColumns[];
extern const char kTokenColumns[];
extern const char kApiTokenColumns[];

// The record in the current row of `stmt` (columns as above). Tags and metadata are not
// read: see LoadDeviceMaps / LoadTokenTags.
Result<DeviceRecord> ReadDevice(const Statement& stmt);
CertificateRecord ReadCertificate(const Statement& stmt);
EnrollmentTokenRecord ReadToken(const Statement& stmt);
ApiTokenRecord ReadApiToken(const Statement& stmt);

// Fill `device.tags`, `device.metadata` / `token.tags`.
Status LoadDeviceMaps(Connection& db, DeviceRecord& device);
Status LoadTokenTags(Connection& db, EnrollmentTokenRecord& token);

// The integer in the first column of `stmt`'s first row (a count, a max); kInternal when
// there is no row.
Result<int64_t> ScalarInt(Statement& stmt);

// Single-row loads; nullopt when there is no such row.
Result<std::optional<DeviceRecord>> LoadDevice(Connection& db, std::string_view id);
Result<std::optional<DeviceRecord>> LoadDeviceByRecoveryHash(Connection& db, std::string_view hash);
Result<std::optional<CertificateRecord>> LoadCertificate(Connection& db, std::string_view serial);
Result<std::optional<EnrollmentTokenRecord>> LoadTokenById(Connection& db, std::string_view id);
Result<std::optional<EnrollmentTokenRecord>> LoadTokenByHash(Connection& db, std::string_view hash);
Result<std::optional<ApiTokenRecord>> LoadApiTokenById(Connection& db, std::string_view id);
Result<std::optional<ApiTokenRecord>> LoadApiTokenByHash(Connection& db, std::string_view hash);

// The key/value side tables.
enum class MapTable { kDeviceTags, kDeviceMetadata, kTokenTags };

// Replaces the rows of `table` owned by `owner_id` (a device or token ID) with `map`.
Status ReplaceMap(Connection& db, MapTable table, std::string_view owner_id,
                  const std::map<std::string, std::string>& map);

// Inserts `map` as rows of `table` owned by `owner_id`, which has none yet.
Status InsertMap(Connection& db, MapTable table, std::string_view owner_id,
                 const std::map<std::string, std::string>& map);

// Appends `event` and returns its id.
Result<int64_t> InsertEvent(Connection& db, const Event& event);

// True when a row of `sql` (a SELECT with one bound text parameter) exists.
Result<bool> Exists(Connection& db, std::string_view sql, std::string_view param);

}  // namespace wott::store::sqlite

#endif  // WOTT_STORE_SQLITE_ROWS_H_
