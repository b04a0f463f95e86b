// The operator-input parsers the admin API and the CLI share.
#include "server/admin_query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wott::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

const std::string kHex = "4853b630822946019393b16c5b710b9e";

TEST(AdminQueryTest, DeviceHexOfAcceptsHexAndFullNames) {
  EXPECT_EQ(*DeviceHexOf(kHex), kHex);
  EXPECT_EQ(*DeviceHexOf(kHex + ".d.wott.local"), kHex);
  EXPECT_EQ(*DeviceHexOf(kHex + ".d.example.org"), kHex);
}

TEST(AdminQueryTest, DeviceHexOfRefusesEverythingElse) {
  for (std::string bad : {std::string(), std::string("xyz"), kHex.substr(1), kHex + "0",
                          kHex + ".d.", kHex + ".x.wott.local", std::string(32, 'A'), " " + kHex,
                          kHex + " ", std::string(32, 'g')}) {
    EXPECT_EQ(DeviceHexOf(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(AdminQueryTest, FindDeviceChecksTheFullNameAgainstTheRegistry) {
  std::unique_ptr<store::Store> store = std::move(*store::OpenStore("memory:"));
  EXPECT_EQ(FindDevice(*store, kHex).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FindDevice(*store, "nope").status().code(), StatusCode::kInvalidArgument);
}

TEST(AdminQueryTest, TagFilters) {
  store::TagMatch key_only = *ParseTagFilter("site");
  EXPECT_EQ(key_only.key, "site");
  EXPECT_FALSE(key_only.value.has_value());
  store::TagMatch with_value = *ParseTagFilter("site=a=b");
  EXPECT_EQ(with_value.key, "site");
  EXPECT_EQ(with_value.value, "a=b");
  EXPECT_EQ(*ParseTagFilter("site=")->value, "");
  EXPECT_FALSE(ParseTagFilter("").ok());
  EXPECT_FALSE(ParseTagFilter("=x").ok());
}

TEST(AdminQueryTest, SortAndOrder) {
  EXPECT_EQ(*ParseSortField("expiry"), store::DeviceSortField::kCertificateExpiry);
  EXPECT_EQ(*ParseSortField("last_seen"), store::DeviceSortField::kLastSeen);
  EXPECT_FALSE(ParseSortField("Name").ok());
  EXPECT_FALSE(ParseSortField("").ok());
  EXPECT_TRUE(DefaultDescending(store::DeviceSortField::kCreatedAt));
  EXPECT_FALSE(DefaultDescending(store::DeviceSortField::kName));
  EXPECT_TRUE(*ParseSortOrder("desc"));
  EXPECT_FALSE(*ParseSortOrder("asc"));
  EXPECT_FALSE(ParseSortOrder("DESC").ok());
}

TEST(AdminQueryTest, CountsAndLimits) {
  EXPECT_EQ(*ParseCount("offset", "0"), 0);
  EXPECT_EQ(*ParseCount("offset", "999999999999999999"), 999999999999999999);
  for (const char* bad : {"", "-1", "+1", "1.0", " 1", "0x10", "9999999999999999999"}) {
    Result<int64_t> r = ParseCount("offset", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(r.status().message(), HasSubstr("offset"));
  }
  EXPECT_EQ(*ParseLimit("limit", "1"), 1);
  EXPECT_EQ(*ParseLimit("limit", "1000"), 1000);
  EXPECT_FALSE(ParseLimit("limit", "0").ok());
  EXPECT_FALSE(ParseLimit("limit", "1001").ok());
}

TEST(AdminQueryTest, QueryStringsAreSplitAndDecoded) {
  EXPECT_THAT(*ParseQuery(""), ElementsAre());
  EXPECT_THAT(*ParseQuery("a=1&&b=x+y&c&tag=k%3Dv"),
              ElementsAre(Pair("a", "1"), Pair("b", "x y"), Pair("c", ""), Pair("tag", "k=v")));
  EXPECT_FALSE(ParseQuery("a=%zz").ok());
  EXPECT_FALSE(ParseQuery("a=%00").ok());
  std::string many;
  for (int i = 0; i < 65; ++i) many += "a=1&";
  EXPECT_THAT(ParseQuery(many).status().message(), HasSubstr("too many"));
}

TEST(AdminQueryTest, QueryNamesAreCheckedAgainstTheAllowedOnes) {
  EXPECT_TRUE(CheckQueryNames(*ParseQuery("tag=a&tag=b&limit=1"), {"tag", "limit"}, {"tag"}).ok());
  EXPECT_THAT(CheckQueryNames(*ParseQuery("limit=1&limit=2"), {"limit"}).message(),
              HasSubstr("more than once"));
  EXPECT_THAT(CheckQueryNames(*ParseQuery("color=red"), {"limit"}).message(), HasSubstr("'color'"));
}

TEST(AdminQueryTest, JsonFieldsAndStringMaps) {
  nlohmann::json body = {{"tags", {{"a", "1"}}}, {"n", 5}};
  EXPECT_TRUE(CheckJsonFields(body, {"tags", "n"}).ok());
  EXPECT_THAT(CheckJsonFields(body, {"tags"}).message(), HasSubstr("'n'"));
  EXPECT_EQ(*StringMapField(body, "tags", true), (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_TRUE(StringMapField(body, "absent", false)->empty());
  EXPECT_FALSE(StringMapField(body, "absent", true).ok());
  EXPECT_FALSE(StringMapField(body, "n", false).ok());
  EXPECT_FALSE(StringMapField({{"tags", {{"a", 1}}}}, "tags", false).ok());
}

}  // namespace
}  // namespace wott::server
