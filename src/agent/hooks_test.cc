#include "agent/hooks.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "tests/support/test_ca.h"

namespace wott::agent {
namespace {

using std::chrono::seconds;

TEST(HooksTest, RunsWithShellAndReportsExitStatus) {
  testing::TempDir tmp;
  const std::string marker = (tmp.path() / "marker").string();
  HookEnv env{"abc.d.wott.local", "/opt/wott/certs"};
  Result<int> rc =
      RunHook("echo \"$WOTT_DEVICE_ID $WOTT_CERTS_DIR\" > " + marker, env, seconds(10));
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(*rc, 0);
  EXPECT_EQ(*ReadFile(marker), "abc.d.wott.local /opt/wott/certs\n");
  rc = RunHook("exit 3", env, seconds(10));
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 3);
  EXPECT_EQ(RunHooks({"true", "false", "exit 4"}, env, seconds(10)), 2);
}

TEST(HooksTest, KillsAHookThatRunsTooLong) {
  Result<int> rc = RunHook("sleep 30", HookEnv{}, std::chrono::milliseconds(200));
  EXPECT_EQ(rc.status().code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace wott::agent
