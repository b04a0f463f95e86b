// The device list's plan choices, and that SQLite follows the SQL written for each choice on
// a registry without statistics (as the server's is: it never runs ANALYZE).
#include "store/sqlite/device_list_plan.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store::sqlite {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

PageRequest FirstPage() { return {0, 50}; }

// ---- Choices ----

TEST(DeviceListPlanTest, CountStartsFromTheSmallestCondition) {
  FilterSizes sizes;
  sizes.rows = 100000;
  sizes.status = 2000;
  sizes.tags = {kFilterSizeCap, 40};
  EXPECT_EQ(CountDriver(sizes).kind, ListDriver::kTag);
  EXPECT_EQ(CountDriver(sizes).tag, 1u);
  sizes.tags = {kFilterSizeCap};
  EXPECT_EQ(CountDriver(sizes).kind, ListDriver::kStatus);
  sizes.prefix = 300;
  EXPECT_EQ(CountDriver(sizes).kind, ListDriver::kPrefix);
}

TEST(DeviceListPlanTest, EqualSizesPreferATagThenThePrefixThenTheStatus) {
  FilterSizes sizes;
  sizes.rows = 100000;
  sizes.status = kFilterSizeCap;
  sizes.prefix = kFilterSizeCap;
  EXPECT_EQ(CountDriver(sizes).kind, ListDriver::kPrefix);
  sizes.tags = {kFilterSizeCap};
  EXPECT_EQ(CountDriver(sizes).kind, ListDriver::kTag);
}

TEST(DeviceListPlanTest, NoConditionWalksTheSortOrder) {
  FilterSizes sizes;
  sizes.rows = 100000;
  const ListDriver driver = CountDriver(sizes);
  EXPECT_EQ(driver.kind, ListDriver::kSortOrder);
  EXPECT_EQ(PageDriver(sizes, {}, FirstPage(), driver, 100000).kind, ListDriver::kSortOrder);
}

TEST(DeviceListPlanTest, ManyMatchesWalkFewMatchesSort) {
  FilterSizes sizes;
  sizes.rows = 100000;
  sizes.tags = {kFilterSizeCap};
  const ListDriver tag{ListDriver::kTag, 0};
  const DeviceSort by_name{DeviceSortField::kName, false};
  // 14,000 matches: a page of 50 after ~360 entries of the sort order.
  EXPECT_EQ(PageDriver(sizes, by_name, FirstPage(), tag, 14000).kind, ListDriver::kSortOrder);
  // ... but not a page deep in them.
  EXPECT_EQ(PageDriver(sizes, by_name, {13000, 50}, tag, 14000).kind, ListDriver::kTag);
  // 100 matches: the walk would read half the fleet.
  sizes.tags = {100};
  EXPECT_EQ(PageDriver(sizes, by_name, FirstPage(), tag, 100).kind, ListDriver::kTag);
  EXPECT_EQ(PageDriver(sizes, by_name, FirstPage(), tag, 0).kind, ListDriver::kTag);
}

TEST(DeviceListPlanTest, ADeepPageOfACommonStatusStillWalks) {
  FilterSizes sizes;
  sizes.rows = 100000;
  sizes.status = kFilterSizeCap;  // 98,000 in fact
  const ListDriver status{ListDriver::kStatus};
  // Sorting 98,000 matches costs more than walking 92,000 entries of the name index.
  EXPECT_EQ(PageDriver(sizes, {DeviceSortField::kName, false}, {90000, 50}, status, 98000).kind,
            ListDriver::kSortOrder);
}

TEST(DeviceListPlanTest, ARareStatusWalksOnlyItsOwnDevicesInCreationOrder) {
  FilterSizes sizes;
  sizes.rows = 100000;
  sizes.status = 2000;
  sizes.tags = {kFilterSizeCap};
  const ListDriver status{ListDriver::kStatus};
  // 1,000 of the 2,000 revoked devices match: in creation order (devices_status starts with
  // the status) a page needs ~100 entries; in another order the walk reads all devices.
  EXPECT_EQ(PageDriver(sizes, {DeviceSortField::kCreatedAt, true}, FirstPage(), status, 1000).kind,
            ListDriver::kSortOrder);
  EXPECT_EQ(PageDriver(sizes, {DeviceSortField::kName, false}, FirstPage(), status, 1000).kind,
            ListDriver::kStatus);
  EXPECT_EQ(
      PageDriver(sizes, {DeviceSortField::kCertificateExpiry, false}, FirstPage(), status, 1000)
          .kind,
      ListDriver::kStatus);
}

// ---- SQL and SQLite's plan for it ----

class DeviceListSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = (dir_.path() / "registry.db").string();
    ASSERT_OK(OpenStore("sqlite:" + path));  // creates and migrates the file
    ASSERT_OK_AND_ASSIGN(db_, Connection::Open(path, 1000));
  }

  // SQLite's EXPLAIN QUERY PLAN lines for a page of `filter` under `driver` (all columns,
  // as ListDevices reads them), one string.
  std::string Plan(const DeviceFilter& filter, ListDriver driver, DeviceSortField sort) {
    const std::string sql = "EXPLAIN QUERY PLAN SELECT d.*" + FromWhereSql(filter, driver, sort) +
                            OrderSql({sort, false}) + " LIMIT 50";
    Result<Statement> stmt = db_->PrepareUncached(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status() << "\n" << sql;
    if (!stmt.ok()) return "";
    BindFilter(*stmt, filter);
    std::string plan;
    while (true) {
      Result<bool> row = stmt->Step();
      EXPECT_TRUE(row.ok()) << row.status();
      if (!row.ok() || !*row) return plan;
      plan += stmt->Text(3) + "\n";
    }
  }

  static DeviceFilter ActiveSite3WithPrefix() {
    DeviceFilter filter;
    filter.status = DeviceStatus::kActive;
    filter.tags = {{"site", std::string("site-3")}};
    filter.prefix = "00ab";
    return filter;
  }

  TempDir dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(DeviceListSqlTest, TheWalkUsesOnlyTheSortOrdersIndex) {
  const DeviceFilter filter = ActiveSite3WithPrefix();
  const std::string by_last_seen = Plan(filter, {}, DeviceSortField::kLastSeen);
  EXPECT_NE(by_last_seen.find("SCAN d USING INDEX devices_last_seen"), std::string::npos)
      << by_last_seen;
  EXPECT_EQ(by_last_seen.find("TEMP B-TREE"), std::string::npos) << by_last_seen;
  const std::string by_expiry = Plan(filter, {}, DeviceSortField::kCertificateExpiry);
  EXPECT_NE(by_expiry.find("devices_cert_not_after"), std::string::npos) << by_expiry;
  EXPECT_EQ(by_expiry.find("TEMP B-TREE"), std::string::npos) << by_expiry;
  // In creation order the status index is the sort order's index.
  const std::string by_created = Plan(filter, {}, DeviceSortField::kCreatedAt);
  EXPECT_NE(by_created.find("devices_status (status=?)"), std::string::npos) << by_created;
  EXPECT_EQ(by_created.find("TEMP B-TREE"), std::string::npos) << by_created;
  const std::string by_name = Plan(filter, {}, DeviceSortField::kName);
  EXPECT_NE(by_name.find("SCAN d USING INDEX devices_name"), std::string::npos) << by_name;
  EXPECT_EQ(by_name.find("TEMP B-TREE"), std::string::npos) << by_name;
}

TEST_F(DeviceListSqlTest, EachDriverIsWhereSqliteStarts) {
  const DeviceFilter filter = ActiveSite3WithPrefix();
  const std::string tag = Plan(filter, {ListDriver::kTag, 0}, DeviceSortField::kName);
  EXPECT_EQ(tag.find("SEARCH g0 USING COVERING INDEX device_tags_key_value"), 0u) << tag;
  EXPECT_NE(tag.find("devices_id_status (id=? AND status=?)"), std::string::npos) << tag;

  const std::string prefix = Plan(filter, {ListDriver::kPrefix}, DeviceSortField::kName);
  EXPECT_NE(prefix.find("MULTI-INDEX OR"), std::string::npos) << prefix;
  EXPECT_EQ(prefix.find("(status=?)"), std::string::npos) << prefix;

  const std::string status =
      Plan(filter, {ListDriver::kStatus}, DeviceSortField::kCertificateExpiry);
  EXPECT_NE(status.find("(status=?)"), std::string::npos) << status;
  EXPECT_EQ(status.find("SCAN"), std::string::npos) << status;
}

}  // namespace
}  // namespace wott::store::sqlite
