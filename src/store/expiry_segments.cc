#include "store/expiry_segments.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace wott::store {

ExpirySegments::ExpirySegments(const std::vector<TimeRange>& ranges) {
  std::vector<int64_t> cuts;
  for (const TimeRange& range : ranges) {
    cuts.push_back(ToUnixSeconds(range.from));
    cuts.push_back(ToUnixSeconds(range.until));
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

  int64_t from = std::numeric_limits<int64_t>::min();
  for (int64_t cut : cuts) {
    if (cut == from) continue;  // a range starting at INT64_MIN
    segments_.push_back({from, cut});
    from = cut;
  }
  segments_.push_back({from, std::numeric_limits<int64_t>::max()});

  // Segment i starts at the i-th distinct bound (counting INT64_MIN as bound 0).
  auto first_segment_from = [this](int64_t t) {
    return static_cast<size_t>(
        std::lower_bound(segments_.begin(), segments_.end(), t,
                         [](const auto& s, int64_t v) { return s.first < v; }) -
        segments_.begin());
  };
  for (const TimeRange& range : ranges) {
    range_spans_.push_back({first_segment_from(ToUnixSeconds(range.from)),
                            first_segment_from(ToUnixSeconds(range.until))});
  }
}

std::vector<int64_t> ExpirySegments::RangeCounts(const std::vector<int64_t>& segment_counts) const {
  std::vector<int64_t> out;
  for (const auto& [first, last] : range_spans_) {
    out.push_back(
        std::accumulate(segment_counts.begin() + first, segment_counts.begin() + last, int64_t{0}));
  }
  return out;
}

int64_t ExpirySegments::Total(const std::vector<int64_t>& segment_counts) {
  return std::accumulate(segment_counts.begin(), segment_counts.end(), int64_t{0});
}

}  // namespace wott::store
