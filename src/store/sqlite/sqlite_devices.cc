// Device and certificate operations of the SQLite registry (see sqlite_store_impl.h).
#include <string>

#include "store/rules.h"
#include "store/sqlite/device_list_plan.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/validate.h"

namespace wott::store::sqlite {
namespace {

// Taken device IDs, serials and recovery hashes are refused by the schema's unique
// constraints rather than by a SELECT before each insert (three statements fewer per
// issuance); this names what was taken. The caller's transaction (or savepoint) then undoes
// the operation's earlier changes, e.g. the token use.
Status Taken(Status status, const char* what) {
  if (status.code() != StatusCode::kAlreadyExists) return status;
  return AlreadyExists(what, status.detail());
}

Status InsertCertificate(Connection& db, const CertificateRecord& c, TimePoint now) {
  ASSIGN_OR_RETURN(Statement insert,
                   db.Prepare("INSERT INTO certificates (serial, device_id, not_before, "
                              "not_after, fingerprint, pem, issued_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return Taken(insert
                   .Bind(c.serial, c.device_id, ToUnixSeconds(c.not_before),
                         ToUnixSeconds(c.not_after), c.fingerprint, c.pem, ToUnixSeconds(now))
                   .Run(),
               "a certificate with this serial exists");
}

// The unique indexes refuse a recovery hash that another device holds in the same column;
// this refuses one held as another device's previous hash (no constraint spans two
// columns). Under the write lock, so no other writer can slip in between.
Status CheckRecoveryHashFree(Connection& db, std::string_view recovery_hash,
                             std::string_view owner_id) {
  if (recovery_hash.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM devices WHERE "
                                              "previous_recovery_token_hash = ? AND id <> ?"));
  ASSIGN_OR_RETURN(bool held, stmt.Bind(recovery_hash, owner_id).Step());
  if (held) return AlreadyExists("this recovery token is already in use");
  return Status::Ok();
}

// Records `c` for an existing device and makes it current; rotates the recovery hashes as
// RotateRecoveryHashes does (the right-hand sides read the row as it was).
Status RecordCertificate(Connection& db, const CertificateRecord& c, std::string_view recovery_hash,
                         TimePoint now) {
  RETURN_IF_ERROR(CheckRecoveryHashFree(db, recovery_hash, c.device_id));
  RETURN_IF_ERROR(InsertCertificate(db, c, now));
  ASSIGN_OR_RETURN(Statement update,
                   db.Prepare("UPDATE devices SET current_serial = ?1, cert_not_after = ?2, "
                              "previous_recovery_token_hash = CASE WHEN ?3 = '' THEN NULL "
                              "WHEN recovery_token_hash IS ?3 THEN previous_recovery_token_hash "
                              "ELSE recovery_token_hash END, "
                              "recovery_token_hash = NULLIF(?3, '') WHERE id = ?4"));
  return Taken(update.Bind(c.serial, ToUnixSeconds(c.not_after), recovery_hash, c.device_id).Run(),
               "this recovery token is already in use");
}

// `device` as it is after RecordCertificate(c, recovery_hash), without reading it back.
DeviceRecord WithCurrentCertificate(DeviceRecord device, const CertificateRecord& c,
                                    std::string_view recovery_hash) {
  device.current_serial = c.serial;
  device.current_not_after = FromUnixSeconds(ToUnixSeconds(c.not_after));  // stored in seconds
  RotateRecoveryHashes(device, recovery_hash);
  return device;
}

Result<DeviceRecord> MustLoadDevice(Connection& db, std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, LoadDevice(db, id));
  if (!device) return UnknownDevice();
  return std::move(*device);
}

// Revokes the device's unrevoked certificates with `reason`.
Status RevokeDeviceCertificates(Connection& db, std::string_view device_id, RevocationReason reason,
                                TimePoint now) {
  ASSIGN_OR_RETURN(Statement update,
                   db.Prepare("UPDATE certificates SET revoked_at = ?, revocation_reason = ? "
                              "WHERE device_id = ? AND revoked_at IS NULL"));
  return update.Bind(ToUnixSeconds(now), static_cast<int>(reason), device_id).Run();
}

Result<std::vector<CertificateRecord>> ReadCertificates(Statement& stmt) {
  std::vector<CertificateRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return out;
    out.push_back(ReadCertificate(stmt));
  }
}

Result<int64_t> Count(Connection& db, const std::string& sql, const DeviceFilter* filter,
                      std::optional<std::pair<int64_t, int64_t>> range = std::nullopt) {
  ASSIGN_OR_RETURN(Statement stmt, db.PrepareUncached(sql));
  if (filter) BindFilter(stmt, *filter);
  if (range) stmt.Bind(range->first, range->second);
  return ScalarInt(stmt);
}

}  // namespace

// ---- Issuance ----

Result<DeviceRecord> SqliteStore::EnrollDevice(std::string_view token_hash, const NewDevice& device,
                                               const CertificateRecord& certificate,
                                               std::string_view recovery_token_hash,
                                               TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token_hash));
  RETURN_IF_ERROR(ValidateNewDevice(device));
  RETURN_IF_ERROR(ValidateNewCertificate(certificate, device.id));
  RETURN_IF_ERROR(ValidateRecoveryHash(recovery_token_hash));
  return Write([&](Connection& db) -> Result<DeviceRecord> {
    ASSIGN_OR_RETURN(std::optional<EnrollmentTokenRecord> token, LoadTokenByHash(db, token_hash));
    if (!token) return UnknownEnrollmentToken();
    RETURN_IF_ERROR(CheckEnrollmentTokenUsable(*token, now));
    RETURN_IF_ERROR(CheckRecoveryHashFree(db, recovery_token_hash, device.id));
    {
      ASSIGN_OR_RETURN(Statement take, db.Prepare("UPDATE enrollment_tokens SET uses_left = "
                                                  "uses_left - 1 WHERE id = ? AND uses_left > 0"));
      RETURN_IF_ERROR(take.Bind(token->id).Run());
      // Cannot happen under the write lock; a guard against a broken invariant, not a race.
      if (db.Changes() != 1) return PermissionDenied("enrollment token has no uses left");
    }
    {
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO devices (id, name, status, created_at, "
                                  "enrollment_token_id, current_serial, cert_not_after, "
                                  "recovery_token_hash) "
                                  "VALUES (?, ?, 'active', ?, ?, ?, ?, NULLIF(?, ''))"));
      RETURN_IF_ERROR(
          Taken(insert
                    .Bind(device.id, device.name, ToUnixSeconds(now), token->id, certificate.serial,
                          ToUnixSeconds(certificate.not_after), recovery_token_hash)
                    .Run(),
                "a device with this ID or recovery token exists"));
    }
    // A new device has no rows in the side tables yet: insert only.
    RETURN_IF_ERROR(InsertMap(db, MapTable::kDeviceTags, device.id, token->tags));
    RETURN_IF_ERROR(InsertMap(db, MapTable::kDeviceMetadata, device.id, device.metadata));
    RETURN_IF_ERROR(InsertCertificate(db, certificate, now));
    RETURN_IF_ERROR(InsertEvent(db, MakeEvent(now, "token:" + token->id, "device.enroll", device.id,
                                              "serial=" + certificate.serial)));
    // The new row, as LoadDevice would read it back (times in whole seconds).
    DeviceRecord record;
    record.id = device.id;
    record.name = device.name;
    record.status = DeviceStatus::kActive;
    record.tags = std::move(token->tags);
    record.metadata = device.metadata;
    record.created_at = FromUnixSeconds(ToUnixSeconds(now));
    record.enrollment_token_id = token->id;
    return WithCurrentCertificate(std::move(record), certificate, recovery_token_hash);
  });
}

Result<DeviceRecord> SqliteStore::RenewDevice(std::string_view device_id,
                                              std::string_view presented_serial,
                                              const CertificateRecord& certificate,
                                              std::string_view new_recovery_token_hash,
                                              TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateSerial(presented_serial));
  RETURN_IF_ERROR(ValidateNewCertificate(certificate, device_id));
  RETURN_IF_ERROR(ValidateRecoveryHash(new_recovery_token_hash));
  return Write([&](Connection& db) -> Result<DeviceRecord> {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(db, device_id));
    RETURN_IF_ERROR(CheckDeviceActive(device));
    ASSIGN_OR_RETURN(std::optional<CertificateRecord> presented,
                     LoadCertificate(db, presented_serial));
    RETURN_IF_ERROR(CheckRenewalCertificate(presented ? &*presented : nullptr, device_id, now));
    RETURN_IF_ERROR(RecordCertificate(db, certificate, new_recovery_token_hash, now));
    RETURN_IF_ERROR(InsertEvent(db, MakeEvent(now, "device:" + device.id, "device.renew", device.id,
                                              "serial=" + certificate.serial +
                                                  " previous=" + std::string(presented_serial))));
    return WithCurrentCertificate(std::move(device), certificate, new_recovery_token_hash);
  });
}

Result<DeviceRecord> SqliteStore::FindDeviceByRecoveryToken(std::string_view recovery_token_hash) {
  RETURN_IF_ERROR(ValidateTokenHash("recovery token hash", recovery_token_hash));
  return Read([&](Connection& db) -> Result<DeviceRecord> {
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device,
                     LoadDeviceByRecoveryHash(db, recovery_token_hash));
    if (!device) return UnknownRecoveryToken();
    return std::move(*device);
  });
}

Result<DeviceRecord> SqliteStore::RecoverDevice(std::string_view recovery_token_hash,
                                                const CertificateRecord& certificate,
                                                std::string_view new_recovery_token_hash,
                                                Duration grace, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("recovery token hash", recovery_token_hash));
  RETURN_IF_ERROR(ValidateRecoveryHash(new_recovery_token_hash));
  if (grace < Duration::zero()) return InvalidArgument("recovery grace must not be negative");
  return Write([&](Connection& db) -> Result<DeviceRecord> {
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device,
                     LoadDeviceByRecoveryHash(db, recovery_token_hash));
    if (!device) return UnknownRecoveryToken();
    RETURN_IF_ERROR(ValidateNewCertificate(certificate, device->id));
    ASSIGN_OR_RETURN(std::optional<CertificateRecord> current,
                     LoadCertificate(db, device->current_serial));
    if (!current) return Internal("registry database error", "current certificate missing");
    RETURN_IF_ERROR(CheckRecovery(*device, *current, grace, now));
    RETURN_IF_ERROR(RecordCertificate(db, certificate, new_recovery_token_hash, now));
    RETURN_IF_ERROR(InsertEvent(
        db, MakeEvent(now, "device:" + device->id, "device.recover", device->id,
                      "serial=" + certificate.serial + " previous=" + device->current_serial)));
    return WithCurrentCertificate(std::move(*device), certificate, new_recovery_token_hash);
  });
}

// ---- Devices ----

Result<DeviceRecord> SqliteStore::GetDevice(std::string_view device_id) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  return Read([&](Connection& db) { return MustLoadDevice(db, device_id); });
}

Result<DevicePage> SqliteStore::ListDevices(const DeviceFilter& filter, const DeviceSort& sort,
                                            const PageRequest& page) {
  RETURN_IF_ERROR(ValidateDeviceFilter(filter));
  RETURN_IF_ERROR(ValidatePage(page));
  return Read([&](Connection& db) -> Result<DevicePage> {
    DevicePage result;
    ASSIGN_OR_RETURN(FilterSizes sizes, MeasureFilter(db, filter));
    const ListDriver count_driver = CountDriver(sizes);
    ASSIGN_OR_RETURN(
        result.total,
        Count(db, "SELECT count(*)" + FromWhereSql(filter, count_driver, sort.field), &filter));
    const ListDriver page_driver = PageDriver(sizes, sort, page, count_driver, result.total);
    {
      ASSIGN_OR_RETURN(Statement stmt,
                       db.PrepareUncached(std::string("SELECT ") + kDeviceColumns +
                                          FromWhereSql(filter, page_driver, sort.field) +
                                          OrderSql(sort) + " LIMIT ? OFFSET ?"));
      BindFilter(stmt, filter);
      stmt.Bind(page.limit, page.offset);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        ASSIGN_OR_RETURN(DeviceRecord device, ReadDevice(stmt));
        result.devices.push_back(std::move(device));
      }
    }
    for (DeviceRecord& device : result.devices) RETURN_IF_ERROR(LoadDeviceMaps(db, device));
    return result;
  });
}

Result<DeviceCounts> SqliteStore::CountDevicesByStatus() {
  return Read([&](Connection& db) -> Result<DeviceCounts> {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("SELECT status, count(*) FROM devices GROUP BY status"));
    DeviceCounts counts;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return counts;
      Result<DeviceStatus> status = ParseDeviceStatus(stmt.Text(0));
      if (!status.ok()) continue;  // the CHECK constraint makes this unreachable
      switch (*status) {
        case DeviceStatus::kActive:
          counts.active = stmt.Int(1);
          break;
        case DeviceStatus::kRevoked:
          counts.revoked = stmt.Int(1);
          break;
        case DeviceStatus::kDeleted:
          counts.deleted = stmt.Int(1);
          break;
      }
    }
  });
}

Status SqliteStore::RevokeDevice(std::string_view device_id, RevocationReason reason,
                                 std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateRevocationReason(reason));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(db, device_id));
    RETURN_IF_ERROR(CheckDeviceNotDeleted(device));
    if (device.status == DeviceStatus::kRevoked) return Status::Ok();
    {
      ASSIGN_OR_RETURN(Statement update,
                       db.Prepare("UPDATE devices SET status = 'revoked', revoked_at = ?, "
                                  "revocation_reason = ?, recovery_token_hash = NULL, "
                                  "previous_recovery_token_hash = NULL WHERE id = ?"));
      RETURN_IF_ERROR(update.Bind(ToUnixSeconds(now), static_cast<int>(reason), device_id).Run());
    }
    RETURN_IF_ERROR(RevokeDeviceCertificates(db, device_id, reason, now));
    return InsertEvent(db, MakeEvent(now, actor, "device.revoke", device_id,
                                     "reason=" + std::string(RevocationReasonName(reason))))
        .status();
  });
}

Status SqliteStore::DeleteDevice(std::string_view device_id, std::string_view actor,
                                 TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(db, device_id));
    if (device.status == DeviceStatus::kDeleted) return Status::Ok();
    {
      ASSIGN_OR_RETURN(Statement update,
                       db.Prepare("UPDATE devices SET status = 'deleted', recovery_token_hash = "
                                  "NULL, previous_recovery_token_hash = NULL WHERE id = ?"));
      RETURN_IF_ERROR(update.Bind(device_id).Run());
    }
    RETURN_IF_ERROR(
        RevokeDeviceCertificates(db, device_id, RevocationReason::kCessationOfOperation, now));
    return InsertEvent(db, MakeEvent(now, actor, "device.delete", device_id, "")).status();
  });
}

Status SqliteStore::SetTags(std::string_view device_id, const Tags& tags, std::string_view actor,
                            TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateTags(tags));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(db, device_id));
    RETURN_IF_ERROR(CheckDeviceNotDeleted(device));
    RETURN_IF_ERROR(ReplaceMap(db, MapTable::kDeviceTags, device_id, tags));
    return InsertEvent(db, MakeEvent(now, actor, "device.tags", device_id, "")).status();
  });
}

Status SqliteStore::SetMetadata(std::string_view device_id, const Metadata& metadata,
                                std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateMetadata(metadata));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(db, device_id));
    RETURN_IF_ERROR(CheckDeviceNotDeleted(device));
    RETURN_IF_ERROR(ReplaceMap(db, MapTable::kDeviceMetadata, device_id, metadata));
    return InsertEvent(db, MakeEvent(now, actor, "device.metadata", device_id, "")).status();
  });
}

Status SqliteStore::TouchLastSeen(std::string_view device_id, TimePoint now,
                                  const AgentInfo& agent) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateAgentInfo(agent));
  return Write([&](Connection& db) -> Status {
    // Only the status is needed: skip loading tags and metadata on this hot path.
    DeviceRecord device;
    {
      ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT status FROM devices WHERE id = ?"));
      ASSIGN_OR_RETURN(bool row, stmt.Bind(device_id).Step());
      if (!row) return UnknownDevice();
      ASSIGN_OR_RETURN(device.status, ParseDeviceStatus(stmt.Text(0)));
    }
    RETURN_IF_ERROR(CheckDeviceActive(device));
    ASSIGN_OR_RETURN(Statement update,
                     db.Prepare("UPDATE devices SET last_seen = max(coalesce(last_seen, ?), ?), "
                                "agent_version = ?, os = ?, hostname = ?, uptime_seconds = ? "
                                "WHERE id = ?"));
    int64_t seen = ToUnixSeconds(now);
    return update
        .Bind(seen, seen, agent.agent_version, agent.os, agent.hostname, agent.uptime_seconds,
              device_id)
        .Run();
  });
}

// ---- Certificates ----

Result<CertificateRecord> SqliteStore::GetCertificate(std::string_view serial) {
  RETURN_IF_ERROR(ValidateSerial(serial));
  return Read([&](Connection& db) -> Result<CertificateRecord> {
    ASSIGN_OR_RETURN(std::optional<CertificateRecord> certificate, LoadCertificate(db, serial));
    if (!certificate) return NotFound("unknown certificate serial");
    return std::move(*certificate);
  });
}

Result<std::vector<CertificateRecord>> SqliteStore::ListCertificates(std::string_view device_id,
                                                                     int limit) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateLimit(limit));
  return Read([&](Connection& db) -> Result<std::vector<CertificateRecord>> {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kCertificateColumns +
                                                " FROM certificates c WHERE c.device_id = ? "
                                                "ORDER BY c.issued_at DESC, c.serial DESC "
                                                "LIMIT ?"));
    stmt.Bind(device_id, limit);
    return ReadCertificates(stmt);
  });
}

Result<CertificateRecord> SqliteStore::CurrentCertificate(std::string_view device_id) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  return Read([&](Connection& db) -> Result<CertificateRecord> {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kCertificateColumns +
                                                " FROM devices d JOIN certificates c "
                                                "ON c.serial = d.current_serial WHERE d.id = ?"));
    ASSIGN_OR_RETURN(bool row, stmt.Bind(device_id).Step());
    if (!row) return UnknownDevice();
    return ReadCertificate(stmt);
  });
}

Result<CertificatePage> SqliteStore::ListExpiringCertificates(TimePoint from, TimePoint until,
                                                              const PageRequest& page) {
  RETURN_IF_ERROR(ValidatePage(page));
  return Read([&](Connection& db) -> Result<CertificatePage> {
    const std::string from_where =
        " FROM devices d JOIN certificates c ON c.serial = d.current_serial "
        "WHERE d.status = 'active' AND c.revoked_at IS NULL "
        "AND d.cert_not_after >= ? AND d.cert_not_after < ?";
    const std::pair<int64_t, int64_t> range{ToUnixSeconds(from), ToUnixSeconds(until)};
    CertificatePage result;
    ASSIGN_OR_RETURN(result.total, Count(db, "SELECT count(*)" + from_where, nullptr, range));
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare(std::string("SELECT ") + kCertificateColumns + from_where +
                                " ORDER BY c.not_after, c.serial LIMIT ? OFFSET ?"));
    stmt.Bind(range.first, range.second, page.limit, page.offset);
    ASSIGN_OR_RETURN(result.certificates, ReadCertificates(stmt));
    return result;
  });
}

Status SqliteStore::RevokeCertificate(std::string_view serial, RevocationReason reason,
                                      std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateSerial(serial));
  RETURN_IF_ERROR(ValidateRevocationReason(reason));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(std::optional<CertificateRecord> certificate, LoadCertificate(db, serial));
    if (!certificate) return NotFound("unknown certificate serial");
    if (certificate->revoked_at) return Status::Ok();
    {
      ASSIGN_OR_RETURN(Statement update,
                       db.Prepare("UPDATE certificates SET revoked_at = ?, revocation_reason = ? "
                                  "WHERE serial = ?"));
      RETURN_IF_ERROR(update.Bind(ToUnixSeconds(now), static_cast<int>(reason), serial).Run());
    }
    return InsertEvent(db, MakeEvent(now, actor, "certificate.revoke", serial,
                                     "device=" + certificate->device_id +
                                         " reason=" + std::string(RevocationReasonName(reason))))
        .status();
  });
}

Result<std::vector<RevokedCertificate>> SqliteStore::ListRevokedCertificates(TimePoint now) {
  return Read([&](Connection& db) -> Result<std::vector<RevokedCertificate>> {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("SELECT serial, revoked_at, revocation_reason, not_after "
                                "FROM certificates WHERE revoked_at IS NOT NULL "
                                "AND not_after >= ? ORDER BY serial"));
    stmt.Bind(ToUnixSeconds(now));
    std::vector<RevokedCertificate> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return out;
      out.push_back({stmt.Text(0), FromUnixSeconds(stmt.Int(1)),
                     RevocationReasonFromCode(static_cast<int>(stmt.Int(2)))
                         .value_or(RevocationReason::kUnspecified),
                     FromUnixSeconds(stmt.Int(3))});
    }
  });
}

}  // namespace wott::store::sqlite
