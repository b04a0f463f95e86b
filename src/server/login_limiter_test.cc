#include "server/login_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace wott::server {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = TimePoint() + std::chrono::hours(24 * 365 * 50);

TEST(LoginLimiterTest, AllowsUpToTheUserLimitThenRefusesUntilTheWindowPasses) {
  LoginLimiter limiter;
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(limiter.Check("bob", "10.0.0.1", kT0 + seconds(i))) << i;
    limiter.RecordFailure("bob", "10.0.0.1", kT0 + seconds(i));
  }
  // The sixth attempt is refused, whatever the password would have been.
  std::optional<Duration> wait = limiter.Check("bob", "10.0.0.1", kT0 + seconds(10));
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, minutes(15) - seconds(10));  // until the first failure leaves the window
  // Another address does not help; another user from this address is fine.
  EXPECT_TRUE(limiter.Check("bob", "10.0.0.2", kT0 + seconds(10)));
  EXPECT_FALSE(limiter.Check("alice", "10.0.0.1", kT0 + seconds(10)));
  // Once the oldest failure is 15 minutes old, one more attempt is allowed.
  EXPECT_TRUE(limiter.Check("bob", "10.0.0.1", kT0 + minutes(15) - seconds(1)));
  EXPECT_FALSE(limiter.Check("bob", "10.0.0.1", kT0 + minutes(15)));
}

TEST(LoginLimiterTest, LimitsOneAddressAcrossManyUsers) {
  LoginLimiter limiter;
  for (int i = 0; i < 20; ++i) {
    std::string user = "user" + std::to_string(i);
    EXPECT_FALSE(limiter.Check(user, "10.0.0.9", kT0)) << i;
    limiter.RecordFailure(user, "10.0.0.9", kT0);
  }
  EXPECT_TRUE(limiter.Check("fresh", "10.0.0.9", kT0 + seconds(1)));
  EXPECT_FALSE(limiter.Check("fresh", "10.0.0.10", kT0 + seconds(1)));
}

TEST(LoginLimiterTest, SuccessClearsTheUsersFailures) {
  LoginLimiter limiter;
  for (int i = 0; i < 4; ++i) limiter.RecordFailure("bob", "10.0.0.1", kT0);
  limiter.RecordSuccess("bob");
  for (int i = 0; i < 4; ++i) limiter.RecordFailure("bob", "10.0.0.1", kT0);
  EXPECT_FALSE(limiter.Check("bob", "10.0.0.1", kT0));
  limiter.RecordFailure("bob", "10.0.0.1", kT0);
  EXPECT_TRUE(limiter.Check("bob", "10.0.0.1", kT0));
}

TEST(LoginLimiterTest, StaysBoundedInKeys) {
  LoginLimiterOptions options;
  options.max_keys = 100;
  LoginLimiter limiter(options);
  for (int i = 0; i < 1000; ++i) {
    limiter.RecordFailure("u" + std::to_string(i), "a" + std::to_string(i), kT0 + seconds(i));
  }
  EXPECT_LE(limiter.tracked_keys(), 200u);
  // The most recent keys are still tracked.
  for (int i = 0; i < 4; ++i) limiter.RecordFailure("u999", "x", kT0 + seconds(1000));
  EXPECT_TRUE(limiter.Check("u999", "y", kT0 + seconds(1001)));
}

TEST(LoginLimiterTest, ClientHostDropsThePort) {
  EXPECT_EQ(ClientHost("127.0.0.1:53412"), "127.0.0.1");
  EXPECT_EQ(ClientHost("[::1]:8443"), "::1");
  EXPECT_EQ(ClientHost("::1"), "::1");
  EXPECT_EQ(ClientHost("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(ClientHost(""), "");
}

}  // namespace
}  // namespace wott::server
