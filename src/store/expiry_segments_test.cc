#include "store/expiry_segments.h"

#include <gtest/gtest.h>

#include <limits>

namespace wott::store {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TimeRange Range(int64_t from, int64_t until) {
  return {FromUnixSeconds(from), FromUnixSeconds(until)};
}

TEST(ExpirySegmentsTest, CutsOverlappingRangesAtEveryEnd) {
  const ExpirySegments segments({Range(10, 30), Range(20, 40), Range(10, 20)});
  using Segment = std::pair<int64_t, int64_t>;
  EXPECT_EQ(segments.segments(),
            (std::vector<Segment>{{kMin, 10}, {10, 20}, {20, 30}, {30, 40}, {40, kMax}}));
  // Counts per segment: 1 before 10, 2 in [10, 20), 4 in [20, 30), 8 in [30, 40), 16 after.
  const std::vector<int64_t> counts = {1, 2, 4, 8, 16};
  EXPECT_EQ(segments.RangeCounts(counts), (std::vector<int64_t>{2 + 4, 4 + 8, 2}));
  EXPECT_EQ(ExpirySegments::Total(counts), 31);
}

TEST(ExpirySegmentsTest, NoRangesIsOneSegmentOverAllTime) {
  const ExpirySegments segments({});
  EXPECT_EQ(segments.segments().size(), 1u);
  EXPECT_EQ(segments.segments()[0], std::make_pair(kMin, kMax));
  EXPECT_TRUE(segments.RangeCounts({7}).empty());
}

TEST(ExpirySegmentsTest, RepeatedAndAdjacentRangesShareSegments) {
  const ExpirySegments segments({Range(0, 5), Range(0, 5), Range(5, 6)});
  EXPECT_EQ(segments.segments().size(), 4u);  // (-inf, 0) [0, 5) [5, 6) [6, +inf)
  EXPECT_EQ(segments.RangeCounts({100, 3, 1, 100}), (std::vector<int64_t>{3, 3, 1}));
}

}  // namespace
}  // namespace wott::store
