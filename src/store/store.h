// Store: the device registry, as domain operations (never SQL). Backends: SQLite (the
// default, one file in the data dir), PostgreSQL (several replicas on one database,
// src/store/postgres) and memory (tests). Each multi-step change (consume a token + record the
// certificate, revoke a device + all its certificates) is one method and one transaction, so the
// registry is never seen half-changed, also by other processes or replicas on the same database.
//
// Thread-safety: every method may be called from many threads at once on one Store.
// Methods block (disk I/O, waiting for the single writer); never call them on an I/O thread.
//
// Errors, on every method: kInvalidArgument for malformed input (nothing is written),
// kUnavailable when the database stays busy (retrying may help), kInternal for database
// failures (the database's own error text is in the detail, never in the message).
// Times: `now` parameters come from the caller's Clock; stored as whole Unix seconds.
#ifndef WOTT_STORE_STORE_H_
#define WOTT_STORE_STORE_H_

#include <memory>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "base/status.h"
#include "store/records.h"

namespace wott::store {

class Store {
 public:
  virtual ~Store() = default;

  // ---- Enrollment tokens ----

  // Records a new token with uses_left = max_uses; appends a "token.create" event.
  // kAlreadyExists when the id or hash is taken.
  virtual Result<EnrollmentTokenRecord> CreateEnrollmentToken(const NewEnrollmentToken& token,
                                                              TimePoint now) = 0;
  // kNotFound when there is no token with this id.
  virtual Result<EnrollmentTokenRecord> GetEnrollmentToken(std::string_view id) = 0;
  // Read-only pre-check before signing: returns the token whose hash is `token_hash` when
  // EnrollDevice would accept it at `now`, else the same error EnrollDevice would give.
  // Nothing is consumed; EnrollDevice checks again.
  virtual Result<EnrollmentTokenRecord> FindEnrollmentToken(std::string_view token_hash,
                                                            TimePoint now) = 0;
  // Newest first. Without include_inactive, only tokens usable at `now`.
  virtual Result<std::vector<EnrollmentTokenRecord>> ListEnrollmentTokens(
      const TokenListOptions& options, TimePoint now) = 0;
  // Makes the token unusable; appends "token.revoke". Revoking a revoked token succeeds
  // and changes nothing. kNotFound for an unknown id.
  virtual Status RevokeEnrollmentToken(std::string_view id, std::string_view actor,
                                       TimePoint now) = 0;

  // ---- Device lifecycle (issuance) ----
  //
  // Recovery tokens: a device holds up to two recovery hashes, the current one and the
  // previous one, and either recovers it (FindDeviceByRecoveryToken / RecoverDevice). Every
  // issuance rotates them: previous := current, current := the new hash. So the token a
  // device held before an issuance still works after it: an agent killed after the server
  // answered but before it installed the new generation keeps the old certificate and the
  // old token, and can still recover once offline past expiry. After a second issuance that
  // token is refused. A new hash equal to the current one rotates nothing; an empty new hash
  // drops both. A hash is held by at most one device, as current or previous: a new hash
  // that another device holds either way is kAlreadyExists. Revoking or deleting a device
  // drops both. DeviceRecord carries both hashes (for db export; never render them).

  // In one transaction: checks the token (kUnauthenticated when no token has this hash;
  // kPermissionDenied when it is revoked, expired or has no uses left), takes one use,
  // creates `device` (status active, the token's tags), records `certificate` as its
  // current one, stores `recovery_token_hash` as its current recovery hash (empty = none;
  // no previous one), appends "device.enroll". kAlreadyExists when the device ID, the serial
  // or the recovery hash is taken (the token use is not consumed). Returns the new device.
  // REQUIRES: certificate.device_id == device.id.
  virtual Result<DeviceRecord> EnrollDevice(std::string_view token_hash, const NewDevice& device,
                                            const CertificateRecord& certificate,
                                            std::string_view recovery_token_hash,
                                            TimePoint now) = 0;

  // In one transaction: checks that the device exists (kNotFound) and is active
  // (kPermissionDenied when revoked or deleted), that `presented_serial` is one of its
  // certificates, unrevoked and unexpired at `now` (kPermissionDenied otherwise); records
  // `certificate` as current, rotates the recovery hashes to `new_recovery_token_hash` (see
  // above), appends "device.renew". kAlreadyExists for a taken serial or recovery hash.
  // Returns the updated device.
  // REQUIRES: certificate.device_id == device_id.
  virtual Result<DeviceRecord> RenewDevice(std::string_view device_id,
                                           std::string_view presented_serial,
                                           const CertificateRecord& certificate,
                                           std::string_view new_recovery_token_hash,
                                           TimePoint now) = 0;

  // Read-only pre-check for recovery: the device holding this recovery hash as its current
  // or its previous one. kUnauthenticated when no device holds it.
  virtual Result<DeviceRecord> FindDeviceByRecoveryToken(std::string_view recovery_token_hash) = 0;

  // For a device offline past its certificate's expiry. In one transaction: finds the
  // device holding `recovery_token_hash`, current or previous (kUnauthenticated when none;
  // which certificate goes with which token is the caller's check), refuses a revoked or deleted
  // device or a revoked current certificate (kPermissionDenied), a current certificate that
  // has not expired yet (kFailedPrecondition: renew instead) or that expired more than
  // `grace` before `now` (kPermissionDenied); then records `certificate`, rotates the
  // recovery hashes to `new_recovery_token_hash` as every issuance does, whichever of the
  // two was presented (previous := current, current := new), and appends "device.recover".
  // kAlreadyExists for a taken serial or recovery hash.
  // REQUIRES: certificate.device_id is the ID of that device (else kInvalidArgument).
  virtual Result<DeviceRecord> RecoverDevice(std::string_view recovery_token_hash,
                                             const CertificateRecord& certificate,
                                             std::string_view new_recovery_token_hash,
                                             Duration grace, TimePoint now) = 0;

  // ---- Devices ----

  // kNotFound when unknown. Deleted devices are still returned (status kDeleted).
  virtual Result<DeviceRecord> GetDevice(std::string_view device_id) = 0;
  // One page of the devices matching `filter`, in `sort` order, and the total count.
  virtual Result<DevicePage> ListDevices(const DeviceFilter& filter, const DeviceSort& sort,
                                         const PageRequest& page) = 0;
  virtual Result<DeviceCounts> CountDevicesByStatus() = 0;

  // Status revoked, every certificate of the device revoked with `reason`, both recovery
  // hashes dropped; appends "device.revoke". Revoking a revoked device succeeds and changes
  // nothing. kNotFound when unknown, kFailedPrecondition when deleted.
  virtual Status RevokeDevice(std::string_view device_id, RevocationReason reason,
                              std::string_view actor, TimePoint now) = 0;
  // Status deleted (the row stays for history), unrevoked certificates revoked with
  // kCessationOfOperation, both recovery hashes dropped; appends "device.delete". Deleting a
  // deleted device succeeds and changes nothing. kNotFound when unknown.
  virtual Status DeleteDevice(std::string_view device_id, std::string_view actor,
                              TimePoint now) = 0;
  // Replace all tags / all metadata; append "device.tags" / "device.metadata".
  // kNotFound when unknown, kFailedPrecondition when deleted.
  virtual Status SetTags(std::string_view device_id, const Tags& tags, std::string_view actor,
                         TimePoint now) = 0;
  virtual Status SetMetadata(std::string_view device_id, const Metadata& metadata,
                             std::string_view actor, TimePoint now) = 0;
  // Heartbeat: last_seen = max(last_seen, now) and the agent's self-report. No event.
  // kNotFound when unknown, kPermissionDenied when revoked or deleted.
  virtual Status TouchLastSeen(std::string_view device_id, TimePoint now,
                               const AgentInfo& agent) = 0;

  // ---- Certificates ----

  // kNotFound when no certificate has this serial.
  virtual Result<CertificateRecord> GetCertificate(std::string_view serial) = 0;
  // The device's certificates, newest issued first, at most `limit` (1 to kMaxPageLimit).
  // An unknown device has none (empty list, not an error).
  virtual Result<std::vector<CertificateRecord>> ListCertificates(std::string_view device_id,
                                                                  int limit) = 0;
  // The newest certificate issued to the device. kNotFound when the device is unknown.
  virtual Result<CertificateRecord> CurrentCertificate(std::string_view device_id) = 0;
  // Current certificates of active devices whose not_after is in [from, until), soonest
  // first (the dashboard's "expiring within N hours" and "expired while offline").
  virtual Result<CertificatePage> ListExpiringCertificates(TimePoint from, TimePoint until,
                                                           const PageRequest& page) = 0;
  // Revokes one certificate (the device keeps its status); appends "certificate.revoke".
  // Revoking a revoked certificate succeeds and changes nothing. kNotFound when unknown.
  virtual Status RevokeCertificate(std::string_view serial, RevocationReason reason,
                                   std::string_view actor, TimePoint now) = 0;
  // Every revoked certificate not yet expired at `now` (for the CRL), by serial.
  virtual Result<std::vector<RevokedCertificate>> ListRevokedCertificates(TimePoint now) = 0;
  // The next CRL number: 1, 2, 3... strictly increasing across restarts and processes.
  virtual Result<int64_t> NextCrlNumber() = 0;

  // ---- Admin API tokens ----

  // Appends "api_token.create". kAlreadyExists when the id or hash is taken.
  virtual Result<ApiTokenRecord> CreateApiToken(const NewApiToken& token, TimePoint now) = 0;
  // The token with this hash if it is usable at `now`; kUnauthenticated when unknown,
  // revoked or expired (one message for all three).
  virtual Result<ApiTokenRecord> FindApiTokenByHash(std::string_view token_hash, TimePoint now) = 0;
  // All tokens, newest first.
  virtual Result<std::vector<ApiTokenRecord>> ListApiTokens() = 0;
  // Appends "api_token.revoke"; revoking twice succeeds. kNotFound for an unknown id.
  virtual Status RevokeApiToken(std::string_view id, std::string_view actor, TimePoint now) = 0;

  // ---- Trust policies (issue 5) ----

  // Creates policy `policy.name` (version 1) or replaces it whole (version + 1); device IDs
  // and tags are stored sorted without duplicates. Device IDs need not be registered (a
  // rule for a device that does not exist allows nothing). Appends "policy.set" (subject:
  // the name). Returns the stored policy.
  virtual Result<PolicyRecord> PutPolicy(const NewPolicy& policy, std::string_view actor,
                                         TimePoint now) = 0;
  // kNotFound when there is no policy with this name.
  virtual Result<PolicyRecord> GetPolicy(std::string_view name) = 0;
  // Every policy, by name.
  virtual Result<std::vector<PolicyRecord>> ListPolicies() = 0;
  // Removes the policy; appends "policy.delete". kNotFound when unknown.
  virtual Status DeletePolicy(std::string_view name, std::string_view actor, TimePoint now) = 0;
  // The policy and the names of the active devices it allows now, read in one snapshot.
  // Resolved by the database (indexed joins on the device ID and the (key, value) tag
  // index), so the cost follows the number of matching devices, not the fleet size.
  // kNotFound when unknown.
  virtual Result<ResolvedPolicy> ResolvePolicy(std::string_view name) = 0;

  // ---- Dashboard users and sessions (issue 6) ----
  //
  // Sessions are keyed by the hash of their secret. Deleting a user or changing their
  // password ends all their sessions in the same transaction. Session events use the actor
  // "user:<name>" and the user name as subject.

  // Appends "user.create". kAlreadyExists when the name is taken.
  virtual Result<UserRecord> CreateUser(const NewUser& user, std::string_view actor,
                                        TimePoint now) = 0;
  // kNotFound when unknown.
  virtual Result<UserRecord> GetUser(std::string_view name) = 0;
  // Every user, by name.
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  // Removes the user and their sessions; appends "user.delete". kNotFound when unknown.
  virtual Status DeleteUser(std::string_view name, std::string_view actor, TimePoint now) = 0;
  // Replaces the hash, sets password_changed_at = now, ends the user's sessions; appends
  // "user.password". kNotFound when unknown.
  virtual Status SetUserPassword(std::string_view name, std::string_view password_hash,
                                 std::string_view actor, TimePoint now) = 0;

  // Records a session for an existing user (kNotFound otherwise; kAlreadyExists for a taken
  // secret hash), drops every session already expired at `now` (of any user), appends
  // "user.login" (detail: the client address). Returns the stored session.
  virtual Result<SessionRecord> CreateSession(const NewSession& session, TimePoint now) = 0;
  // The session with this secret hash if it is unexpired at `now`; kUnauthenticated when
  // unknown or expired (one message for both).
  virtual Result<SessionRecord> FindSession(std::string_view secret_hash, TimePoint now) = 0;
  // last_used_at = max(last_used_at, now). No event. kUnauthenticated when unknown.
  virtual Status TouchSession(std::string_view secret_hash, TimePoint now) = 0;
  // Ends the session; appends "user.logout". kUnauthenticated when unknown.
  virtual Status DeleteSession(std::string_view secret_hash, TimePoint now) = 0;
  // Ends every session of the user; returns how many there were (0 for an unknown user).
  virtual Result<int64_t> DeleteSessionsOfUser(std::string_view name) = 0;

  // ---- Dashboard overview (issue 6) ----

  // Device counts by status, stale active devices and certificate expiry counts per range,
  // read in one snapshot from indexes over the devices table (its current certificate's
  // not_after), so the cost follows the counted rows, not a scan per range of the fleet.
  virtual Result<FleetCounts> CountFleet(const FleetCountsQuery& query) = 0;

  // ---- Device posture (issue 7) ----
  //
  // One posture per device (latest host audit, inventory, findings, trust score) and the
  // score's history. No events: reports arrive with every heartbeat.

  // Replaces the parts `update` sets in one transaction. With update.score, appends a
  // history row (now, score) when TrustScoreNeedsHistoryRow (posture_rules.h) says so.
  // kNotFound for an unknown device; kInvalidArgument per ValidatePostureUpdate.
  virtual Status UpdatePosture(std::string_view device_id, const PostureUpdate& update,
                               TimePoint now) = 0;
  // The device's posture, the package list only when `with_packages`. kNotFound when
  // nothing was recorded for it.
  virtual Result<DevicePosture> GetPosture(std::string_view device_id, bool with_packages) = 0;
  // The postures of the active devices among `device_ids` (every active device with a
  // posture when empty), by device ID, without package lists. Unknown IDs are skipped.
  virtual Result<std::vector<DevicePosture>> ListPostures(
      const std::vector<std::string>& device_ids) = 0;
  // The newest `limit` (1..1000) history rows of the device, oldest first; empty when none.
  virtual Result<std::vector<TrustScorePoint>> ListTrustScores(std::string_view device_id,
                                                               int limit) = 0;

  // ---- Event log (append-only) ----

  // Appends `event` (its id is ignored) and returns the id it got.
  virtual Result<int64_t> AppendEvent(const Event& event) = 0;
  // Newest first.
  virtual Result<std::vector<Event>> ListEvents(const EventQuery& query) = 0;
};

struct OpenOptions {
  // How long a writer waits for another process's write transaction before kUnavailable.
  int busy_timeout_ms = 5000;
  // SQLite: at most this many reader connections (each thread holds one only while reading).
  int max_readers = 4;
  // Source of the time recorded when a schema migration is applied.
  Clock* clock = &RealClock::Instance();
};

// Opens the registry named by `dsn`:
//   "sqlite:/path/registry.db": SQLite in WAL mode; the file is created with mode 0600
//       (its directory must exist) and migrated to this binary's schema. A database with a
//       newer schema than this binary knows, or a file that is not a database, is refused
//       with kFailedPrecondition.
//   "memory:": a new, empty, process-local registry.
//   "postgres://..."/"postgresql://...": PostgreSQL (see store/postgres/postgres_store.h),
//       migrated under an advisory lock so replicas starting together migrate once.
// Any other scheme is kInvalidArgument, with a message naming the accepted ones.
Result<std::unique_ptr<Store>> OpenStore(std::string_view dsn, const OpenOptions& options = {});

}  // namespace wott::store

#endif  // WOTT_STORE_STORE_H_
