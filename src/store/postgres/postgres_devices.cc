// Device and certificate operations of the PostgreSQL registry (see postgres_store_impl.h).
// Lock order, to keep deadlocks rare (they are retried anyway): device, then certificates;
// an enrollment takes its token's row lock last (see EnrollDevice).
#include <pqxx/row>
#include <string>

#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/rules.h"
#include "store/validate.h"

namespace wott::store::postgres {
namespace {

// The uniqueness checks before recording `certificate` (the unique constraints catch the
// races within one column): its serial is new, and the recovery hash (when given) is held,
// as current or previous, by no device but `owner_id`.
Status CheckNewCertificate(pqxx::transaction_base& tx, const CertificateRecord& certificate,
                           std::string_view recovery_hash, std::string_view owner_id) {
  if (Exists(tx, "SELECT 1 FROM certificates WHERE serial = $1", {P(certificate.serial)})) {
    return AlreadyExists("a certificate with this serial exists");
  }
  if (!recovery_hash.empty() && Exists(tx,
                                       "SELECT 1 FROM devices WHERE (recovery_token_hash = $1 OR "
                                       "previous_recovery_token_hash = $1) AND id <> $2",
                                       {P(recovery_hash), P(owner_id)})) {
    return AlreadyExists("this recovery token is already in use");
  }
  return Status::Ok();
}

void InsertCertificate(pqxx::transaction_base& tx, const CertificateRecord& c, TimePoint now) {
  Exec(tx,
       "INSERT INTO certificates (serial, device_id, not_before, not_after, fingerprint, pem, "
       "issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
       {P(c.serial), P(c.device_id), P(ToUnixSeconds(c.not_before)), P(ToUnixSeconds(c.not_after)),
        P(c.fingerprint), P(c.pem), P(ToUnixSeconds(now))});
}

// Records `c` for an existing device and makes it current; rotates the recovery hashes as
// RotateRecoveryHashes does (the right-hand sides read the row as it was).
void RecordCertificate(pqxx::transaction_base& tx, const CertificateRecord& c,
                       std::string_view recovery_hash, TimePoint now) {
  InsertCertificate(tx, c, now);
  Exec(tx,
       "UPDATE devices SET current_serial = $1, cert_not_after = $2, "
       "previous_recovery_token_hash = CASE WHEN $3 = '' THEN NULL "
       "WHEN recovery_token_hash IS NOT DISTINCT FROM $3 THEN previous_recovery_token_hash "
       "ELSE recovery_token_hash END, "
       "recovery_token_hash = NULLIF($3, '') WHERE id = $4",
       {P(c.serial), P(ToUnixSeconds(c.not_after)), P(recovery_hash), P(c.device_id)});
}

Result<DeviceRecord> MustLoadDevice(pqxx::transaction_base& tx, std::string_view id,
                                    Lock lock = Lock::kNone) {
  std::optional<DeviceRecord> device = LoadDevice(tx, id, lock);
  if (!device) return UnknownDevice();
  return std::move(*device);
}

void RevokeDeviceCertificates(pqxx::transaction_base& tx, std::string_view device_id,
                              RevocationReason reason, TimePoint now) {
  Exec(tx,
       "UPDATE certificates SET revoked_at = $1, revocation_reason = $2 "
       "WHERE device_id = $3 AND revoked_at IS NULL",
       {P(ToUnixSeconds(now)), P(int64_t{static_cast<int>(reason)}), P(device_id)});
}

std::string Next(Params& params, Param value) {
  params.push_back(std::move(value));
  return "$" + std::to_string(params.size());
}

// The WHERE clause of ListDevices; its parameters are appended to `params`.
std::string FilterSql(const DeviceFilter& filter, Params& params) {
  std::string sql = " WHERE TRUE";
  if (filter.status) sql += " AND d.status = " + Next(params, P(DeviceStatusName(*filter.status)));
  if (!filter.prefix.empty()) {
    // Columns are COLLATE "C", so this is the bytewise starts_with the Store promises.
    std::string p = Next(params, P(filter.prefix));
    sql += " AND (starts_with(d.id, " + p + ") OR starts_with(d.name, " + p + "))";
  }
  for (const TagMatch& match : filter.tags) {
    sql += " AND d.id IN (SELECT g.device_id FROM device_tags g WHERE g.key = " +
           Next(params, P(match.key));
    if (match.value) sql += " AND g.value = " + Next(params, P(*match.value));
    sql += ")";
  }
  return sql;
}

// Never-seen devices sort as the oldest: first ascending, last descending.
std::string OrderSql(const DeviceSort& sort) {
  const char* dir = sort.descending ? " DESC" : " ASC";
  std::string column;
  switch (sort.field) {
    case DeviceSortField::kCreatedAt:
      column = "d.created_at";
      break;
    case DeviceSortField::kName:
      column = "d.name";
      break;
    case DeviceSortField::kId:
      return std::string(" ORDER BY d.id") + dir;
    case DeviceSortField::kLastSeen:
      column =
          std::string("d.last_seen") + dir + (sort.descending ? " NULLS LAST" : " NULLS FIRST");
      return " ORDER BY " + column + ", d.id" + dir;
    case DeviceSortField::kCertificateExpiry:
      column = "d.cert_not_after";
      break;
  }
  return " ORDER BY " + column + dir + ", d.id" + dir;
}

std::vector<CertificateRecord> ReadCertificates(const pqxx::result& result) {
  std::vector<CertificateRecord> out;
  for (const pqxx::row& row : result) out.push_back(ReadCertificate(row));
  return out;
}

}  // namespace

// ---- Issuance ----

Result<DeviceRecord> PostgresStore::EnrollDevice(std::string_view token_hash,
                                                 const NewDevice& device,
                                                 const CertificateRecord& certificate,
                                                 std::string_view recovery_token_hash,
                                                 TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token_hash));
  RETURN_IF_ERROR(ValidateNewDevice(device));
  RETURN_IF_ERROR(ValidateNewCertificate(certificate, device.id));
  RETURN_IF_ERROR(ValidateRecoveryHash(recovery_token_hash));
  return Write([&](pqxx::transaction_base& tx) -> Result<DeviceRecord> {
    std::optional<EnrollmentTokenRecord> token = LoadTokenByHash(tx, token_hash);
    if (!token) return UnknownEnrollmentToken();
    RETURN_IF_ERROR(CheckEnrollmentTokenUsable(*token, now));  // the early, common refusal
    const pqxx::row taken =
        Exec(tx,
             "SELECT EXISTS (SELECT 1 FROM devices WHERE id = $1), "
             "EXISTS (SELECT 1 FROM certificates WHERE serial = $2), "
             "$3 <> '' AND EXISTS (SELECT 1 FROM devices WHERE recovery_token_hash = $3 "
             "OR previous_recovery_token_hash = $3)",
             {P(device.id), P(certificate.serial), P(recovery_token_hash)})[0];
    if (taken[0].as<bool>()) return AlreadyExists("a device with this ID exists");
    if (taken[1].as<bool>()) return AlreadyExists("a certificate with this serial exists");
    if (taken[2].as<bool>()) return AlreadyExists("this recovery token is already in use");
    // One round trip records the device, its certificate and the event and takes the use.
    // The use is taken by the UPDATE, so the token row is locked only from here to the
    // commit: concurrent enrollments with this token (on any replica) queue on it, and each
    // re-evaluates the condition on the row the previous one committed. No match: refused,
    // and the inserts roll back with the transaction.
    const Event event = MakeEvent(now, "token:" + token->id, "device.enroll", device.id,
                                  "serial=" + certificate.serial);
    pqxx::result take = Exec(
        tx,
        "WITH new_device AS (INSERT INTO devices (id, name, status, created_at, "
        "enrollment_token_id, current_serial, cert_not_after, recovery_token_hash) "
        "VALUES ($1, $2, 'active', $3, $4, $5, $6, NULLIF($7, ''))), "
        "new_certificate AS (INSERT INTO certificates (serial, device_id, not_before, not_after, "
        "fingerprint, pem, issued_at) VALUES ($5, $1, $8, $9, $10, $11, $3)), "
        "new_event AS (INSERT INTO events (time, actor, action, subject, detail) "
        "VALUES ($3, $12, $13, $1, $14)) "
        "UPDATE enrollment_tokens SET uses_left = uses_left - 1 WHERE id = $4 "
        "AND uses_left > 0 AND revoked_at IS NULL AND expires_at > $3",
        {P(device.id), P(device.name), P(ToUnixSeconds(now)), P(token->id), P(certificate.serial),
         P(ToUnixSeconds(certificate.not_after)), P(recovery_token_hash),
         P(ToUnixSeconds(certificate.not_before)), P(ToUnixSeconds(certificate.not_after)),
         P(certificate.fingerprint), P(certificate.pem), P(event.actor), P(event.action),
         P(event.detail)});
    if (take.affected_rows() != 1) {
      std::optional<EnrollmentTokenRecord> latest = LoadTokenById(tx, token->id);
      Status why = latest ? CheckEnrollmentTokenUsable(*latest, now) : UnknownEnrollmentToken();
      return why.ok() ? PermissionDenied("enrollment token has no uses left") : why;
    }
    InsertMap(tx, MapTable::kDeviceTags, device.id, token->tags);
    InsertMap(tx, MapTable::kDeviceMetadata, device.id, device.metadata);
    // What a reload would return, without the round trips.
    DeviceRecord out;
    out.id = device.id;
    out.name = device.name;
    out.status = DeviceStatus::kActive;
    out.tags = token->tags;
    out.metadata = device.metadata;
    out.created_at = TruncateToSeconds(now);
    out.enrollment_token_id = token->id;
    out.current_serial = certificate.serial;
    out.current_not_after = TruncateToSeconds(certificate.not_after);
    out.recovery_token_hash = std::string(recovery_token_hash);
    return out;
  });
}

Result<DeviceRecord> PostgresStore::RenewDevice(std::string_view device_id,
                                                std::string_view presented_serial,
                                                const CertificateRecord& certificate,
                                                std::string_view new_recovery_token_hash,
                                                TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateSerial(presented_serial));
  RETURN_IF_ERROR(ValidateNewCertificate(certificate, device_id));
  RETURN_IF_ERROR(ValidateRecoveryHash(new_recovery_token_hash));
  return Write([&](pqxx::transaction_base& tx) -> Result<DeviceRecord> {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(tx, device_id, Lock::kUpdate));
    RETURN_IF_ERROR(CheckDeviceActive(device));
    // FOR SHARE: a concurrent revocation of this certificate either finished before (and we
    // see it) or waits until this renewal is over.
    std::optional<CertificateRecord> presented =
        LoadCertificate(tx, presented_serial, Lock::kShare);
    RETURN_IF_ERROR(CheckRenewalCertificate(presented ? &*presented : nullptr, device_id, now));
    RETURN_IF_ERROR(CheckNewCertificate(tx, certificate, new_recovery_token_hash, device_id));
    RecordCertificate(tx, certificate, new_recovery_token_hash, now);
    InsertEvent(tx, MakeEvent(now, "device:" + device.id, "device.renew", device.id,
                              "serial=" + certificate.serial +
                                  " previous=" + std::string(presented_serial)));
    return MustLoadDevice(tx, device_id);
  });
}

Result<DeviceRecord> PostgresStore::FindDeviceByRecoveryToken(
    std::string_view recovery_token_hash) {
  RETURN_IF_ERROR(ValidateTokenHash("recovery token hash", recovery_token_hash));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<DeviceRecord> {
    std::optional<DeviceRecord> device = LoadDeviceByRecoveryHash(tx, recovery_token_hash);
    if (!device) return UnknownRecoveryToken();
    return std::move(*device);
  });
}

Result<DeviceRecord> PostgresStore::RecoverDevice(std::string_view recovery_token_hash,
                                                  const CertificateRecord& certificate,
                                                  std::string_view new_recovery_token_hash,
                                                  Duration grace, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("recovery token hash", recovery_token_hash));
  RETURN_IF_ERROR(ValidateRecoveryHash(new_recovery_token_hash));
  if (grace < Duration::zero()) return InvalidArgument("recovery grace must not be negative");
  return Write([&](pqxx::transaction_base& tx) -> Result<DeviceRecord> {
    std::optional<DeviceRecord> device =
        LoadDeviceByRecoveryHash(tx, recovery_token_hash, Lock::kUpdate);
    if (!device) return UnknownRecoveryToken();
    RETURN_IF_ERROR(ValidateNewCertificate(certificate, device->id));
    std::optional<CertificateRecord> current =
        LoadCertificate(tx, device->current_serial, Lock::kShare);
    if (!current) return Internal("registry database error", "current certificate missing");
    RETURN_IF_ERROR(CheckRecovery(*device, *current, grace, now));
    RETURN_IF_ERROR(CheckNewCertificate(tx, certificate, new_recovery_token_hash, device->id));
    RecordCertificate(tx, certificate, new_recovery_token_hash, now);
    InsertEvent(tx,
                MakeEvent(now, "device:" + device->id, "device.recover", device->id,
                          "serial=" + certificate.serial + " previous=" + device->current_serial));
    return MustLoadDevice(tx, device->id);
  });
}

// ---- Devices ----

Result<DeviceRecord> PostgresStore::GetDevice(std::string_view device_id) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  return ReadOne([&](pqxx::transaction_base& tx) { return MustLoadDevice(tx, device_id); });
}

Result<DevicePage> PostgresStore::ListDevices(const DeviceFilter& filter, const DeviceSort& sort,
                                              const PageRequest& page) {
  RETURN_IF_ERROR(ValidateDeviceFilter(filter));
  RETURN_IF_ERROR(ValidatePage(page));
  return Read([&](pqxx::transaction_base& tx) -> Result<DevicePage> {
    Params params;
    const std::string where = FilterSql(filter, params);
    DevicePage result;
    result.total = Exec(tx, "SELECT count(*) FROM devices d" + where, params)[0][0].as<int64_t>();
    std::string sql = std::string("SELECT ") + kDeviceColumns + " FROM devices d" + where +
                      OrderSql(sort) + " LIMIT " + Next(params, P(int64_t{page.limit}));
    sql += " OFFSET " + Next(params, P(page.offset));
    for (const pqxx::row& row : Exec(tx, sql, params)) result.devices.push_back(ReadDevice(row));
    return result;
  });
}

Result<DeviceCounts> PostgresStore::CountDevicesByStatus() {
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<DeviceCounts> {
    DeviceCounts counts;
    for (const pqxx::row& row : Exec(tx, "SELECT status, count(*) FROM devices GROUP BY status")) {
      Result<DeviceStatus> status = ParseDeviceStatus(row[0].as<std::string>());
      if (!status.ok()) continue;  // the CHECK constraint makes this unreachable
      int64_t n = row[1].as<int64_t>();
      switch (*status) {
        case DeviceStatus::kActive:
          counts.active = n;
          break;
        case DeviceStatus::kRevoked:
          counts.revoked = n;
          break;
        case DeviceStatus::kDeleted:
          counts.deleted = n;
          break;
      }
    }
    return counts;
  });
}

Status PostgresStore::RevokeDevice(std::string_view device_id, RevocationReason reason,
                                   std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateRevocationReason(reason));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(tx, device_id, Lock::kUpdate));
    RETURN_IF_ERROR(CheckDeviceNotDeleted(device));
    if (device.status == DeviceStatus::kRevoked) return Status::Ok();
    Exec(tx,
         "UPDATE devices SET status = 'revoked', revoked_at = $1, revocation_reason = $2, "
         "recovery_token_hash = NULL, previous_recovery_token_hash = NULL WHERE id = $3",
         {P(ToUnixSeconds(now)), P(int64_t{static_cast<int>(reason)}), P(device_id)});
    RevokeDeviceCertificates(tx, device_id, reason, now);
    InsertEvent(tx, MakeEvent(now, actor, "device.revoke", device_id,
                              "reason=" + std::string(RevocationReasonName(reason))));
    return Status::Ok();
  });
}

Status PostgresStore::DeleteDevice(std::string_view device_id, std::string_view actor,
                                   TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(tx, device_id, Lock::kUpdate));
    if (device.status == DeviceStatus::kDeleted) return Status::Ok();
    Exec(tx,
         "UPDATE devices SET status = 'deleted', recovery_token_hash = NULL, "
         "previous_recovery_token_hash = NULL WHERE id = $1",
         {P(device_id)});
    RevokeDeviceCertificates(tx, device_id, RevocationReason::kCessationOfOperation, now);
    InsertEvent(tx, MakeEvent(now, actor, "device.delete", device_id, ""));
    return Status::Ok();
  });
}

Status PostgresStore::SetTags(std::string_view device_id, const Tags& tags, std::string_view actor,
                              TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateTags(tags));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(tx, device_id, Lock::kUpdate));
    RETURN_IF_ERROR(CheckDeviceNotDeleted(device));
    ReplaceMap(tx, MapTable::kDeviceTags, device_id, tags);
    InsertEvent(tx, MakeEvent(now, actor, "device.tags", device_id, ""));
    return Status::Ok();
  });
}

Status PostgresStore::SetMetadata(std::string_view device_id, const Metadata& metadata,
                                  std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateMetadata(metadata));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    ASSIGN_OR_RETURN(DeviceRecord device, MustLoadDevice(tx, device_id, Lock::kUpdate));
    RETURN_IF_ERROR(CheckDeviceNotDeleted(device));
    ReplaceMap(tx, MapTable::kDeviceMetadata, device_id, metadata);
    InsertEvent(tx, MakeEvent(now, actor, "device.metadata", device_id, ""));
    return Status::Ok();
  });
}

Status PostgresStore::TouchLastSeen(std::string_view device_id, TimePoint now,
                                    const AgentInfo& agent) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateAgentInfo(agent));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    // Only the status is needed: skip loading tags and metadata on this hot path.
    pqxx::result r =
        Exec(tx, "SELECT status FROM devices WHERE id = $1 FOR UPDATE", {P(device_id)});
    if (r.empty()) return UnknownDevice();
    DeviceRecord device;
    ASSIGN_OR_RETURN(device.status, ParseDeviceStatus(r[0][0].as<std::string>()));
    RETURN_IF_ERROR(CheckDeviceActive(device));
    // GREATEST skips NULL: a first heartbeat sets last_seen.
    Exec(tx,
         "UPDATE devices SET last_seen = GREATEST(last_seen, $1), agent_version = $2, os = $3, "
         "hostname = $4, uptime_seconds = $5 WHERE id = $6",
         {P(ToUnixSeconds(now)), P(agent.agent_version), P(agent.os), P(agent.hostname),
          P(agent.uptime_seconds), P(device_id)});
    return Status::Ok();
  });
}

// ---- Certificates ----

Result<CertificateRecord> PostgresStore::GetCertificate(std::string_view serial) {
  RETURN_IF_ERROR(ValidateSerial(serial));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<CertificateRecord> {
    std::optional<CertificateRecord> certificate = LoadCertificate(tx, serial);
    if (!certificate) return NotFound("unknown certificate serial");
    return std::move(*certificate);
  });
}

Result<std::vector<CertificateRecord>> PostgresStore::ListCertificates(std::string_view device_id,
                                                                       int limit) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateLimit(limit));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<CertificateRecord>> {
    return ReadCertificates(Exec(tx,
                                 std::string("SELECT ") + kCertificateColumns +
                                     " FROM certificates c WHERE c.device_id = $1 "
                                     "ORDER BY c.issued_at DESC, c.serial DESC LIMIT $2",
                                 {P(device_id), P(int64_t{limit})}));
  });
}

Result<CertificateRecord> PostgresStore::CurrentCertificate(std::string_view device_id) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<CertificateRecord> {
    pqxx::result r = Exec(tx,
                          std::string("SELECT ") + kCertificateColumns +
                              " FROM devices d JOIN certificates c ON c.serial = d.current_serial "
                              "WHERE d.id = $1",
                          {P(device_id)});
    if (r.empty()) return UnknownDevice();
    return ReadCertificate(r[0]);
  });
}

Result<CertificatePage> PostgresStore::ListExpiringCertificates(TimePoint from, TimePoint until,
                                                                const PageRequest& page) {
  RETURN_IF_ERROR(ValidatePage(page));
  return Read([&](pqxx::transaction_base& tx) -> Result<CertificatePage> {
    const std::string from_where =
        " FROM devices d JOIN certificates c ON c.serial = d.current_serial "
        "WHERE d.status = 'active' AND c.revoked_at IS NULL "
        "AND d.cert_not_after >= $1 AND d.cert_not_after < $2";
    Params params = {P(ToUnixSeconds(from)), P(ToUnixSeconds(until))};
    CertificatePage result;
    result.total = Exec(tx, "SELECT count(*)" + from_where, params)[0][0].as<int64_t>();
    params.push_back(P(int64_t{page.limit}));
    params.push_back(P(page.offset));
    result.certificates =
        ReadCertificates(Exec(tx,
                              std::string("SELECT ") + kCertificateColumns + from_where +
                                  " ORDER BY c.not_after, c.serial LIMIT $3 OFFSET $4",
                              params));
    return result;
  });
}

Status PostgresStore::RevokeCertificate(std::string_view serial, RevocationReason reason,
                                        std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateSerial(serial));
  RETURN_IF_ERROR(ValidateRevocationReason(reason));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    std::optional<CertificateRecord> certificate = LoadCertificate(tx, serial, Lock::kUpdate);
    if (!certificate) return NotFound("unknown certificate serial");
    if (certificate->revoked_at) return Status::Ok();
    Exec(tx, "UPDATE certificates SET revoked_at = $1, revocation_reason = $2 WHERE serial = $3",
         {P(ToUnixSeconds(now)), P(int64_t{static_cast<int>(reason)}), P(serial)});
    InsertEvent(tx, MakeEvent(now, actor, "certificate.revoke", serial,
                              "device=" + certificate->device_id +
                                  " reason=" + std::string(RevocationReasonName(reason))));
    return Status::Ok();
  });
}

Result<std::vector<RevokedCertificate>> PostgresStore::ListRevokedCertificates(TimePoint now) {
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<RevokedCertificate>> {
    std::vector<RevokedCertificate> out;
    for (const pqxx::row& row : Exec(tx,
                                     "SELECT serial, revoked_at, revocation_reason, not_after "
                                     "FROM certificates WHERE revoked_at IS NOT NULL "
                                     "AND not_after >= $1 ORDER BY serial",
                                     {P(ToUnixSeconds(now))})) {
      out.push_back(
          {row[0].as<std::string>(), FromUnixSeconds(row[1].as<int64_t>()),
           RevocationReasonFromCode(row[2].as<int>()).value_or(RevocationReason::kUnspecified),
           FromUnixSeconds(row[3].as<int64_t>())});
    }
    return out;
  });
}

}  // namespace wott::store::postgres
