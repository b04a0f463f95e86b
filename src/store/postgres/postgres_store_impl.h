// Private to the PostgreSQL backend: the PostgresStore class. Its methods are split between
// postgres_store.cc (open, migrations, tokens, API tokens, events, the CRL counter) and
// postgres_devices.cc (devices and certificates). Thread-safety as in postgres_store.h.
#ifndef WOTT_STORE_POSTGRES_POSTGRES_STORE_IMPL_H_
#define WOTT_STORE_POSTGRES_POSTGRES_STORE_IMPL_H_

#include <chrono>
#include <string>

#include "store/postgres/pg_db.h"
#include "store/store.h"

namespace wott::store::postgres {

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& conninfo, const OpenOptions& options)
      : pool_(conninfo, std::max(options.max_readers, 1) + 4,
              std::chrono::milliseconds(options.busy_timeout_ms)) {}

  Pool& pool() { return pool_; }

  Result<EnrollmentTokenRecord> CreateEnrollmentToken(const NewEnrollmentToken& token,
                                                      TimePoint now) override;
  Result<EnrollmentTokenRecord> GetEnrollmentToken(std::string_view id) override;
  Result<EnrollmentTokenRecord> FindEnrollmentToken(std::string_view token_hash,
                                                    TimePoint now) override;
  Result<std::vector<EnrollmentTokenRecord>> ListEnrollmentTokens(const TokenListOptions& options,
                                                                  TimePoint now) override;
  Status RevokeEnrollmentToken(std::string_view id, std::string_view actor, TimePoint now) override;

  Result<DeviceRecord> EnrollDevice(std::string_view token_hash, const NewDevice& device,
                                    const CertificateRecord& certificate,
                                    std::string_view recovery_token_hash, TimePoint now) override;
  Result<DeviceRecord> RenewDevice(std::string_view device_id, std::string_view presented_serial,
                                   const CertificateRecord& certificate,
                                   std::string_view new_recovery_token_hash,
                                   TimePoint now) override;
  Result<DeviceRecord> FindDeviceByRecoveryToken(std::string_view recovery_token_hash) override;
  Result<DeviceRecord> RecoverDevice(std::string_view recovery_token_hash,
                                     const CertificateRecord& certificate,
                                     std::string_view new_recovery_token_hash, Duration grace,
                                     TimePoint now) override;

  Result<DeviceRecord> GetDevice(std::string_view device_id) override;
  Result<DevicePage> ListDevices(const DeviceFilter& filter, const DeviceSort& sort,
                                 const PageRequest& page) override;
  Result<DeviceCounts> CountDevicesByStatus() override;
  Status RevokeDevice(std::string_view device_id, RevocationReason reason, std::string_view actor,
                      TimePoint now) override;
  Status DeleteDevice(std::string_view device_id, std::string_view actor, TimePoint now) override;
  Status SetTags(std::string_view device_id, const Tags& tags, std::string_view actor,
                 TimePoint now) override;
  Status SetMetadata(std::string_view device_id, const Metadata& metadata, std::string_view actor,
                     TimePoint now) override;
  Status TouchLastSeen(std::string_view device_id, TimePoint now, const AgentInfo& agent) override;

  Result<CertificateRecord> GetCertificate(std::string_view serial) override;
  Result<std::vector<CertificateRecord>> ListCertificates(std::string_view device_id,
                                                          int limit) override;
  Result<CertificateRecord> CurrentCertificate(std::string_view device_id) override;
  Result<CertificatePage> ListExpiringCertificates(TimePoint from, TimePoint until,
                                                   const PageRequest& page) override;
  Status RevokeCertificate(std::string_view serial, RevocationReason reason, std::string_view actor,
                           TimePoint now) override;
  Result<std::vector<RevokedCertificate>> ListRevokedCertificates(TimePoint now) override;
  Result<int64_t> NextCrlNumber() override;

  Result<ApiTokenRecord> CreateApiToken(const NewApiToken& token, TimePoint now) override;
  Result<ApiTokenRecord> FindApiTokenByHash(std::string_view token_hash, TimePoint now) override;
  Result<std::vector<ApiTokenRecord>> ListApiTokens() override;
  Status RevokeApiToken(std::string_view id, std::string_view actor, TimePoint now) override;

  // Trust policies: postgres_policies.cc.
  Result<PolicyRecord> PutPolicy(const NewPolicy& policy, std::string_view actor,
                                 TimePoint now) override;
  Result<PolicyRecord> GetPolicy(std::string_view name) override;
  Result<std::vector<PolicyRecord>> ListPolicies() override;
  Status DeletePolicy(std::string_view name, std::string_view actor, TimePoint now) override;
  Result<ResolvedPolicy> ResolvePolicy(std::string_view name) override;

  // Dashboard users, sessions and fleet counts (issue 6): postgres_accounts.cc.
  Result<UserRecord> CreateUser(const NewUser& user, std::string_view actor,
                                TimePoint now) override;
  Result<UserRecord> GetUser(std::string_view name) override;
  Result<std::vector<UserRecord>> ListUsers() override;
  Status DeleteUser(std::string_view name, std::string_view actor, TimePoint now) override;
  Status SetUserPassword(std::string_view name, std::string_view password_hash,
                         std::string_view actor, TimePoint now) override;
  Result<SessionRecord> CreateSession(const NewSession& session, TimePoint now) override;
  Result<SessionRecord> FindSession(std::string_view secret_hash, TimePoint now) override;
  Status TouchSession(std::string_view secret_hash, TimePoint now) override;
  Status DeleteSession(std::string_view secret_hash, TimePoint now) override;
  Result<int64_t> DeleteSessionsOfUser(std::string_view name) override;
  Result<FleetCounts> CountFleet(const FleetCountsQuery& query) override;

  // Device posture (issue 7): postgres_posture.cc.
  Status UpdatePosture(std::string_view device_id, const PostureUpdate& update,
                       TimePoint now) override;
  Result<DevicePosture> GetPosture(std::string_view device_id, bool with_packages) override;
  Result<std::vector<DevicePosture>> ListPostures(
      const std::vector<std::string>& device_ids) override;
  Result<std::vector<TrustScorePoint>> ListTrustScores(std::string_view device_id,
                                                       int limit) override;

  Result<int64_t> AppendEvent(const Event& event) override;
  Result<std::vector<Event>> ListEvents(const EventQuery& query) override;

 private:
  template <typename Fn>
  auto Write(Fn&& fn) {
    return Run(pool_, TxKind::kWrite, std::forward<Fn>(fn));
  }
  // Several statements that must see one snapshot.
  template <typename Fn>
  auto Read(Fn&& fn) {
    return Run(pool_, TxKind::kRead, std::forward<Fn>(fn));
  }
  // REQUIRES: `fn` runs exactly one statement (atomic by itself).
  template <typename Fn>
  auto ReadOne(Fn&& fn) {
    return Run(pool_, TxKind::kSingle, std::forward<Fn>(fn));
  }

  Pool pool_;
};

// Applies the embedded PostgreSQL migrations under an advisory lock (see postgres_store.h).
Status Migrate(Pool& pool, TimePoint now);

}  // namespace wott::store::postgres

#endif  // WOTT_STORE_POSTGRES_POSTGRES_STORE_IMPL_H_
