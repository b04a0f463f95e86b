#include "store/postgres/pg_db.h"

#include <cstdio>
#include <functional>
#include <pqxx/except>
#include <pqxx/prepared_statement>
#include <random>
#include <thread>

namespace wott::store::postgres {
namespace {

constexpr int kMaxAttempts = 8;
// Dead idle connections dropped per call without counting as attempts: more than any pool
// holds (a guard that keeps the loop bounded if connections keep dying while idle).
constexpr int kMaxStaleConnections = 256;

// 40001 serialization_failure, 40P01 deadlock_detected: the transaction did nothing and
// may simply run again.
bool IsRetryableState(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

void Backoff(int attempt) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int max_ms = std::min(2 << attempt, 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(1 + rng() % max_ms));
}

template <typename Tx>
Status RunIn(pqxx::connection& connection,
             const std::function<Status(pqxx::transaction_base&)>& body) {
  Tx tx(connection);
  Status status = body(tx);
  if (status.ok()) tx.commit();
  return status;  // a failed body: the transaction's destructor rolls back
}

}  // namespace

pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql, const Params& params) {
  // A named prepared statement per distinct SQL text and connection: the server parses and
  // plans each statement once per connection instead of at every call (about a third of
  // its CPU per enrollment). Re-declaring a known name with the same text is a no-op.
  char name[24];
  std::snprintf(name, sizeof name, "w%016zx", std::hash<std::string>{}(sql));
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params));
}

Pool::Pool(std::string conninfo, int max, std::chrono::milliseconds acquire_timeout)
    : conninfo_(std::move(conninfo)), max_(max < 1 ? 1 : max), acquire_timeout_(acquire_timeout) {}

Pool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Release(std::move(connection_));
}

Result<Pool::Lease> Pool::Acquire() {
  std::unique_lock lock(mu_);
  if (!released_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || open_ < max_; })) {
    return Unavailable("the registry database is busy (no free connection); try again");
  }
  if (!idle_.empty()) {
    std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection), /*reused=*/true);
  }
  ++open_;
  lock.unlock();
  try {
    auto connection = std::make_unique<pqxx::connection>(conninfo_);
    return Lease(this, std::move(connection), /*reused=*/false);
  } catch (const std::exception& e) {
    lock.lock();
    --open_;
    released_.notify_one();
    return Unavailable("cannot connect to the PostgreSQL registry database", e.what());
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mu_);
  if (connection && connection->is_open()) {  // a discarded or dead one frees its slot
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
  released_.notify_one();
}

Status RunTx(Pool& pool, TxKind kind, const std::function<Status(pqxx::transaction_base&)>& body) {
  int stale = 0;
  for (int attempt = 1;; ++attempt) {
    Result<Pool::Lease> lease = pool.Acquire();
    if (!lease.ok()) return lease.status();
    Status status;
    bool retry = false;
    try {
      if (kind == TxKind::kRead) {
        status = RunIn<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(**lease, body);
      } else if (kind == TxKind::kSingle) {
        status = RunIn<pqxx::nontransaction>(**lease, body);
      } else {
        status = RunIn<pqxx::work>(**lease, body);
      }
    } catch (const pqxx::in_doubt_error& e) {
      lease->Discard();
      return Unavailable("lost the registry database while committing; the outcome is unknown",
                         e.what());
    } catch (const pqxx::broken_connection& e) {
      lease->Discard();
      status = Unavailable("lost the connection to the registry database", e.what());
      retry = true;
      // It died while idle in the pool, and so may every other idle one (the server ended
      // them all): try the next at once. Counting these as attempts failed a call whenever
      // the pool held kMaxAttempts dead connections.
      if (lease->reused() && ++stale <= kMaxStaleConnections) {
        --attempt;
        continue;
      }
    } catch (const pqxx::serialization_failure& e) {
      status = Unavailable("the registry database stayed busy; try again", e.what());
      retry = true;
    } catch (const pqxx::deadlock_detected& e) {
      status = Unavailable("the registry database stayed busy; try again", e.what());
      retry = true;
    } catch (const pqxx::transaction_rollback& e) {
      status = Unavailable("the registry database rolled the change back; try again", e.what());
    } catch (const pqxx::unique_violation& e) {
      status = AlreadyExists("a record with this key already exists", e.what());
    } catch (const pqxx::sql_error& e) {
      retry = IsRetryableState(e.sqlstate());
      status = retry ? Unavailable("the registry database stayed busy; try again", e.what())
                     : Internal("registry database error", e.what());
    } catch (const std::exception& e) {
      status = Internal("registry database error", e.what());
    }
    if (!retry || attempt >= kMaxAttempts) return status;
    Backoff(attempt);
  }
}

}  // namespace wott::store::postgres
