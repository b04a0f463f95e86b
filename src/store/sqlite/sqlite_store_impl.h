// Private to the SQLite backend: the SqliteStore class (its methods are split between
// sqlite_store.cc (open, tokens, API tokens, events) and sqlite_devices.cc (devices and
// certificates)) and the reader-connection pool. Thread-safety as in sqlite_store.h.
#ifndef WOTT_STORE_SQLITE_SQLITE_STORE_IMPL_H_
#define WOTT_STORE_SQLITE_SQLITE_STORE_IMPL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "store/sqlite/connection.h"
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
      : writer_(std::move(writer)), readers_(path, options.max_readers, options.busy_timeout_ms) {}

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

  Result<int64_t> AppendEvent(const Event& event) override;
  Result<std::vector<Event>> ListEvents(const EventQuery& query) override;

 private:
  // Runs `fn(Connection&)` (returning Status or Result<T>) in one write transaction on the
  // writer connection: committed when it succeeds, rolled back when it fails.
  template <typename Fn>
  std::invoke_result_t<Fn&, Connection&> Write(Fn&& fn) {
    std::lock_guard lock(write_mu_);
    Status begin = writer_->Exec("BEGIN IMMEDIATE");
    if (!begin.ok()) return begin;
    auto result = fn(*writer_);
    Status end = result.ok() ? writer_->Exec("COMMIT") : Status::Ok();
    if (!result.ok() || !end.ok()) {
      (void)writer_->Exec("ROLLBACK");  // fails harmlessly when SQLite already rolled back
      if (!end.ok()) return end;
    }
    return result;
  }

  // Runs `fn(Connection&)` in one read transaction (a consistent snapshot) on a pooled
  // reader connection.
  template <typename Fn>
  std::invoke_result_t<Fn&, Connection&> Read(Fn&& fn) {
    Result<ReaderPool::Lease> lease = readers_.Acquire();
    if (!lease.ok()) return lease.status();
    Connection& db = **lease;
    Status begin = db.Exec("BEGIN");
    if (!begin.ok()) return begin;
    auto result = fn(db);
    // Ending a read-only transaction cannot lose data; only make sure it is over.
    if (!result.ok() || !db.Exec("COMMIT").ok()) (void)db.Exec("ROLLBACK");
    return result;
  }

  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  ReaderPool readers_;
};

}  // namespace wott::store::sqlite

#endif  // WOTT_STORE_SQLITE_SQLITE_STORE_IMPL_H_
