#include "store/postgres/pg_rows.h"

#include <pqxx/row>

namespace wott::store::postgres {
namespace {

std::optional<TimePoint> OptionalTime(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return FromUnixSeconds(f.as<int64_t>());
}

std::optional<RevocationReason> OptionalReason(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  // A code this build does not know still means "revoked".
  return RevocationReasonFromCode(f.as<int>()).value_or(RevocationReason::kUnspecified);
}

std::string Text(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

// A key/value table folded into one column by kMapSql: "k\x1fv\x1ek\x1fv". Validated keys
// and values never hold control characters, so the separators cannot be data.
std::map<std::string, std::string> ReadMap(const pqxx::field& f) {
  std::map<std::string, std::string> out;
  if (f.is_null()) return out;
  std::string_view text = f.c_str();
  while (!text.empty()) {
    size_t end = text.find('\x1e');
    std::string_view entry = text.substr(0, end);
    size_t sep = entry.find('\x1f');
    if (sep != std::string_view::npos) {
      out.emplace(std::string(entry.substr(0, sep)), std::string(entry.substr(sep + 1)));
    }
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return out;
}

const char* LockSql(Lock lock) {
  switch (lock) {
    case Lock::kNone:
      return "";
    case Lock::kShare:
      return " FOR SHARE";
    case Lock::kUpdate:
      return " FOR UPDATE";
  }
  return "";
}

struct MapSql {
  const char* remove;
  const char* insert;
};

MapSql SqlFor(MapTable table) {
  switch (table) {
    case MapTable::kDeviceTags:
      return {"DELETE FROM device_tags WHERE device_id = $1",
              "INSERT INTO device_tags (device_id, key, value) VALUES ($1, $2, $3)"};
    case MapTable::kDeviceMetadata:
      return {"DELETE FROM device_metadata WHERE device_id = $1",
              "INSERT INTO device_metadata (device_id, key, value) VALUES ($1, $2, $3)"};
    case MapTable::kTokenTags:
      break;
  }
  return {"DELETE FROM enrollment_token_tags WHERE token_id = $1",
          "INSERT INTO enrollment_token_tags (token_id, key, value) VALUES ($1, $2, $3)"};
}

template <typename Record, typename ReadFn>
std::optional<Record> LoadOne(pqxx::transaction_base& tx, const std::string& sql,
                              std::string_view param, ReadFn read) {
  pqxx::result r = Exec(tx, sql, {P(param)});
  if (r.empty()) return std::nullopt;
  return read(r[0]);
}

std::optional<DeviceRecord> LoadDeviceWhere(pqxx::transaction_base& tx, const char* where,
                                            std::string_view param, Lock lock) {
  return LoadOne<DeviceRecord>(
      tx,
      std::string("SELECT ") + kDeviceColumns + " FROM devices d WHERE " + where + LockSql(lock),
      param, ReadDevice);
}

std::optional<EnrollmentTokenRecord> LoadTokenWhere(pqxx::transaction_base& tx, const char* where,
                                                    std::string_view param, Lock lock) {
  return LoadOne<EnrollmentTokenRecord>(tx,
                                        std::string("SELECT ") + kTokenColumns +
                                            " FROM enrollment_tokens t WHERE " + where +
                                            LockSql(lock),
                                        param, ReadToken);
}

}  // namespace

const char kDeviceColumns[] =
    "d.id, d.name, d.status, d.created_at, d.last_seen, d.agent_version, d.os, "
    "d.enrollment_token_id, d.current_serial, d.cert_not_after, d.revoked_at, "
    "d.revocation_reason, d.hostname, d.uptime_seconds, "
    "(SELECT string_agg(g.key || chr(31) || g.value, chr(30)) FROM device_tags g "
    "WHERE g.device_id = d.id), "
    "(SELECT string_agg(m.key || chr(31) || m.value, chr(30)) FROM device_metadata m "
    "WHERE m.device_id = d.id), d.recovery_token_hash, d.previous_recovery_token_hash";
const char kCertificateColumns[] =
    "c.serial, c.device_id, c.not_before, c.not_after, c.fingerprint, c.pem, c.issued_at, "
    "c.revoked_at, c.revocation_reason";
const char kTokenColumns[] =
    "t.id, t.token_hash, t.description, t.max_uses, t.uses_left, t.created_at, t.expires_at, "
    "t.revoked_at, t.created_by, "
    "(SELECT string_agg(g.key || chr(31) || g.value, chr(30)) FROM enrollment_token_tags g "
    "WHERE g.token_id = t.id)";
const char kApiTokenColumns[] =
    "a.id, a.name, a.token_hash, a.created_at, a.expires_at, a.revoked_at, a.created_by";

DeviceRecord ReadDevice(const pqxx::row& row) {
  DeviceRecord d;
  d.id = Text(row[0]);
  d.name = Text(row[1]);
  // The CHECK constraint admits only the three names.
  Result<DeviceStatus> status = ParseDeviceStatus(Text(row[2]));
  d.status = status.ok() ? *status : DeviceStatus::kDeleted;
  d.created_at = FromUnixSeconds(row[3].as<int64_t>());
  d.last_seen = OptionalTime(row[4]);
  d.agent.agent_version = Text(row[5]);
  d.agent.os = Text(row[6]);
  d.enrollment_token_id = Text(row[7]);
  d.current_serial = Text(row[8]);
  d.current_not_after = FromUnixSeconds(row[9].as<int64_t>());
  d.revoked_at = OptionalTime(row[10]);
  d.revocation_reason = OptionalReason(row[11]);
  d.agent.hostname = Text(row[12]);
  d.agent.uptime_seconds = row[13].as<int64_t>();
  d.tags = ReadMap(row[14]);
  d.metadata = ReadMap(row[15]);
  d.recovery_token_hash = Text(row[16]);  // NULL reads as ""
  d.previous_recovery_token_hash = Text(row[17]);
  return d;
}

CertificateRecord ReadCertificate(const pqxx::row& row) {
  CertificateRecord c;
  c.serial = Text(row[0]);
  c.device_id = Text(row[1]);
  c.not_before = FromUnixSeconds(row[2].as<int64_t>());
  c.not_after = FromUnixSeconds(row[3].as<int64_t>());
  c.fingerprint = Text(row[4]);
  c.pem = Text(row[5]);
  c.issued_at = FromUnixSeconds(row[6].as<int64_t>());
  c.revoked_at = OptionalTime(row[7]);
  c.revocation_reason = OptionalReason(row[8]);
  return c;
}

EnrollmentTokenRecord ReadToken(const pqxx::row& row) {
  EnrollmentTokenRecord t;
  t.id = Text(row[0]);
  t.token_hash = Text(row[1]);
  t.description = Text(row[2]);
  t.max_uses = row[3].as<int64_t>();
  t.uses_left = row[4].as<int64_t>();
  t.created_at = FromUnixSeconds(row[5].as<int64_t>());
  t.expires_at = FromUnixSeconds(row[6].as<int64_t>());
  t.revoked_at = OptionalTime(row[7]);
  t.created_by = Text(row[8]);
  t.tags = ReadMap(row[9]);
  return t;
}

ApiTokenRecord ReadApiToken(const pqxx::row& row) {
  ApiTokenRecord a;
  a.id = Text(row[0]);
  a.name = Text(row[1]);
  a.token_hash = Text(row[2]);
  a.created_at = FromUnixSeconds(row[3].as<int64_t>());
  a.expires_at = OptionalTime(row[4]);
  a.revoked_at = OptionalTime(row[5]);
  a.created_by = Text(row[6]);
  return a;
}

std::optional<DeviceRecord> LoadDevice(pqxx::transaction_base& tx, std::string_view id, Lock lock) {
  return LoadDeviceWhere(tx, "d.id = $1", id, lock);
}

std::optional<DeviceRecord> LoadDeviceByRecoveryHash(pqxx::transaction_base& tx,
                                                     std::string_view hash, Lock lock) {
  // Either generation; the store keeps a hash in one row and column (a race between two
  // writers could leave it in two rows: the current holder is then preferred).
  return LoadDeviceWhere(tx,
                         "(d.recovery_token_hash = $1 OR d.previous_recovery_token_hash = $1) "
                         "ORDER BY (d.recovery_token_hash = $1) IS TRUE DESC LIMIT 1",
                         hash, lock);
}

std::optional<CertificateRecord> LoadCertificate(pqxx::transaction_base& tx,
                                                 std::string_view serial, Lock lock) {
  return LoadOne<CertificateRecord>(tx,
                                    std::string("SELECT ") + kCertificateColumns +
                                        " FROM certificates c WHERE c.serial = $1" + LockSql(lock),
                                    serial, ReadCertificate);
}

std::optional<EnrollmentTokenRecord> LoadTokenById(pqxx::transaction_base& tx, std::string_view id,
                                                   Lock lock) {
  return LoadTokenWhere(tx, "t.id = $1", id, lock);
}

std::optional<EnrollmentTokenRecord> LoadTokenByHash(pqxx::transaction_base& tx,
                                                     std::string_view hash, Lock lock) {
  return LoadTokenWhere(tx, "t.token_hash = $1", hash, lock);
}

std::optional<ApiTokenRecord> LoadApiTokenById(pqxx::transaction_base& tx, std::string_view id,
                                               Lock lock) {
  return LoadOne<ApiTokenRecord>(tx,
                                 std::string("SELECT ") + kApiTokenColumns +
                                     " FROM api_tokens a WHERE a.id = $1" + LockSql(lock),
                                 id, ReadApiToken);
}

std::optional<ApiTokenRecord> LoadApiTokenByHash(pqxx::transaction_base& tx,
                                                 std::string_view hash) {
  return LoadOne<ApiTokenRecord>(
      tx, std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens a WHERE a.token_hash = $1",
      hash, ReadApiToken);
}

void ReplaceMap(pqxx::transaction_base& tx, MapTable table, std::string_view owner_id,
                const std::map<std::string, std::string>& map) {
  Exec(tx, SqlFor(table).remove, {P(owner_id)});
  InsertMap(tx, table, owner_id, map);
}

void InsertMap(pqxx::transaction_base& tx, MapTable table, std::string_view owner_id,
               const std::map<std::string, std::string>& map) {
  const char* insert = SqlFor(table).insert;
  for (const auto& [key, value] : map) Exec(tx, insert, {P(owner_id), P(key), P(value)});
}

int64_t InsertEvent(pqxx::transaction_base& tx, const Event& event, bool keep_id) {
  Params params = {P(ToUnixSeconds(event.time)), P(event.actor), P(event.action), P(event.subject),
                   P(event.detail)};
  std::string sql = "INSERT INTO events (time, actor, action, subject, detail";
  if (keep_id) {
    params.push_back(P(event.id));
    sql += ", id) VALUES ($1, $2, $3, $4, $5, $6)";
  } else {
    sql += ") VALUES ($1, $2, $3, $4, $5)";
  }
  return Exec(tx, sql + " RETURNING id", params)[0][0].as<int64_t>();
}

bool Exists(pqxx::transaction_base& tx, const std::string& sql, const Params& params) {
  return !Exec(tx, sql, params).empty();
}

}  // namespace wott::store::postgres
