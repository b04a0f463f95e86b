// Private to the PostgreSQL backend: the connection pool, the transaction runner (retries on
// serialization failures and deadlocks, turns libpqxx exceptions into Status) and query
// parameters. libpqxx throws; every exception stops at RunTx, so the rest of the project
// only ever sees Status. Every pqxx call of the project lives in src/store/postgres.
#ifndef WOTT_STORE_POSTGRES_PG_DB_H_
#define WOTT_STORE_POSTGRES_PG_DB_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace wott::store::postgres {

// A query parameter in text form; nullopt is SQL NULL. PostgreSQL infers each parameter's
// type from where it is used ($1 compared with a BIGINT column is a BIGINT).
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

inline Param P(std::string_view v) { return std::string(v); }
inline Param P(int64_t v) { return std::to_string(v); }
inline Param P(std::optional<int64_t> v) {
  return v ? Param(std::to_string(*v)) : Param(std::nullopt);
}

// Runs `sql` ($1, $2... numbered like `params`) in `tx`. Throws pqxx exceptions.
pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql, const Params& params = {});

// Up to `max` connections to one database, opened on demand and reused. Thread-safe.
class Pool {
 public:
  Pool(std::string conninfo, int max, std::chrono::milliseconds acquire_timeout);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection leased to one thread until the Lease is destroyed.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<pqxx::connection> connection, bool reused)
        : pool_(pool), connection_(std::move(connection)), reused_(reused) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          connection_(std::move(other.connection_)),
          reused_(other.reused_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *connection_; }
    // Closes the connection instead of returning it (after a connection error); its slot
    // in the pool is freed when the Lease ends.
    void Discard() { connection_.reset(); }
    // True when the connection sat idle in the pool (the server may have ended it since);
    // false when it was opened for this lease.
    bool reused() const { return reused_; }

   private:
    Pool* pool_;  // nullptr once moved from
    std::unique_ptr<pqxx::connection> connection_;
    bool reused_ = false;
  };

  // Waits up to the acquire timeout while all connections are leased (kUnavailable after);
  // kUnavailable when a new connection cannot be opened.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<pqxx::connection> connection);

  const std::string conninfo_;
  const int max_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  int open_ = 0;                                         // guarded by mu_
};

enum class TxKind {
  kWrite,   // READ COMMITTED; writers take explicit row locks (SELECT ... FOR UPDATE)
  kRead,    // REPEATABLE READ, READ ONLY: one consistent snapshot over several statements
  kSingle,  // one read statement, autocommit (atomic by itself; no BEGIN/COMMIT round trips)
};

// Runs `body(tx)` in one transaction on a pooled connection: committed when it returns OK,
// rolled back otherwise. Retried (a bounded number of times, with a short jittered
// backoff) when PostgreSQL reports a serialization failure (40001), a deadlock (40P01) or a
// lost connection before commit. An idle pooled connection found dead (the server ended it:
// restart, failover, an idle timeout) is dropped and the next one tried at once without
// using up an attempt, so a pool full of dead connections drains instead of failing calls. A
// unique-constraint violation is kAlreadyExists, other database errors kInternal (database text in
// the detail only).
Status RunTx(Pool& pool, TxKind kind, const std::function<Status(pqxx::transaction_base&)>& body);

// RunTx for a body returning Result<T> or Status.
template <typename Fn>
std::invoke_result_t<Fn&, pqxx::transaction_base&> Run(Pool& pool, TxKind kind, Fn&& fn) {
  using R = std::invoke_result_t<Fn&, pqxx::transaction_base&>;
  if constexpr (std::is_same_v<R, Status>) {
    return RunTx(pool, kind, [&](pqxx::transaction_base& tx) { return fn(tx); });
  } else {
    std::optional<R> out;
    Status status = RunTx(pool, kind, [&](pqxx::transaction_base& tx) -> Status {
      out.reset();
      out.emplace(fn(tx));
      return out->status();
    });
    if (!status.ok()) return status;
    return std::move(*out);
  }
}

}  // namespace wott::store::postgres

#endif  // WOTT_STORE_POSTGRES_PG_DB_H_
