// Group commit for the SQLite store's single writer connection. Concurrent writers share one
// write transaction and so one fsync: the first writer to find no batch in progress becomes
// the leader; it runs BEGIN IMMEDIATE, then its own operation and every operation queued
// meanwhile (at most `max_batch`), each inside its own SAVEPOINT, then one COMMIT, and wakes
// the others with their outcome. Then the first writer still queued leads the next batch.
//
// Guarantees, per operation:
//   - A caller returns only after the COMMIT that holds its changes (or after learning that
//     its changes are not in the database): durability is that of synchronous=FULL.
//   - An operation that fails is rolled back to its savepoint; the other operations of its
//     batch are not affected (a spent token or a duplicate serial fails only its caller).
//   - When BEGIN or COMMIT fails, or SQLite rolls the whole transaction back (disk full, I/O
//     error), every operation of the batch fails with that status: none of them is stored.
//
// Thread-safety: Run may be called from any number of threads at once. Operations run on
// the leader's thread (the caller is blocked meanwhile), never two at a time.
#ifndef WOTT_STORE_SQLITE_GROUP_COMMIT_H_
#define WOTT_STORE_SQLITE_GROUP_COMMIT_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "base/status.h"
#include "store/sqlite/connection.h"

namespace wott::store::sqlite {

class GroupCommitter {
 public:
  // One caller's operation. `run(context, db)` makes its changes on `db` inside the shared
  // transaction and returns its own status (its result, if any, is kept by the closure).
  struct Op {
    Status (*run)(void* context, Connection& db) = nullptr;
    void* context = nullptr;

    // Set by the committer.
    bool ran = false;     // run() was called (its status is the closure's business)
    Status batch_status;  // the batch's outcome: OK when its transaction committed
   private:
    friend class GroupCommitter;
    bool done = false;  // guarded by mu_
    bool lead = false;  // guarded by mu_: the previous leader handed the queue over
    std::condition_variable wake;
  };

  struct Stats {
    int64_t batches = 0;    // transactions begun
    int64_t ops = 0;        // operations handled
    int64_t max_batch = 0;  // largest batch so far
  };

  // REQUIRES: `writer` is open and not in a transaction; max_batch >= 1.
  GroupCommitter(std::unique_ptr<Connection> writer, size_t max_batch);

  // Queues `op`, runs it in some batch's transaction and returns once that batch is over.
  // Then: op.ran tells whether op.run was called; op.batch_status is OK when the batch
  // committed (an operation that ran and failed was rolled back alone), else the error
  // that kept every operation of the batch out of the database.
  void Run(Op& op);

  Stats stats() const;

  // Test-only: the writer's handle (e.g. to install a commit hook before any Run) and the
  // number of operations waiting for a batch.
  Connection& writer_for_test() { return *writer_; }
  size_t QueuedForTest() const;

 private:
  // Runs `batch` in one transaction on writer_ and sets each op's ran/batch_status.
  // Called by the leader without mu_ held.
  void RunBatch(const std::vector<Op*>& batch);
  // Runs one of the transaction-control statements below (cached prepared statements).
  Status Control(const char* sql);

  const size_t max_batch_;
  std::unique_ptr<Connection> writer_;  // used by the leader only

  mutable std::mutex mu_;
  std::deque<Op*> queue_;       // guarded by mu_
  bool leader_active_ = false;  // guarded by mu_
  Stats stats_;                 // guarded by mu_
};

}  // namespace wott::store::sqlite

#endif  // WOTT_STORE_SQLITE_GROUP_COMMIT_H_
