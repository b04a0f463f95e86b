// Private to the SQLite backend: the SqliteStore class (its methods are split between
// sqlite_store.cc (open, tokens, API tokens, events) and sqlite_devices.cc (devices and
// certificates)) and the reader-connection pool. Thread-safety as in sqlite_store.h.
#ifndef WOTT_STORE_SQLITE_SQLITE_STORE_IMPL_H_
#define WOTT_STORE_SQLITE_SQLITE_STORE_IMPL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/group_commit.h"
#include "store/store.h"

namespace wott::store::sqlite {

// Up to `max` reader connections, opened on demand and reused. Thread-safe.
class ReaderPool {
 public:
  ReaderPool(std::string path, int max, int busy_timeout_ms)
      : path_(std::move(path)), max_(max < 1 ? 1 : max), busy_timeout_ms_(busy_timeout_ms) {}

  // A connection leased to one thread until the Lease is destroyed.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (connection_) pool_->Release(std::move(connection_));
    }
    Connection& operator*() { return *connection_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits while all `max` connections are leased.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> connection);

  const std::string path_;
  const int max_;
  const int busy_timeout_ms_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  int open_ = 0;                                   // guarded by mu_
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<Connection> writer, const std::string& path,
              const OpenOptions& options)
      : committer_(std::move(writer), MaxWriteBatch()),
        readers_(path, options.max_readers, options.busy_timeout_ms) {}

  // Operations per shared write transaction at most: kMaxWriteBatch, or the environment's
  // WOTT_SQLITE_MAX_WRITE_BATCH (1 to kMaxWriteBatch; 1 turns group commit off, for
  // benchmarks and diagnosis).
  static constexpr size_t kMaxWriteBatch = 64;
  static size_t MaxWriteBatch();

  // Group-commit counters, and the committer itself for tests (commit hooks, queue length).
  GroupCommitter::Stats write_stats() const { return committer_.stats(); }
  GroupCommitter& committer_for_test() { return committer_; }

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

  // Trust policies: sqlite_policies.cc.
  Result<PolicyRecord> PutPolicy(const NewPolicy& policy, std::string_view actor,
                                 TimePoint now) override;
  Result<PolicyRecord> GetPolicy(std::string_view name) override;
  Result<std::vector<PolicyRecord>> ListPolicies() override;
  Status DeletePolicy(std::string_view name, std::string_view actor, TimePoint now) override;
  Result<ResolvedPolicy> ResolvePolicy(std::string_view name) override;

  // Dashboard users, sessions and fleet counts (issue 6): sqlite_accounts.cc.
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

  // Device posture (issue 7): sqlite_posture.cc.
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
  // Runs `fn(Connection&)` (returning Status or Result<T>) in a write transaction on the
  // writer connection, shared with concurrent writers (group commit: one fsync for many
  // operations; see group_commit.h). Returns fn's result once the transaction holding its
  // changes has committed; when fn fails its changes are rolled back (and only they); when
  // the shared transaction fails, that error.
  template <typename Fn>
  std::invoke_result_t<Fn&, Connection&> Write(Fn&& fn) {
    using R = std::invoke_result_t<Fn&, Connection&>;
    struct Context {
      std::remove_reference_t<Fn>* fn;
      std::optional<R> result;
    } context{&fn, std::nullopt};
    GroupCommitter::Op op;
    op.context = &context;
    op.run = [](void* c, Connection& db) -> Status {
      auto* ctx = static_cast<Context*>(c);
      ctx->result.emplace((*ctx->fn)(db));
      return StatusOf(*ctx->result);
    };
    committer_.Run(op);
    if (op.ran && !StatusOf(*context.result).ok()) return std::move(*context.result);
    if (!op.batch_status.ok()) return op.batch_status;
    if (!op.ran) return Internal("registry database error", "write not run");  // defensive
    return std::move(*context.result);
  }

  // Runs `fn(Connection&)` in one read transaction (a consistent snapshot) on a pooled
  // reader connection.
  template <typename Fn>
  std::invoke_result_t<Fn&, Connection&> Read(Fn&& fn) {
    Result<ReaderPool::Lease> lease = readers_.Acquire();
    if (!lease.ok()) return lease.status();
    Connection& db = **lease;
    Status begin = RunCached(db, "BEGIN");
    if (!begin.ok()) return begin;
    auto result = fn(db);
    // Ending a read-only transaction cannot lose data; only make sure it is over.
    if (!result.ok() || !RunCached(db, "COMMIT").ok()) (void)db.Exec("ROLLBACK");
    return result;
  }

  // Runs `sql` from the connection's statement cache (no parse per call).
  static Status RunCached(Connection& db, const char* sql) {
    Result<Statement> stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run();
  }
  static const Status& StatusOf(const Status& status) { return status; }
  template <typename T>
  static const Status& StatusOf(const Result<T>& result) {
    return result.status();
  }

  GroupCommitter committer_;
  ReaderPool readers_;
};

}  // namespace wott::store::sqlite

#endif  // WOTT_STORE_SQLITE_SQLITE_STORE_IMPL_H_
