// Group commit in the SQLite store: concurrent writers share one transaction, yet each
// caller's outcome is its own, and nobody hears "done" before the COMMIT that holds its
// changes. Batches are made deterministic by a commit hook that holds one COMMIT until
// the expected number of writers is queued behind it.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store_impl.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

// Installed as the writer's commit hook: holds the first `hold` COMMITs until `queued`
// writers wait for the next batch (bounded: gives up after 20 s, which fails the test's
// batch-size check instead of hanging), then answers `verdicts` in order (0 = commit,
// non-zero = turn the COMMIT into a rollback), then 0.
struct CommitGate {
  sqlite::GroupCommitter* committer = nullptr;
  size_t queued = 0;
  int hold = 0;
  std::vector<int> verdicts;
  std::atomic<int> calls{0};

  static int Hook(void* self) { return static_cast<CommitGate*>(self)->OnCommit(); }

  int OnCommit() {
    int call = calls++;
    if (call < hold) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (committer->QueuedForTest() < queued && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    return static_cast<size_t>(call) < verdicts.size() ? verdicts[call] : 0;
  }
};

class SqliteGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Reopen();
  }

  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<Store>> store = OpenStore("sqlite:" + (dir_.path() / "r.db").string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    sqlite_ = dynamic_cast<sqlite::SqliteStore*>(store_.get());
    ASSERT_NE(sqlite_, nullptr);
  }

  void InstallGate(CommitGate& gate) {
    gate.committer = &sqlite_->committer_for_test();
    sqlite3_commit_hook(gate.committer->writer_for_test().handle(), &CommitGate::Hook, &gate);
  }

  // Starts a write that becomes the leader and is held in its COMMIT by the gate.
  std::thread StartBlocker() {
    return std::thread([this] {
      Event event;
      event.time = kT0;
      event.actor = "test";
      event.action = "test.block";
      event.subject = "blocker";
      EXPECT_OK(store_->AppendEvent(event));
    });
  }

  // Waits (bounded) until the blocker holds the writer, so later writers queue behind it.
  void WaitForGate(const CommitGate& gate) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (gate.calls.load() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GT(gate.calls.load(), 0) << "the blocker never reached its COMMIT";
  }

  Result<DeviceRecord> Enroll(const std::string& token, int n, const std::string& serial) {
    return store_->EnrollDevice("hash-" + token, DeviceFor(n), CertFor(serial, DeviceIdFor(n)), "",
                                kT0);
  }

  int64_t UsesLeft(const std::string& token) {
    Result<EnrollmentTokenRecord> t = store_->GetEnrollmentToken(token);
    return t.ok() ? t->uses_left : -1;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  sqlite::SqliteStore* sqlite_ = nullptr;
};

TEST_F(SqliteGroupCommitTest, EveryReturnedEnrollmentIsInTheDatabaseAfterReopening) {
  ASSERT_OK(store_->CreateEnrollmentToken(TokenFor("many", 1000), kT0));
  constexpr int kThreads = 16, kEach = 8;
  std::mutex mu;
  std::set<std::string> returned;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int n = 1 + t * kEach + i;
        Result<DeviceRecord> r = Enroll("many", n, "5e" + DeviceIdFor(n).substr(24));
        if (!r.ok()) {
          ++failed;
          continue;
        }
        std::lock_guard lock(mu);
        returned.insert(r->id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  ASSERT_EQ(returned.size(), static_cast<size_t>(kThreads * kEach));
  sqlite::GroupCommitter::Stats stats = sqlite_->write_stats();
  EXPECT_EQ(stats.ops, 1 + kThreads * kEach);  // the token, then every enrollment

  Reopen();
  for (const std::string& id : returned) {
    ASSERT_OK_AND_ASSIGN(DeviceRecord device, store_->GetDevice(id));
    EXPECT_OK(store_->GetCertificate(device.current_serial));
  }
  ASSERT_OK_AND_ASSIGN(DevicePage page, store_->ListDevices({}, {}, {}));
  EXPECT_EQ(page.total, kThreads * kEach);
  EXPECT_EQ(UsesLeft("many"), 1000 - kThreads * kEach);
}

TEST_F(SqliteGroupCommitTest, FailingOperationsDoNotRollBackTheirBatchNeighbours) {
  ASSERT_OK(store_->CreateEnrollmentToken(TokenFor("ten", 10), kT0));
  ASSERT_OK(store_->CreateEnrollmentToken(TokenFor("other", 10), kT0));
  // 20 racers for a 10-use token, plus two enrollments with the same serial: 22 writers
  // queued behind the blocker, then run as one batch.
  CommitGate gate;
  gate.queued = 22;
  gate.hold = 1;
  InstallGate(gate);
  std::thread blocker = StartBlocker();
  WaitForGate(gate);

  std::atomic<int> ok{0}, used_up{0}, dup_ok{0}, dup_exists{0}, other{0};
  std::mutex mu;
  std::vector<std::string> enrolled;
  std::vector<std::thread> threads;
  for (int n = 1; n <= 20; ++n) {
    threads.emplace_back([&, n] {
      Result<DeviceRecord> r = Enroll("ten", n, "7a" + DeviceIdFor(n).substr(24));
      if (r.ok()) {
        ++ok;
        std::lock_guard lock(mu);
        enrolled.push_back(r->id);
      } else if (r.status().code() == StatusCode::kPermissionDenied) {
        ++used_up;
      } else {
        ++other;
      }
    });
  }
  for (int n = 21; n <= 22; ++n) {
    threads.emplace_back([&, n] {
      Result<DeviceRecord> r = Enroll("other", n, "d0d0");
      if (r.ok()) {
        ++dup_ok;
        std::lock_guard lock(mu);
        enrolled.push_back(r->id);
      } else if (r.status().code() == StatusCode::kAlreadyExists) {
        ++dup_exists;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  blocker.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(used_up.load(), 10);
  EXPECT_EQ(dup_ok.load(), 1);
  EXPECT_EQ(dup_exists.load(), 1);
  EXPECT_EQ(other.load(), 0);
  // All 22 really shared one transaction.
  EXPECT_GE(sqlite_->write_stats().max_batch, 22);

  Reopen();
  ASSERT_EQ(enrolled.size(), 11u);
  for (const std::string& id : enrolled) EXPECT_OK(store_->GetDevice(id));
  ASSERT_OK_AND_ASSIGN(DevicePage page, store_->ListDevices({}, {}, {}));
  EXPECT_EQ(page.total, 11);
  EXPECT_EQ(UsesLeft("ten"), 0);
  EXPECT_EQ(UsesLeft("other"), 9);  // the duplicate's use was not consumed
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, store_->ListEvents({}));
  int enrolls = 0;
  for (const Event& e : events) enrolls += e.action == "device.enroll";
  EXPECT_EQ(enrolls, 11);
}

TEST_F(SqliteGroupCommitTest, AFailedCommitFailsEveryCallerOfTheBatchAndNothingIsStored) {
  ASSERT_OK(store_->CreateEnrollmentToken(TokenFor("tok", 100), kT0));
  // COMMIT 1 (the blocker) waits for 5 writers and succeeds; COMMIT 2 (their batch) is
  // refused by the hook, which SQLite turns into a rollback.
  CommitGate gate;
  gate.queued = 5;
  gate.hold = 1;
  gate.verdicts = {0, 1};
  InstallGate(gate);
  std::thread blocker = StartBlocker();
  WaitForGate(gate);

  std::atomic<int> ok{0}, failed_internal{0}, other{0};
  std::vector<std::thread> threads;
  for (int n = 1; n <= 5; ++n) {
    threads.emplace_back([&, n] {
      Result<DeviceRecord> r = Enroll("tok", n, "c0" + DeviceIdFor(n).substr(24));
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == StatusCode::kInternal) {
        ++failed_internal;
      } else {
        ++other;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  blocker.join();
  EXPECT_EQ(ok.load(), 0);
  EXPECT_EQ(failed_internal.load(), 5);
  EXPECT_EQ(other.load(), 0);
  EXPECT_GE(sqlite_->write_stats().max_batch, 5);

  // Nothing of the failed batch is stored; the store keeps working afterwards.
  Reopen();
  ASSERT_OK_AND_ASSIGN(DevicePage page, store_->ListDevices({}, {}, {}));
  EXPECT_EQ(page.total, 0);
  EXPECT_EQ(UsesLeft("tok"), 100);
  EXPECT_OK(Enroll("tok", 1, "c0" + DeviceIdFor(1).substr(24)));
  EXPECT_EQ(UsesLeft("tok"), 99);
}

TEST_F(SqliteGroupCommitTest, AFailedLoneCommitFailsItsCaller) {
  ASSERT_OK(store_->CreateEnrollmentToken(TokenFor("tok", 5), kT0));
  CommitGate gate;
  gate.committer = &sqlite_->committer_for_test();
  gate.verdicts = {1};
  InstallGate(gate);
  EXPECT_EQ(CODE_OF(Enroll("tok", 1, "01")), StatusCode::kInternal);
  EXPECT_EQ(CODE_OF(store_->GetDevice(DeviceIdFor(1))), StatusCode::kNotFound);
  EXPECT_EQ(UsesLeft("tok"), 5);
  EXPECT_OK(Enroll("tok", 1, "01"));
  EXPECT_EQ(UsesLeft("tok"), 4);
}

}  // namespace
}  // namespace wott::store
