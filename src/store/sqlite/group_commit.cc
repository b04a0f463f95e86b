#include "store/sqlite/group_commit.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

namespace wott::store::sqlite {

GroupCommitter::GroupCommitter(std::unique_ptr<Connection> writer, size_t max_batch)
    : max_batch_(std::max<size_t>(max_batch, 1)), writer_(std::move(writer)) {}

void GroupCommitter::Run(Op& op) {
  std::unique_lock lock(mu_);
  queue_.push_back(&op);
  if (leader_active_) {
    op.wake.wait(lock, [&] { return op.done || op.lead; });
    if (op.done) return;
  }
  // Leader: run batches from the front of the queue until our own op is done.
  leader_active_ = true;
  std::vector<Op*> batch;
  while (!op.done) {
    batch.clear();
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    ++stats_.batches;
    stats_.ops += static_cast<int64_t>(batch.size());
    stats_.max_batch = std::max<int64_t>(stats_.max_batch, static_cast<int64_t>(batch.size()));
    // Notified under mu_: a follower's Op (and its condition variable) lives on its stack
    // and may be gone as soon as it sees done without the lock held by us.
    for (Op* o : batch) {
      o->done = true;
      if (o != &op) o->wake.notify_one();
    }
  }
  // Hand the queue to the oldest waiter (it joined while we were committing).
  if (queue_.empty()) {
    leader_active_ = false;
  } else {
    queue_.front()->lead = true;
    queue_.front()->wake.notify_one();
  }
}

GroupCommitter::Stats GroupCommitter::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

size_t GroupCommitter::QueuedForTest() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Status GroupCommitter::Control(const char* sql) {
  ASSIGN_OR_RETURN(Statement stmt, writer_->Prepare(sql));
  return stmt.Run();
}

void GroupCommitter::RunBatch(const std::vector<Op*>& batch) {
  Connection& db = *writer_;
  auto finish = [&](const Status& status) {
    for (Op* o : batch) o->batch_status = status;
  };
  Status begin = Control("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    if (!sqlite3_get_autocommit(db.handle())) (void)db.Exec("ROLLBACK");
    return finish(begin);
  }
  // A lone operation needs no savepoint: the transaction is its savepoint.
  const bool savepoints = batch.size() > 1;
  size_t kept = 0;  // operations whose changes are in the transaction
  for (Op* o : batch) {
    Status step = savepoints ? Control("SAVEPOINT op") : Status::Ok();
    Status own = step.ok() ? o->run(o->context, db) : Status::Ok();
    o->ran = step.ok();
    if (step.ok()) {
      if (own.ok()) {
        ++kept;
        if (savepoints) step = Control("RELEASE op");
      } else if (savepoints && !sqlite3_get_autocommit(db.handle())) {
        step = Control("ROLLBACK TO op");
        if (step.ok()) step = Control("RELEASE op");
      }
    }
    // SQLite ends the whole transaction itself on some errors (disk full, I/O error, out of
    // memory): then the work of the operations before this one is gone too.
    if (sqlite3_get_autocommit(db.handle())) {
      Status lost = !own.ok() ? own
                    : !step.ok()
                        ? step
                        : Internal("registry database error", "write transaction ended early");
      return finish(lost);
    }
    if (!step.ok()) {
      (void)db.Exec("ROLLBACK");
      return finish(step);
    }
  }
  if (kept == 0) {  // nothing to make durable
    (void)db.Exec("ROLLBACK");
    return finish(Status::Ok());
  }
  Status commit = Control("COMMIT");
  if (!commit.ok()) {
    // Fails harmlessly when SQLite already rolled back.
    if (!sqlite3_get_autocommit(db.handle())) (void)db.Exec("ROLLBACK");
  }
  finish(commit);
}

}  // namespace wott::store::sqlite
