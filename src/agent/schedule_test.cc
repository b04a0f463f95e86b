#include "agent/schedule.h"

#include <gtest/gtest.h>

namespace wott::agent {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(ScheduleTest, RenewalTimeStaysInsideTheJitterWindow) {
  TimePoint renew_after = TimePoint() + hours(24 * 100);
  TimePoint not_after = renew_after + hours(60);  // 1/3 of a 7.5-day lifetime
  EXPECT_EQ(RenewalTime(renew_after, not_after, 0.0), renew_after);
  TimePoint latest = renew_after + hours(6);  // 10% of the window
  for (double u : {0.0, 0.25, 0.5, 0.999999}) {
    TimePoint t = RenewalTime(renew_after, not_after, u);
    EXPECT_GE(t, renew_after) << u;
    EXPECT_LT(t, latest) << u;
  }
  EXPECT_GT(RenewalTime(renew_after, not_after, 0.9), renew_after + hours(5));
}

TEST(ScheduleTest, RenewalTimeWithoutWindowIsRenewAfter) {
  TimePoint t = TimePoint() + hours(5);
  EXPECT_EQ(RenewalTime(t, t, 0.7), t);
  EXPECT_EQ(RenewalTime(t, t - hours(1), 0.7), t);
}

TEST(ScheduleTest, BackoffDoublesWithinEqualJitterBounds) {
  ScheduleOptions o;
  o.backoff_base = seconds(10);
  o.backoff_cap = seconds(3600);
  EXPECT_EQ(Backoff(1, 0.0, o), seconds(5));
  EXPECT_EQ(Backoff(2, 0.0, o), seconds(10));
  EXPECT_EQ(Backoff(3, 0.0, o), seconds(20));
  for (int failures = 1; failures < 8; ++failures) {
    Duration d = o.backoff_base * (1 << (failures - 1));
    EXPECT_GE(Backoff(failures, 0.0, o), d / 2) << failures;
    EXPECT_LE(Backoff(failures, 0.999, o), d) << failures;
  }
}

TEST(ScheduleTest, BackoffIsCapped) {
  ScheduleOptions o;
  o.backoff_base = seconds(10);
  o.backoff_cap = seconds(3600);
  for (int failures : {10, 20, 64, 1000, 1 << 30}) {
    EXPECT_LE(Backoff(failures, 0.999, o), seconds(3600)) << failures;
    EXPECT_GE(Backoff(failures, 0.0, o), seconds(1800)) << failures;
  }
  EXPECT_GT(Backoff(3, 0.0, o), Backoff(2, 0.999, o) / 2);  // grows until the cap
}

TEST(ScheduleTest, RandomUnitIsInRange) {
  for (int i = 0; i < 1000; ++i) {
    double u = RandomUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace wott::agent
