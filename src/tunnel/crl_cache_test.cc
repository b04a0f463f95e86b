#include "tunnel/crl_cache.h"

#include <gtest/gtest.h>

#include <ctime>

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

class CrlIndexTest : public ::testing::Test {
 protected:
  // A CRL by `ca`'s intermediate (valid 2 h from kNow) revoking `revoked`.
  std::string Crl(const TestCa& ca, const std::vector<const TestCa::Leaf*>& revoked) {
    std::vector<pki::RevokedCertificate> entries;
    for (const TestCa::Leaf* leaf : revoked) {
      entries.push_back({pki::SerialHex(leaf->cert.get()), kNow});
    }
    return *pki::CrlToDer(pki::BuildCrl(ca.issuer(), entries, 1, std::chrono::hours(2))->get());
  }
  std::unique_ptr<CrlIndex> MustParse(const std::string& der) {
    auto index = CrlIndex::Parse(der);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? std::move(*index) : nullptr;
  }
  const std::time_t now_ = std::chrono::system_clock::to_time_t(kNow);
  FakeClock clock_{kNow};
  TestCa ca_{&clock_};
  TestCa::Leaf a_ = ca_.IssueDevice();
  TestCa::Leaf b_ = ca_.IssueDevice();
};

TEST_F(CrlIndexTest, RefusesOnlyTheRevokedSerial) {
  auto index = MustParse(Crl(ca_, {&b_}));
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->revoked_count(), 1u);
  EXPECT_EQ(index->Check(a_.cert.get(), ca_.intermediate(), now_), "");
  EXPECT_EQ(index->Check(b_.cert.get(), ca_.intermediate(), now_), "certificate revoked");
}

TEST_F(CrlIndexTest, FailsClosedOutsideItsValidity) {
  auto index = MustParse(Crl(ca_, {}));
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->Check(a_.cert.get(), ca_.intermediate(), now_ + 2 * 3600 - 1), "");
  EXPECT_EQ(index->Check(a_.cert.get(), ca_.intermediate(), now_ + 2 * 3600), "CRL has expired");
  EXPECT_EQ(index->Check(a_.cert.get(), ca_.intermediate(), now_ - 60), "CRL is not yet valid");
}

TEST_F(CrlIndexTest, RefusesACrlTheIssuerDidNotSign) {
  TestCa other(&clock_);  // same CA names, other keys
  TestCa::Leaf foreign = other.IssueDevice();
  auto forged = MustParse(Crl(other, {}));  // claims to be ca_'s CRL by name only
  ASSERT_NE(forged, nullptr);
  EXPECT_FALSE(forged->PreVerify(ca_.intermediate()));
  EXPECT_EQ(forged->Check(a_.cert.get(), ca_.intermediate(), now_), "CRL signature failure");
  EXPECT_TRUE(forged->PreVerify(other.intermediate()));
  EXPECT_EQ(forged->Check(foreign.cert.get(), other.intermediate(), now_), "");
  // A leaf whose issuer is not the CRL's (or unknown) cannot be checked.
  EXPECT_EQ(forged->Check(a_.cert.get(), nullptr, now_), "unable to get certificate CRL");
  EXPECT_EQ(forged->Check(ca_.intermediate(), ca_.root(), now_), "unable to get certificate CRL");
}

TEST_F(CrlIndexTest, RefusesGarbage) {
  auto bad = CrlIndex::Parse("not a crl");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wott::tunnel
