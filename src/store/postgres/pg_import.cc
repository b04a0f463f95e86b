// Loading a RegistryDump into an empty PostgreSQL registry (db import): one transaction.
// Validated whole before anything is written; any failure in the database rolls it all back.
#include <pqxx/row>
#include <set>

#include "store/account_rules.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/posture_rules.h"
#include "store/validate.h"

namespace wott::store {
namespace postgres {
namespace {

// A different key from the migration lock: two imports into one database queue here.
constexpr int64_t kImportLockKey = 0x776f74745f696d70;  // "wott_imp"

std::optional<int64_t> OptionalSeconds(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return ToUnixSeconds(*t);
}

std::optional<int64_t> OptionalCode(const std::optional<RevocationReason>& r) {
  if (!r) return std::nullopt;
  return static_cast<int64_t>(static_cast<int>(*r));
}

std::optional<int64_t> OptionalInt(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return int64_t{*v};
}

Status Invalid(const std::string& what, const Status& status) {
  return InvalidArgument(what + ": " + status.message(), status.detail());
}

NewPolicy AsNewPolicy(const PolicyRecord& p) {
  return {p.name,       p.description,     p.allow_devices,
          p.allow_tags, p.min_trust_score, p.deny_fixable_severity};
}

// A moved posture as the update that would record it (the inventory never moves).
PostureUpdate AsUpdate(const DevicePosture& p) {
  return {p.host_audit_json, std::nullopt, p.findings, p.score};
}

// Users, postures: well-formed, each once, postures of devices in the dump.
Status ValidateAccountsAndPostures(const RegistryDump& dump, const std::set<std::string>& devices) {
  std::set<std::string> users;
  for (const UserRecord& u : dump.users) {
    Status s = ValidateUserName(u.name);
    if (s.ok()) s = ValidatePasswordHash(u.password_hash);
    if (s.ok() && !users.insert(u.name).second) s = InvalidArgument("it appears twice");
    if (!s.ok()) return Invalid("user " + u.name.substr(0, 64), s);
  }
  std::set<std::string> postures;
  for (const DumpedPosture& d : dump.postures) {
    const DevicePosture& p = d.posture;
    Status s;
    if (!devices.contains(p.device_id)) s = InvalidArgument("its device is not in the dump");
    if (s.ok() && p.inventory) s = InvalidArgument("a package inventory is never moved");
    if (s.ok() && p.host_audit_json.has_value() != p.host_audit_at.has_value()) {
      s = InvalidArgument("a host audit needs its time");
    }
    const PostureUpdate update = AsUpdate(p);
    if (s.ok() && (update.host_audit_json || update.findings || update.score)) {
      s = ValidatePostureUpdate(update);
    }
    std::set<int64_t> times;
    for (const TrustScorePoint& point : d.history) {
      if (s.ok() && (point.score < 0 || point.score > 100)) {
        s = InvalidArgument("a history score is out of range (0-100)");
      }
      if (s.ok() && !times.insert(ToUnixSeconds(point.at)).second) {
        s = InvalidArgument("two history scores have one time");
      }
    }
    if (s.ok() && !postures.insert(p.device_id).second) s = InvalidArgument("it appears twice");
    if (!s.ok()) return Invalid("posture of device " + p.device_id.substr(0, 64), s);
  }
  return Status::Ok();
}

// Every record well-formed and every reference resolvable, before anything is written.
Status ValidateDump(const RegistryDump& dump) {
  std::set<std::string> tokens, devices, serials, recovery_hashes;
  for (const EnrollmentTokenRecord& t : dump.enrollment_tokens) {
    Status s = ValidateTokenId(t.id);
    if (s.ok()) s = ValidateTokenHash("enrollment token hash", t.token_hash);
    if (s.ok()) s = ValidateTags(t.tags);
    if (s.ok() && (t.max_uses < 1 || t.uses_left < 0 || t.uses_left > t.max_uses)) {
      s = InvalidArgument("token uses are inconsistent");
    }
    if (!s.ok()) return Invalid("enrollment token " + t.id.substr(0, 64), s);
    tokens.insert(t.id);
  }
  for (const ApiTokenRecord& a : dump.api_tokens) {
    Status s = ValidateTokenId(a.id);
    if (s.ok()) s = ValidateTokenHash("API token hash", a.token_hash);
    if (!s.ok()) return Invalid("API token " + a.id.substr(0, 64), s);
  }
  for (const CertificateRecord& c : dump.certificates) {
    Status s = ValidateSerial(c.serial);
    if (!s.ok()) return Invalid("certificate " + c.serial.substr(0, 64), s);
    if (!serials.insert(c.serial).second) {
      return InvalidArgument("certificate " + c.serial + " appears twice");
    }
  }
  for (const DeviceRecord& d : dump.devices) {
    Status s = ValidateDeviceId(d.id);
    if (s.ok()) s = ValidateTags(d.tags);
    if (s.ok()) s = ValidateMetadata(d.metadata);
    if (s.ok()) s = ValidateAgentInfo(d.agent);
    if (s.ok() && !tokens.contains(d.enrollment_token_id)) {
      s = InvalidArgument("its enrollment token " + d.enrollment_token_id + " is not in the dump");
    }
    if (s.ok() && !serials.contains(d.current_serial)) {
      s = InvalidArgument("its current certificate " + d.current_serial + " is not in the dump");
    }
    // A recovery hash is held once, as one device's current or previous (store.h).
    for (const std::string* hash : {&d.recovery_token_hash, &d.previous_recovery_token_hash}) {
      if (s.ok()) s = ValidateRecoveryHash(*hash);
      if (s.ok() && !hash->empty() && !recovery_hashes.insert(*hash).second) {
        s = InvalidArgument("a recovery token hash appears twice in the dump");
      }
    }
    if (!s.ok()) return Invalid("device " + d.id.substr(0, 64), s);
    devices.insert(d.id);
  }
  for (const CertificateRecord& c : dump.certificates) {
    if (!devices.contains(c.device_id)) {
      return InvalidArgument("certificate " + c.serial + ": its device " + c.device_id +
                             " is not in the dump");
    }
  }
  std::set<std::string> policies;
  for (const PolicyRecord& p : dump.policies) {
    Status s = ValidateNewPolicy(AsNewPolicy(p));
    if (s.ok()) s = ValidateActor(p.updated_by);
    if (s.ok() && p.version < 1) s = InvalidArgument("its version must be positive");
    if (s.ok() && !policies.insert(p.name).second) s = InvalidArgument("it appears twice");
    if (!s.ok()) return Invalid("policy " + p.name.substr(0, 64), s);
  }
  for (const Event& e : dump.events) {
    Status s = ValidateEvent(e);
    if (!s.ok()) return Invalid("event " + std::to_string(e.id), s);
    if (e.id < 1) return InvalidArgument("event ids must be positive");
  }
  return ValidateAccountsAndPostures(dump, devices);
}

void InsertPosture(pqxx::transaction_base& tx, const DumpedPosture& d) {
  const DevicePosture& p = d.posture;
  const std::optional<FindingsSnapshot>& f = p.findings;
  const std::optional<TrustScoreSnapshot>& t = p.score;
  Exec(tx,
       "INSERT INTO device_posture (device_id, host_audit, host_audit_at, findings_hash, "
       "vulndb_generation, findings, findings_at, trust_score, score_factors, scored_at) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
       {P(p.device_id), p.host_audit_json, P(OptionalSeconds(p.host_audit_at)),
        f ? P(f->inventory_hash) : std::nullopt, f ? P(f->vulndb_generation) : std::nullopt,
        f ? P(f->findings_json) : std::nullopt,
        P(f ? std::optional<int64_t>(ToUnixSeconds(f->computed_at)) : std::nullopt),
        P(t ? std::optional<int64_t>(t->score) : std::nullopt),
        t ? P(t->factors_json) : std::nullopt,
        P(t ? std::optional<int64_t>(ToUnixSeconds(t->computed_at)) : std::nullopt)});
  for (const TrustScorePoint& point : d.history) {
    Exec(tx, "INSERT INTO trust_score_history (device_id, at, score) VALUES ($1, $2, $3)",
         {P(p.device_id), P(ToUnixSeconds(point.at)), P(int64_t{point.score})});
  }
}

Status ImportIn(pqxx::transaction_base& tx, const RegistryDump& dump) {
  Exec(tx, "SELECT pg_advisory_xact_lock($1)", {P(kImportLockKey)});
  int64_t rows = Exec(tx,
                      "SELECT (SELECT count(*) FROM enrollment_tokens) + "
                      "(SELECT count(*) FROM api_tokens) + (SELECT count(*) FROM devices) + "
                      "(SELECT count(*) FROM events) + (SELECT count(*) FROM users) + "
                      "(SELECT count(*) FROM policies)")[0][0]
                     .as<int64_t>();
  if (rows > 0) {
    return FailedPrecondition(
        "the target registry is not empty; import only into a new, empty database");
  }
  for (const EnrollmentTokenRecord& t : dump.enrollment_tokens) {
    Exec(tx,
         "INSERT INTO enrollment_tokens (id, token_hash, description, max_uses, uses_left, "
         "created_at, expires_at, revoked_at, created_by) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
         {P(t.id), P(t.token_hash), P(t.description), P(t.max_uses), P(t.uses_left),
          P(ToUnixSeconds(t.created_at)), P(ToUnixSeconds(t.expires_at)),
          P(OptionalSeconds(t.revoked_at)), P(t.created_by)});
    ReplaceMap(tx, MapTable::kTokenTags, t.id, t.tags);
  }
  for (const ApiTokenRecord& a : dump.api_tokens) {
    Exec(tx,
         "INSERT INTO api_tokens (id, name, token_hash, created_at, expires_at, revoked_at, "
         "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
         {P(a.id), P(a.name), P(a.token_hash), P(ToUnixSeconds(a.created_at)),
          P(OptionalSeconds(a.expires_at)), P(OptionalSeconds(a.revoked_at)), P(a.created_by)});
  }
  for (const DeviceRecord& d : dump.devices) {
    Exec(tx,
         "INSERT INTO devices (id, name, status, created_at, last_seen, agent_version, os, "
         "hostname, uptime_seconds, enrollment_token_id, current_serial, cert_not_after, "
         "revoked_at, revocation_reason, recovery_token_hash, previous_recovery_token_hash) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
         "NULLIF($15, ''), NULLIF($16, ''))",
         {P(d.id), P(d.name), P(DeviceStatusName(d.status)), P(ToUnixSeconds(d.created_at)),
          P(OptionalSeconds(d.last_seen)), P(d.agent.agent_version), P(d.agent.os),
          P(d.agent.hostname), P(d.agent.uptime_seconds), P(d.enrollment_token_id),
          P(d.current_serial), P(ToUnixSeconds(d.current_not_after)),
          P(OptionalSeconds(d.revoked_at)), P(OptionalCode(d.revocation_reason)),
          P(d.recovery_token_hash), P(d.previous_recovery_token_hash)});
    ReplaceMap(tx, MapTable::kDeviceTags, d.id, d.tags);
    ReplaceMap(tx, MapTable::kDeviceMetadata, d.id, d.metadata);
  }
  for (const CertificateRecord& c : dump.certificates) {
    Exec(tx,
         "INSERT INTO certificates (serial, device_id, not_before, not_after, fingerprint, pem, "
         "issued_at, revoked_at, revocation_reason) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
         {P(c.serial), P(c.device_id), P(ToUnixSeconds(c.not_before)),
          P(ToUnixSeconds(c.not_after)), P(c.fingerprint), P(c.pem), P(ToUnixSeconds(c.issued_at)),
          P(OptionalSeconds(c.revoked_at)), P(OptionalCode(c.revocation_reason))});
  }
  for (const PolicyRecord& p : dump.policies) {
    const NewPolicy normal = NormalizePolicy(AsNewPolicy(p));
    Exec(
        tx,
        "INSERT INTO policies (name, description, version, updated_at, updated_by, "
        "min_trust_score, deny_fixable_severity) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {P(p.name), P(p.description), P(p.version), P(ToUnixSeconds(p.updated_at)), P(p.updated_by),
         P(OptionalInt(normal.min_trust_score)), P(normal.deny_fixable_severity)});
    for (const std::string& id : normal.allow_devices) {
      Exec(tx, "INSERT INTO policy_devices (policy, device_id) VALUES ($1, $2)",
           {P(p.name), P(id)});
    }
    for (const std::string& tag : normal.allow_tags) {
      const auto [key, value] = SplitPolicyTag(tag);
      Exec(tx, "INSERT INTO policy_tags (policy, key, value) VALUES ($1, $2, $3)",
           {P(p.name), P(key), P(value)});
    }
  }
  // Users with their hashes, so the same passwords work; never sessions (RegistryDump).
  for (const UserRecord& u : dump.users) {
    Exec(tx,
         "INSERT INTO users (name, password_hash, created_at, password_changed_at) "
         "VALUES ($1, $2, $3, $4)",
         {P(u.name), P(u.password_hash), P(ToUnixSeconds(u.created_at)),
          P(ToUnixSeconds(u.password_changed_at))});
  }
  for (const DumpedPosture& d : dump.postures) InsertPosture(tx, d);
  for (const Event& e : dump.events) InsertEvent(tx, e, /*keep_id=*/true);
  // New events continue after the imported ones; CRL numbers after the last one handed out.
  Exec(tx,
       "SELECT setval(pg_get_serial_sequence('events', 'id'), "
       "(SELECT coalesce(max(id), 0) + 1 FROM events), false)");
  Exec(tx, "UPDATE counters SET value = GREATEST(value, $1) WHERE name = 'crl_number'",
       {P(dump.crl_number)});
  return Status::Ok();
}

}  // namespace
}  // namespace postgres

Status ImportRegistryIntoPostgres(const std::string& url, const RegistryDump& dump,
                                  const OpenOptions& options) {
  RETURN_IF_ERROR(postgres::ValidateDump(dump));
  postgres::Pool pool(url, 1, std::chrono::milliseconds(options.busy_timeout_ms));
  const std::string context = "importing into " + RedactDatabaseUrl(url);
  Status status = postgres::Migrate(pool, options.clock->Now());
  if (status.ok()) {
    status = postgres::RunTx(pool, postgres::TxKind::kWrite, [&](pqxx::transaction_base& tx) {
      return postgres::ImportIn(tx, dump);
    });
  }
  return status.ok() ? status : status.WithContext(context);
}

}  // namespace wott::store
