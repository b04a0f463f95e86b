#include "agent/worker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace wott::agent {
namespace {

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGHUP);
    sigset_t blocked = signals_;
    sigaddset(&blocked, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &blocked, &saved_);
  }
  void TearDown() override { ::sigprocmask(SIG_SETMASK, &saved_, nullptr); }

  sigset_t signals_;
  sigset_t saved_;
};

TEST_F(WorkerTest, ReturnsExitCodeAndOutput) {
  int in_parent = 0;
  WorkerResult r = RunWorker(
      [&](std::string& out) {
        in_parent = 1;  // the child's copy; the parent's stays 0
        out = "renew_after=2026-12-02T04:07:58Z";
        return 3;
      },
      signals_, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.output, "renew_after=2026-12-02T04:07:58Z");
  EXPECT_EQ(in_parent, 0);
  EXPECT_FALSE(r.stop);
}

TEST_F(WorkerTest, KillsAWorkerPastItsTimeLimit) {
  WorkerResult r = RunWorker(
      [](std::string&) {
        ::sleep(30);
        return 0;
      },
      signals_, std::chrono::milliseconds(200));
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
}

TEST_F(WorkerTest, NotesSignalsThatArriveMeanwhile) {
  WorkerResult r = RunWorker(
      [](std::string&) {
        ::kill(::getppid(), SIGHUP);
        return 0;
      },
      signals_, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.reload);
}

}  // namespace
}  // namespace wott::agent
