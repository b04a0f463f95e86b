// Conformance tests for dashboard users, sessions and fleet counts (issue 6), run against
// every Store backend.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "store/backend_test_fixture.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

class StoreAccountsTest : public EveryBackendTest {
 protected:
  Result<UserRecord> AddUser(const std::string& name, const std::string& hash = "$argon2id$h1") {
    return store().CreateUser({name, hash}, "cli", kT0);
  }

  static NewSession SessionFor(const std::string& user, const std::string& secret,
                               TimePoint expires = kT0 + hours(12)) {
    NewSession s;
    s.secret_hash = "sh-" + secret;
    s.user = user;
    s.csrf_token = "csrf-" + secret;
    s.expires_at = expires;
    s.client = "127.0.0.1";
    return s;
  }

  // Events as "action actor subject", oldest first.
  std::vector<std::string> Events() {
    EventQuery query;
    query.limit = kMaxPageLimit;
    Result<std::vector<Event>> events = store().ListEvents(query);
    std::vector<std::string> out;
    if (events.ok()) {
      for (auto it = events->rbegin(); it != events->rend(); ++it) {
        out.push_back(it->action + " " + it->actor + " " + it->subject);
      }
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreAccountsTest,
                         ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(StoreAccountsTest, CreatesGetsListsAndDeletesUsers) {
  ASSERT_OK_AND_ASSIGN(UserRecord bob, store().CreateUser({"bob", "$argon2id$b"}, "cli",
                                                          kT0 + std::chrono::milliseconds(400)));
  EXPECT_EQ(bob.name, "bob");
  EXPECT_EQ(bob.password_hash, "$argon2id$b");
  EXPECT_EQ(bob.created_at, kT0);
  EXPECT_EQ(bob.password_changed_at, kT0);
  ASSERT_OK(AddUser("alice"));
  ASSERT_OK_AND_ASSIGN(UserRecord got, store().GetUser("bob"));
  EXPECT_EQ(got.password_hash, "$argon2id$b");
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> users, store().ListUsers());
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "alice");
  EXPECT_EQ(users[1].name, "bob");

  EXPECT_EQ(CODE_OF(AddUser("bob", "$other")), StatusCode::kAlreadyExists);
  ASSERT_OK(store().DeleteUser("bob", "cli", kT0 + hours(1)));
  EXPECT_EQ(CODE_OF(store().GetUser("bob")), StatusCode::kNotFound);
  EXPECT_EQ(store().DeleteUser("bob", "cli", kT0).code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(users, store().ListUsers());
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(Events(), (std::vector<std::string>{"user.create cli bob", "user.create cli alice",
                                                "user.delete cli bob"}));
}

TEST_P(StoreAccountsTest, RejectsBadUsersWithoutWriting) {
  for (const std::string& name :
       {std::string(""), std::string("Bob"), std::string(".bob"), std::string("bo b"),
        std::string("bob/x"), std::string(65, 'a'), std::string("b\xc3\xa9")}) {
    EXPECT_EQ(CODE_OF(AddUser(name)), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(CODE_OF(store().GetUser(name)), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(CODE_OF(AddUser("bob", "")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(AddUser("bob", "has space")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(AddUser("bob", std::string(257, 'h'))), StatusCode::kInvalidArgument);
  // The longest name and the odd characters are accepted.
  EXPECT_OK(AddUser(std::string(64, 'a')));
  EXPECT_OK(AddUser("0.b_c-d"));
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> users, store().ListUsers());
  EXPECT_EQ(users.size(), 2u);
}

TEST_P(StoreAccountsTest, SessionsAreFoundUntilTheyExpire) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK_AND_ASSIGN(SessionRecord created, store().CreateSession(SessionFor("bob", "s1"), kT0));
  EXPECT_EQ(created.secret_hash, "sh-s1");
  EXPECT_EQ(created.user, "bob");
  EXPECT_EQ(created.csrf_token, "csrf-s1");
  EXPECT_EQ(created.created_at, kT0);
  EXPECT_EQ(created.expires_at, kT0 + hours(12));
  EXPECT_EQ(created.last_used_at, kT0);

  ASSERT_OK_AND_ASSIGN(SessionRecord found, store().FindSession("sh-s1", kT0 + hours(11)));
  EXPECT_EQ(found.user, "bob");
  EXPECT_EQ(found.csrf_token, "csrf-s1");
  // Expired from expires_at on; unknown looks the same.
  EXPECT_OK(store().FindSession("sh-s1", kT0 + hours(12) - seconds(1)));
  EXPECT_EQ(CODE_OF(store().FindSession("sh-s1", kT0 + hours(12))), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().FindSession("sh-nope", kT0)), StatusCode::kUnauthenticated);
  EXPECT_EQ(store().FindSession("sh-s1", kT0 + hours(13)).status().message(),
            store().FindSession("sh-nope", kT0).status().message());
  EXPECT_EQ(Events(), (std::vector<std::string>{"user.create cli bob", "user.login user:bob bob"}));
}

TEST_P(StoreAccountsTest, TouchMovesLastUsedForwardOnly) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "s1"), kT0));
  ASSERT_OK(store().TouchSession("sh-s1", kT0 + minutes(10)));
  ASSERT_OK(store().TouchSession("sh-s1", kT0 + minutes(5)));
  ASSERT_OK_AND_ASSIGN(SessionRecord s, store().FindSession("sh-s1", kT0 + minutes(11)));
  EXPECT_EQ(s.last_used_at, kT0 + minutes(10));
  EXPECT_EQ(s.expires_at, kT0 + hours(12));  // absolute: touching does not extend it
  EXPECT_EQ(store().TouchSession("sh-nope", kT0).code(), StatusCode::kUnauthenticated);
}

TEST_P(StoreAccountsTest, RefusesSessionsForUnknownUsersOrBadInput) {
  ASSERT_OK(AddUser("bob"));
  EXPECT_EQ(CODE_OF(store().CreateSession(SessionFor("carol", "s1"), kT0)), StatusCode::kNotFound);
  std::vector<std::function<void(NewSession&)>> breakers = {
      [](NewSession& s) { s.secret_hash = ""; },
      [](NewSession& s) { s.secret_hash = "a b"; },
      [](NewSession& s) { s.user = "Bob"; },
      [](NewSession& s) { s.csrf_token = ""; },
      [](NewSession& s) { s.client = std::string(257, 'c'); },
      [](NewSession& s) { s.expires_at = kT0; },
      [](NewSession& s) { s.expires_at = kT0 - hours(1); },
  };
  for (size_t i = 0; i < breakers.size(); ++i) {
    NewSession s = SessionFor("bob", "s" + std::to_string(i));
    breakers[i](s);
    EXPECT_EQ(CODE_OF(store().CreateSession(s, kT0)), StatusCode::kInvalidArgument) << i;
  }
  ASSERT_OK(store().CreateSession(SessionFor("bob", "dup"), kT0));
  EXPECT_EQ(CODE_OF(store().CreateSession(SessionFor("bob", "dup"), kT0)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CODE_OF(store().FindSession("", kT0)), StatusCode::kInvalidArgument);
  // Only the one good session was recorded.
  EXPECT_EQ(Events(), (std::vector<std::string>{"user.create cli bob", "user.login user:bob bob"}));
}

TEST_P(StoreAccountsTest, DeleteSessionEndsOnlyThatSession) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "s1"), kT0));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "s2"), kT0));
  ASSERT_OK(store().DeleteSession("sh-s1", kT0 + minutes(1)));
  EXPECT_EQ(CODE_OF(store().FindSession("sh-s1", kT0 + minutes(2))), StatusCode::kUnauthenticated);
  EXPECT_OK(store().FindSession("sh-s2", kT0 + minutes(2)));
  EXPECT_EQ(store().DeleteSession("sh-s1", kT0).code(), StatusCode::kUnauthenticated);
  std::vector<std::string> events = Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "user.logout user:bob bob");
}

TEST_P(StoreAccountsTest, DeleteSessionsOfUserLeavesOtherUsers) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK(AddUser("alice"));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "b1"), kT0));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "b2"), kT0));
  ASSERT_OK(store().CreateSession(SessionFor("alice", "a1"), kT0));
  ASSERT_OK_AND_ASSIGN(int64_t ended, store().DeleteSessionsOfUser("bob"));
  EXPECT_EQ(ended, 2);
  EXPECT_EQ(CODE_OF(store().FindSession("sh-b1", kT0)), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().FindSession("sh-b2", kT0)), StatusCode::kUnauthenticated);
  EXPECT_OK(store().FindSession("sh-a1", kT0));
  ASSERT_OK_AND_ASSIGN(ended, store().DeleteSessionsOfUser("nobody"));
  EXPECT_EQ(ended, 0);
}

TEST_P(StoreAccountsTest, SetPasswordEndsTheUsersSessions) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK(AddUser("alice"));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "b1"), kT0));
  ASSERT_OK(store().CreateSession(SessionFor("alice", "a1"), kT0));
  ASSERT_OK(store().SetUserPassword("bob", "$argon2id$new", "cli", kT0 + hours(2)));
  ASSERT_OK_AND_ASSIGN(UserRecord bob, store().GetUser("bob"));
  EXPECT_EQ(bob.password_hash, "$argon2id$new");
  EXPECT_EQ(bob.created_at, kT0);
  EXPECT_EQ(bob.password_changed_at, kT0 + hours(2));
  EXPECT_EQ(CODE_OF(store().FindSession("sh-b1", kT0 + hours(2))), StatusCode::kUnauthenticated);
  EXPECT_OK(store().FindSession("sh-a1", kT0 + hours(2)));
  EXPECT_EQ(store().SetUserPassword("carol", "$x", "cli", kT0).code(), StatusCode::kNotFound);
  EXPECT_EQ(store().SetUserPassword("bob", "", "cli", kT0).code(), StatusCode::kInvalidArgument);
  std::vector<std::string> events = Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "user.password cli bob");
}

TEST_P(StoreAccountsTest, DeleteUserEndsTheirSessions) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "b1"), kT0));
  ASSERT_OK(store().DeleteUser("bob", "cli", kT0));
  EXPECT_EQ(CODE_OF(store().FindSession("sh-b1", kT0)), StatusCode::kUnauthenticated);
  // A new user with the same name does not inherit the old session.
  ASSERT_OK(AddUser("bob"));
  EXPECT_EQ(CODE_OF(store().FindSession("sh-b1", kT0)), StatusCode::kUnauthenticated);
}

TEST_P(StoreAccountsTest, CreatingASessionDropsExpiredOnes) {
  ASSERT_OK(AddUser("bob"));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "old", kT0 + hours(1)), kT0));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "live", kT0 + hours(20)), kT0));
  ASSERT_OK(store().CreateSession(SessionFor("bob", "new"), kT0 + hours(2)));
  // The expired one is gone for good (touching it fails), the live one stays.
  EXPECT_EQ(store().TouchSession("sh-old", kT0).code(), StatusCode::kUnauthenticated);
  EXPECT_OK(store().TouchSession("sh-live", kT0 + hours(2)));
  ASSERT_OK_AND_ASSIGN(int64_t ended, store().DeleteSessionsOfUser("bob"));
  EXPECT_EQ(ended, 2);
}

// ---- Fleet counts ----

TEST_P(StoreAccountsTest, CountsFleetByStatusStalenessAndExpiry) {
  ASSERT_OK(store().CreateEnrollmentToken(TokenFor("tok", 100), kT0));
  // Device n: certificate valid [kT0, kT0 + (n + 1) days); devices 0-3 seen at kT0 + n h.
  for (int n = 0; n < 10; ++n) {
    ASSERT_OK(store().EnrollDevice(
        "hash-tok", DeviceFor(n),
        CertFor("c" + std::to_string(n), DeviceIdFor(n), kT0, hours(24 * (n + 1))), "", kT0));
    if (n < 4) ASSERT_OK(store().TouchLastSeen(DeviceIdFor(n), kT0 + hours(n), {}));
  }
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(8), RevocationReason::kUnspecified, "cli", kT0));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(9), "cli", kT0));

  FleetCountsQuery query;
  query.seen_before = kT0 + hours(2);  // devices 0 and 1 are stale, 2 and 3 not; 4-7 never seen
  query.expiry_ranges = {
      {kT0, kT0 + hours(24) + seconds(1)},                  // device 0 (not_after = kT0 + 24 h)
      {kT0 + hours(24) + seconds(1), kT0 + hours(24 * 5)},  // devices 1-3
      {kT0 + hours(24 * 5), kT0 + hours(24 * 30)},          // 4-7 (8 revoked, 9 deleted)
      {kT0 - hours(24), kT0},                               // none
  };
  ASSERT_OK_AND_ASSIGN(FleetCounts counts, store().CountFleet(query));
  EXPECT_EQ(counts.by_status.active, 8);
  EXPECT_EQ(counts.by_status.revoked, 1);
  EXPECT_EQ(counts.by_status.deleted, 1);
  EXPECT_EQ(counts.stale, 2 + 4);
  EXPECT_EQ(counts.expiring, (std::vector<int64_t>{1, 3, 4, 0}));

  // Ranges may nest and overlap (the overview's 24 h, 7 days and histogram do).
  query.expiry_ranges = {
      {kT0, kT0 + hours(24 * 30)},                      // devices 0-7
      {kT0, kT0 + hours(24) + seconds(1)},              // 0
      {kT0 + hours(24), kT0 + hours(24 * 5)},           // 0-3
      {kT0 + hours(24 * 2), kT0 + hours(24 * 6)},       // 1-4
      {kT0 + hours(24), kT0 + hours(24) + seconds(1)},  // 0
      {FromUnixSeconds(0), kT0 + hours(24 * 365)},      // 0-7
  };
  ASSERT_OK_AND_ASSIGN(counts, store().CountFleet(query));
  EXPECT_EQ(counts.expiring, (std::vector<int64_t>{8, 1, 4, 4, 1, 8}));
  EXPECT_EQ(counts.by_status.active, 8);

  // No ranges is fine; bad ranges are refused.
  query.expiry_ranges.clear();
  ASSERT_OK_AND_ASSIGN(counts, store().CountFleet(query));
  EXPECT_TRUE(counts.expiring.empty());
  query.expiry_ranges = {{kT0, kT0}};
  EXPECT_EQ(CODE_OF(store().CountFleet(query)), StatusCode::kInvalidArgument);
  query.expiry_ranges.assign(kMaxFleetRanges + 1, TimeRange{kT0, kT0 + hours(1)});
  EXPECT_EQ(CODE_OF(store().CountFleet(query)), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wott::store
