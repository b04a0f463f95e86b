#include "base/encoding.h"

#include <gtest/gtest.h>

namespace wott {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(HexTest, EncodesLowercaseAndColons) {
  const uint8_t bytes[] = {0x00, 0xab, 0x1f};
  EXPECT_EQ(HexEncode(bytes), "00ab1f");
  EXPECT_EQ(HexEncodeColons(bytes), "00:AB:1F");
  EXPECT_EQ(HexEncode(std::string_view("\xff", 1)), "ff");
}

TEST(DurationTest, ParsesUnitsAndSums) {
  EXPECT_EQ(*ParseDuration("90s"), seconds(90));
  EXPECT_EQ(*ParseDuration("15m"), minutes(15));
  EXPECT_EQ(*ParseDuration("24h"), hours(24));
  EXPECT_EQ(*ParseDuration("7d"), hours(168));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
}

TEST(DurationTest, RejectsMalformed) {
  for (const char* bad : {"", "24", "h", "-1h", "1x", "1h 2m", "0s", "99999999999d", "1.5h"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(DurationTest, FormatsLargestUnit) {
  EXPECT_EQ(FormatDuration(hours(168)), "7d");
  EXPECT_EQ(FormatDuration(hours(36)), "36h");
  EXPECT_EQ(FormatDuration(seconds(90)), "90s");
}

TEST(Rfc3339Test, RoundTrips) {
  TimePoint t = std::chrono::system_clock::from_time_t(1795770967);  // 2026-11-27T09:16:07Z
  EXPECT_EQ(FormatRfc3339(t), "2026-11-27T09:16:07Z");
  EXPECT_EQ(*ParseRfc3339("2026-11-27T09:16:07Z"), t);
  EXPECT_EQ(*ParseRfc3339("2026-11-27T09:16:07+00:00"), t);
}

TEST(Rfc3339Test, RejectsMalformed) {
  EXPECT_FALSE(ParseRfc3339("2026-11-27 08:36:07").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-27T09:16:07Zjunk").ok());
  EXPECT_FALSE(ParseRfc3339("").ok());
}

}  // namespace
}  // namespace wott
