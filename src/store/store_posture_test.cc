// Conformance tests for device posture (issue 7), run against every Store backend.
#include <string>
#include <vector>

#include "store/backend_test_fixture.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

StatusCode CodeOf(const Status& s) { return s.code(); }
template <typename T>
StatusCode CodeOf(const Result<T>& r) {
  return r.status().code();
}

class StorePostureTest : public EveryBackendTest {
 protected:
  void SetUp() override {
    EveryBackendTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK(store().CreateEnrollmentToken(TokenFor("tok", 10), kT0));
    for (int n : {1, 2, 3}) {
      ASSERT_OK(store().EnrollDevice("hash-tok", DeviceFor(n),
                                     CertFor("0" + std::to_string(n), DeviceIdFor(n)), "", kT0));
    }
  }

  static InventorySnapshot Inventory(char hash, TimePoint at = kT0) {
    InventorySnapshot i;
    i.packages_hash = std::string(64, hash);
    i.os_id = "debian";
    i.codename = "bookworm";
    i.package_count = 1;
    i.packages_json = R"([{"name":"libssl3"}])";
    i.reported_at = at;
    return i;
  }

  static PostureUpdate Score(int score, TimePoint at) {
    PostureUpdate u;
    u.score = TrustScoreSnapshot{score, R"([{"factor":"firewall"}])", at};
    return u;
  }

  std::vector<int> History(int n, int limit = 100) {
    std::vector<int> out;
    Result<std::vector<TrustScorePoint>> rows = store().ListTrustScores(DeviceIdFor(n), limit);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (const TrustScorePoint& p : *rows) out.push_back(p.score);
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StorePostureTest,
                         ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(StorePostureTest, PartsAreRecordedSeparatelyAndKept) {
  const std::string id = DeviceIdFor(1);
  EXPECT_EQ(CodeOf(store().GetPosture(id, true)), StatusCode::kNotFound);

  PostureUpdate host;
  host.host_audit_json = R"({"firewall":{"state":"yes"}})";
  ASSERT_OK(store().UpdatePosture(id, host, kT0));
  PostureUpdate inventory;
  inventory.inventory = Inventory('a', kT0 + seconds(1));
  ASSERT_OK(store().UpdatePosture(id, inventory, kT0 + seconds(1)));
  PostureUpdate findings;
  findings.findings = FindingsSnapshot{std::string(64, 'a'), "gen-1", "[]", kT0 + seconds(2)};
  ASSERT_OK(store().UpdatePosture(id, findings, kT0 + seconds(2)));
  ASSERT_OK(store().UpdatePosture(id, Score(73, kT0 + seconds(3)), kT0 + seconds(3)));

  ASSERT_OK_AND_ASSIGN(DevicePosture p, store().GetPosture(id, true));
  EXPECT_EQ(p.device_id, id);
  EXPECT_EQ(p.host_audit_json, R"({"firewall":{"state":"yes"}})");
  EXPECT_EQ(p.host_audit_at, kT0);
  ASSERT_TRUE(p.inventory.has_value());
  EXPECT_EQ(p.inventory->packages_hash, std::string(64, 'a'));
  EXPECT_EQ(p.inventory->codename, "bookworm");
  EXPECT_EQ(p.inventory->package_count, 1);
  EXPECT_EQ(p.inventory->packages_json, R"([{"name":"libssl3"}])");
  EXPECT_EQ(p.inventory->reported_at, kT0 + seconds(1));
  ASSERT_TRUE(p.findings.has_value());
  EXPECT_EQ(p.findings->vulndb_generation, "gen-1");
  EXPECT_EQ(p.findings->findings_json, "[]");
  ASSERT_TRUE(p.score.has_value());
  EXPECT_EQ(p.score->score, 73);
  EXPECT_EQ(p.score->factors_json, R"([{"factor":"firewall"}])");

  // Without packages; a new inventory replaces only the inventory.
  ASSERT_OK_AND_ASSIGN(DevicePosture light, store().GetPosture(id, false));
  EXPECT_EQ(light.inventory->packages_json, "");
  inventory.inventory = Inventory('b', kT0 + seconds(9));
  ASSERT_OK(store().UpdatePosture(id, inventory, kT0 + seconds(9)));
  ASSERT_OK_AND_ASSIGN(DevicePosture after, store().GetPosture(id, true));
  EXPECT_EQ(after.inventory->packages_hash, std::string(64, 'b'));
  EXPECT_EQ(after.findings->inventory_hash, std::string(64, 'a'));  // stale until recomputed
  EXPECT_EQ(after.host_audit_json, p.host_audit_json);
  EXPECT_EQ(after.score->score, 73);
}

TEST_P(StorePostureTest, RefusesBadInputWithoutWriting) {
  const std::string id = DeviceIdFor(1);
  EXPECT_EQ(CodeOf(store().UpdatePosture(id, PostureUpdate{}, kT0)), StatusCode::kInvalidArgument);
  PostureUpdate bad_hash;
  bad_hash.inventory = Inventory('a');
  bad_hash.inventory->packages_hash = "ABC";
  EXPECT_EQ(CodeOf(store().UpdatePosture(id, bad_hash, kT0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().UpdatePosture(id, Score(101, kT0), kT0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().UpdatePosture(id, Score(-1, kT0), kT0)), StatusCode::kInvalidArgument);
  PostureUpdate long_codename;
  long_codename.inventory = Inventory('a');
  long_codename.inventory->codename = std::string(257, 'x');
  EXPECT_EQ(CodeOf(store().UpdatePosture(id, long_codename, kT0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().GetPosture(id, true)), StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().UpdatePosture(DeviceIdFor(9), Score(50, kT0), kT0)),
            StatusCode::kNotFound);
  EXPECT_EQ(CodeOf(store().UpdatePosture("nope", Score(50, kT0), kT0)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().ListPostures({"nope"})), StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeOf(store().ListTrustScores(id, 0)), StatusCode::kInvalidArgument);
}

TEST_P(StorePostureTest, HistoryGetsARowWhenTheScoreChangesOrADayPassed) {
  const std::string id = DeviceIdFor(1);
  EXPECT_EQ(History(1), std::vector<int>{});
  ASSERT_OK(store().UpdatePosture(id, Score(70, kT0), kT0));
  ASSERT_OK(store().UpdatePosture(id, Score(70, kT0 + hours(1)), kT0 + hours(1)));
  EXPECT_EQ(History(1), std::vector<int>({70}));
  ASSERT_OK(store().UpdatePosture(id, Score(60, kT0 + hours(2)), kT0 + hours(2)));
  ASSERT_OK(store().UpdatePosture(id, Score(60, kT0 + hours(25)), kT0 + hours(25)));
  ASSERT_OK(store().UpdatePosture(id, Score(60, kT0 + hours(26)), kT0 + hours(26)));
  ASSERT_OK(store().UpdatePosture(id, Score(90, kT0 + hours(27)), kT0 + hours(27)));
  EXPECT_EQ(History(1), std::vector<int>({70, 60, 60, 90}));
  EXPECT_EQ(History(1, 2), std::vector<int>({60, 90}));  // the newest two, oldest first
  Result<std::vector<TrustScorePoint>> rows = store().ListTrustScores(id, 10);
  ASSERT_OK(rows);
  EXPECT_EQ(rows->front().at, kT0);
  EXPECT_EQ(rows->back().at, kT0 + hours(27));
  // Two changes in one second keep one row, with the last score.
  ASSERT_OK(store().UpdatePosture(id, Score(10, kT0 + hours(28)), kT0 + hours(28)));
  ASSERT_OK(store().UpdatePosture(id, Score(20, kT0 + hours(28)), kT0 + hours(28)));
  EXPECT_EQ(History(1, 2), std::vector<int>({90, 20}));
  EXPECT_EQ(History(2), std::vector<int>{});
}

TEST_P(StorePostureTest, ListsActiveDevicesOnlyWithoutPackages) {
  for (int n : {1, 2, 3}) {
    PostureUpdate u;
    u.inventory = Inventory('c');
    ASSERT_OK(store().UpdatePosture(DeviceIdFor(n), u, kT0));
  }
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(2), RevocationReason::kKeyCompromise, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(std::vector<DevicePosture> all, store().ListPostures({}));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].device_id, DeviceIdFor(1));
  EXPECT_EQ(all[1].device_id, DeviceIdFor(3));
  EXPECT_EQ(all[0].inventory->packages_json, "");
  EXPECT_EQ(all[0].inventory->package_count, 1);
  ASSERT_OK_AND_ASSIGN(std::vector<DevicePosture> some,
                       store().ListPostures({DeviceIdFor(3), DeviceIdFor(2), DeviceIdFor(7)}));
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].device_id, DeviceIdFor(3));
  // The revoked device's posture is still there for its own view.
  EXPECT_OK(store().GetPosture(DeviceIdFor(2), false));
}

TEST_P(StorePostureTest, PoliciesKeepTheirPostureRequirements) {
  NewPolicy policy;
  policy.name = "web";
  policy.allow_tags = {"env=prod"};
  policy.min_trust_score = 60;
  policy.deny_fixable_severity = "high";
  ASSERT_OK(store().PutPolicy(policy, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(PolicyRecord stored, store().GetPolicy("web"));
  EXPECT_EQ(stored.min_trust_score, 60);
  EXPECT_EQ(stored.deny_fixable_severity, "high");
  ASSERT_OK_AND_ASSIGN(ResolvedPolicy resolved, store().ResolvePolicy("web"));
  EXPECT_EQ(resolved.policy.min_trust_score, 60);
  // Replaced without requirements: they are gone.
  policy.min_trust_score.reset();
  policy.deny_fixable_severity.clear();
  ASSERT_OK(store().PutPolicy(policy, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(stored, store().GetPolicy("web"));
  EXPECT_EQ(stored.min_trust_score, std::nullopt);
  EXPECT_EQ(stored.deny_fixable_severity, "");
  // Out-of-range values are refused and change nothing.
  policy.min_trust_score = 101;
  EXPECT_EQ(CodeOf(store().PutPolicy(policy, "cli", kT0)), StatusCode::kInvalidArgument);
  policy.min_trust_score = -1;
  EXPECT_EQ(CodeOf(store().PutPolicy(policy, "cli", kT0)), StatusCode::kInvalidArgument);
  policy.min_trust_score.reset();
  policy.deny_fixable_severity = "low";
  EXPECT_EQ(CodeOf(store().PutPolicy(policy, "cli", kT0)), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(stored, store().GetPolicy("web"));
  EXPECT_EQ(stored.version, 2);
}

}  // namespace
}  // namespace wott::store
