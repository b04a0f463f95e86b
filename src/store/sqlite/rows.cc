#include "store/sqlite/rows.h"

#include <string>

namespace wott::store::sqlite {
namespace {

std::optional<TimePoint> OptionalTime(const Statement& stmt, int column) {
  std::optional<int64_t> seconds = stmt.OptionalInt(column);
  if (!seconds) return std::nullopt;
  return FromUnixSeconds(*seconds);
}

std::optional<RevocationReason> OptionalReason(const Statement& stmt, int column) {
  std::optional<int64_t> code = stmt.OptionalInt(column);
  if (!code) return std::nullopt;
  // A code this build does not know still means "revoked".
  return RevocationReasonFromCode(static_cast<int>(*code)).value_or(RevocationReason::kUnspecified);
}

struct MapSql {
  const char* select;
  const char* remove;
  const char* insert;
};

MapSql SqlFor(MapTable table) {
  switch (table) {
    case MapTable::kDeviceTags:
      return {"SELECT key, value FROM device_tags WHERE device_id = ?",
              "DELETE FROM device_tags WHERE device_id = ?",
              "INSERT INTO device_tags (device_id, key, value) VALUES (?, ?, ?)"};
    case MapTable::kDeviceMetadata:
      return {"SELECT key, value FROM device_metadata WHERE device_id = ?",
              "DELETE FROM device_metadata WHERE device_id = ?",
              "INSERT INTO device_metadata (device_id, key, value) VALUES (?, ?, ?)"};
    case MapTable::kTokenTags:
      break;
  }
  return {"SELECT key, value FROM enrollment_token_tags WHERE token_id = ?",
          "DELETE FROM enrollment_token_tags WHERE token_id = ?",
          "INSERT INTO enrollment_token_tags (token_id, key, value) VALUES (?, ?, ?)"};
}

Status LoadMap(Connection& db, MapTable table, std::string_view owner_id,
               std::map<std::string, std::string>& out) {
  out.clear();
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(SqlFor(table).select));
  stmt.Bind(owner_id);
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return Status::Ok();
    out.emplace(stmt.Text(0), stmt.Text(1));
  }
}

// Runs `sql` with one text parameter and returns the first row's record, if any.
template <typename Record, typename ReadFn>
Result<std::optional<Record>> LoadOne(Connection& db, const std::string& sql,
                                      std::string_view param, ReadFn read) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  stmt.Bind(param);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<Record>();
  return std::optional<Record>(read(stmt));
}

Result<std::optional<DeviceRecord>> LoadDeviceWhere(Connection& db, const char* where,
                                                    std::string_view param) {
  std::optional<DeviceRecord> device;
  {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kDeviceColumns +
                                                " FROM devices d WHERE " + where));
    stmt.Bind(param);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return device;
    ASSIGN_OR_RETURN(device, ReadDevice(stmt));
  }
  RETURN_IF_ERROR(LoadDeviceMaps(db, *device));
  return device;
}

}  // namespace

Result<int64_t> ScalarInt(Statement& stmt) {
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("registry database error", "a single-value query returned no row");
  return stmt.Int(0);
}

const char kDeviceColumns[] =
    "d.id, d.name, d.status, d.created_at, d.last_seen, d.agent_version, d.os, "
    "d.enrollment_token_id, d.current_serial, d.cert_not_after, d.revoked_at, "
    "d.revocation_reason, d.hostname, d.uptime_seconds, d.recovery_token_hash, "
    "d.previous_recovery_token_hash";
const char kCertificateColumns[] =
    "c.serial, c.device_id, c.not_before, c.not_after, c.fingerprint, c.pem, c.issued_at, "
    "c.revoked_at, c.revocation_reason";
const char kTokenColumns[] =
    "t.id, t.token_hash, t.description, t.max_uses, t.uses_left, t.created_at, t.expires_at, "
    "t.revoked_at, t.created_by";
const char kApiTokenColumns[] =
    "a.id, a.name, a.token_hash, a.created_at, a.expires_at, a.revoked_at, a.created_by";

Result<DeviceRecord> ReadDevice(const Statement& stmt) {
  DeviceRecord d;
  d.id = stmt.Text(0);
  d.name = stmt.Text(1);
  Result<DeviceStatus> status = ParseDeviceStatus(stmt.Text(2));
  if (!status.ok()) {
    return Internal("registry database error", "device " + d.id + " has a bad status");
  }
  d.status = *status;
  d.created_at = FromUnixSeconds(stmt.Int(3));
  d.last_seen = OptionalTime(stmt, 4);
  d.agent.agent_version = stmt.Text(5);
  d.agent.os = stmt.Text(6);
  d.enrollment_token_id = stmt.Text(7);
  d.current_serial = stmt.Text(8);
  d.current_not_after = FromUnixSeconds(stmt.Int(9));
  d.revoked_at = OptionalTime(stmt, 10);
  d.revocation_reason = OptionalReason(stmt, 11);
  d.agent.hostname = stmt.Text(12);
  d.agent.uptime_seconds = stmt.Int(13);
  d.recovery_token_hash = stmt.Text(14);  // NULL reads as ""
  d.previous_recovery_token_hash = stmt.Text(15);
  return d;
}

CertificateRecord ReadCertificate(const Statement& stmt) {
  CertificateRecord c;
  c.serial = stmt.Text(0);
  c.device_id = stmt.Text(1);
  c.not_before = FromUnixSeconds(stmt.Int(2));
  c.not_after = FromUnixSeconds(stmt.Int(3));
  c.fingerprint = stmt.Text(4);
  c.pem = stmt.Text(5);
  c.issued_at = FromUnixSeconds(stmt.Int(6));
  c.revoked_at = OptionalTime(stmt, 7);
  c.revocation_reason = OptionalReason(stmt, 8);
  return c;
}

EnrollmentTokenRecord ReadToken(const Statement& stmt) {
  EnrollmentTokenRecord t;
  t.id = stmt.Text(0);
  t.token_hash = stmt.Text(1);
  t.description = stmt.Text(2);
  t.max_uses = stmt.Int(3);
  t.uses_left = stmt.Int(4);
  t.created_at = FromUnixSeconds(stmt.Int(5));
  t.expires_at = FromUnixSeconds(stmt.Int(6));
  t.revoked_at = OptionalTime(stmt, 7);
  t.created_by = stmt.Text(8);
  return t;
}

ApiTokenRecord ReadApiToken(const Statement& stmt) {
  ApiTokenRecord a;
  a.id = stmt.Text(0);
  a.name = stmt.Text(1);
  a.token_hash = stmt.Text(2);
  a.created_at = FromUnixSeconds(stmt.Int(3));
  a.expires_at = OptionalTime(stmt, 4);
  a.revoked_at = OptionalTime(stmt, 5);
  a.created_by = stmt.Text(6);
  return a;
}

Status LoadDeviceMaps(Connection& db, DeviceRecord& device) {
  RETURN_IF_ERROR(LoadMap(db, MapTable::kDeviceTags, device.id, device.tags));
  return LoadMap(db, MapTable::kDeviceMetadata, device.id, device.metadata);
}

Status LoadTokenTags(Connection& db, EnrollmentTokenRecord& token) {
  return LoadMap(db, MapTable::kTokenTags, token.id, token.tags);
}

Result<std::optional<DeviceRecord>> LoadDevice(Connection& db, std::string_view id) {
  return LoadDeviceWhere(db, "d.id = ?", id);
}

Result<std::optional<DeviceRecord>> LoadDeviceByRecoveryHash(Connection& db,
                                                             std::string_view hash) {
  // Either generation; the store keeps a hash in at most one row and one column.
  return LoadDeviceWhere(db, "d.recovery_token_hash = ?1 OR d.previous_recovery_token_hash = ?1",
                         hash);
}

Result<std::optional<CertificateRecord>> LoadCertificate(Connection& db, std::string_view serial) {
  return LoadOne<CertificateRecord>(
      db, std::string("SELECT ") + kCertificateColumns + " FROM certificates c WHERE c.serial = ?",
      serial, ReadCertificate);
}

namespace {

Result<std::optional<EnrollmentTokenRecord>> LoadTokenWhere(Connection& db, const char* where,
                                                            std::string_view param) {
  ASSIGN_OR_RETURN(
      std::optional<EnrollmentTokenRecord> token,
      LoadOne<EnrollmentTokenRecord>(
          db, std::string("SELECT ") + kTokenColumns + " FROM enrollment_tokens t WHERE " + where,
          param, ReadToken));
  if (token) RETURN_IF_ERROR(LoadTokenTags(db, *token));
  return token;
}

}  // namespace

Result<std::optional<EnrollmentTokenRecord>> LoadTokenById(Connection& db, std::string_view id) {
  return LoadTokenWhere(db, "t.id = ?", id);
}

Result<std::optional<EnrollmentTokenRecord>> LoadTokenByHash(Connection& db,
                                                             std::string_view hash) {
  return LoadTokenWhere(db, "t.token_hash = ?", hash);
}

Result<std::optional<ApiTokenRecord>> LoadApiTokenById(Connection& db, std::string_view id) {
  return LoadOne<ApiTokenRecord>(
      db, std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens a WHERE a.id = ?", id,
      ReadApiToken);
}

Result<std::optional<ApiTokenRecord>> LoadApiTokenByHash(Connection& db, std::string_view hash) {
  return LoadOne<ApiTokenRecord>(
      db, std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens a WHERE a.token_hash = ?",
      hash, ReadApiToken);
}

Status ReplaceMap(Connection& db, MapTable table, std::string_view owner_id,
                  const std::map<std::string, std::string>& map) {
  MapSql sql = SqlFor(table);
  {
    ASSIGN_OR_RETURN(Statement remove, db.Prepare(sql.remove));
    RETURN_IF_ERROR(remove.Bind(owner_id).Run());
  }
  return InsertMap(db, table, owner_id, map);
}

Status InsertMap(Connection& db, MapTable table, std::string_view owner_id,
                 const std::map<std::string, std::string>& map) {
  const char* sql = SqlFor(table).insert;
  for (const auto& [key, value] : map) {
    ASSIGN_OR_RETURN(Statement insert, db.Prepare(sql));
    RETURN_IF_ERROR(insert.Bind(owner_id, key, value).Run());
  }
  return Status::Ok();
}

Result<int64_t> InsertEvent(Connection& db, const Event& event) {
  ASSIGN_OR_RETURN(Statement insert,
                   db.Prepare("INSERT INTO events (time, actor, action, subject, detail) "
                              "VALUES (?, ?, ?, ?, ?)"));
  RETURN_IF_ERROR(
      insert.Bind(ToUnixSeconds(event.time), event.actor, event.action, event.subject, event.detail)
          .Run());
  return db.LastInsertRowId();
}

Result<bool> Exists(Connection& db, std::string_view sql, std::string_view param) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  stmt.Bind(param);
  return stmt.Step();
}

}  // namespace wott::store::sqlite
