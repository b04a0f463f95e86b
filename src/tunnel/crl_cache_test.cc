#include "tunnel/crl_cache.h"

#include <gtest/gtest.h>

#include "pki/crl.h"
#include "tests/support/test_ca.h"

namespace wott::tunnel {
namespace {

using wott::testing::TestCa;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1795770967);

class CrlCacheTest : public ::testing::Test {
 protected:
  std::string Crl(uint64_t number) {
    return *pki::CrlToDer(pki::BuildCrl(ca_.issuer(), {}, number, std::chrono::hours(2))->get());
  }
  FakeClock clock_{kNow};
  TestCa ca_{&clock_};
  int fetches_ = 0;
  Result<std::string> answer_ = Unavailable("server down");
  CrlCache cache_{[this] {
                    ++fetches_;
                    return answer_;
                  },
                  &clock_, std::chrono::minutes(30)};
};

TEST_F(CrlCacheTest, StaleUntilFetchedThenFreshUntilNextUpdate) {
  EXPECT_TRUE(cache_.Stale());
  EXPECT_FALSE(cache_.MaybeRefresh());
  EXPECT_TRUE(cache_.Stale());
  EXPECT_EQ(cache_.last_error(), "server down");
  answer_ = Crl(1);
  clock_.Advance(std::chrono::seconds(10));  // past the retry pause
  EXPECT_TRUE(cache_.MaybeRefresh());
  EXPECT_FALSE(cache_.Stale());
  EXPECT_EQ(cache_.der(), *answer_);
  EXPECT_EQ(*cache_.next_update(), kNow + std::chrono::hours(2));
}

TEST_F(CrlCacheTest, RefreshesOnlyWhenDueAndKeepsTheOldCrlOnFailure) {
  answer_ = Crl(1);
  ASSERT_TRUE(cache_.MaybeRefresh());
  int before = fetches_;
  EXPECT_FALSE(cache_.MaybeRefresh());  // not due yet
  EXPECT_EQ(fetches_, before);
  answer_ = Unavailable("server down");
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_FALSE(cache_.MaybeRefresh());
  EXPECT_EQ(fetches_, before + 1);
  EXPECT_FALSE(cache_.Stale());  // still before nextUpdate: the old CRL serves
  clock_.Advance(std::chrono::hours(2));
  EXPECT_TRUE(cache_.Stale());  // past nextUpdate and not refreshed: stale (fail closed)
  answer_ = Crl(2);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_TRUE(cache_.MaybeRefresh());
  EXPECT_FALSE(cache_.Stale());
}

TEST_F(CrlCacheTest, RefusesAnAnswerThatIsNotACrl) {
  answer_ = std::string("<html>not a crl</html>");
  EXPECT_FALSE(cache_.MaybeRefresh());
  EXPECT_TRUE(cache_.Stale());
  EXPECT_FALSE(cache_.last_error().empty());
}

}  // namespace
}  // namespace wott::tunnel
