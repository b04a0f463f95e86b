// Cuts a FleetCountsQuery's expiry ranges into disjoint segments, so that a SQL backend
// counts each part of the not_after index once.
//
// The dashboard's ranges nest and overlap (the next 24 h lies inside the next 7 days, which
// overlaps the 8-day histogram), and count(*) over an index range costs as many steps as
// the range holds: counting every range on its own walked most active devices four times.
// Cut at every range end, each segment is counted once and each range is a sum of segments.
// The segments also cover all of time, so their sum is the number of active devices
// (not_after is never NULL), which saves the separate count by status.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "store/records.h"

namespace wott::store {

class ExpirySegments {
 public:
  // REQUIRES: each range has from < until (ValidateFleetCountsQuery).
  explicit ExpirySegments(const std::vector<TimeRange>& ranges);

  // The segments as half-open [from, until) Unix-second bounds, in order; the first starts
  // at INT64_MIN and the last ends at INT64_MAX.
  const std::vector<std::pair<int64_t, int64_t>>& segments() const { return segments_; }

  // The count of each query range, in the query's order, given the count of each segment.
  // REQUIRES: segment_counts.size() == segments().size().
  std::vector<int64_t> RangeCounts(const std::vector<int64_t>& segment_counts) const;

  // The sum of all segments: every active device.
  static int64_t Total(const std::vector<int64_t>& segment_counts);

 private:
  std::vector<std::pair<int64_t, int64_t>> segments_;
  std::vector<std::pair<size_t, size_t>> range_spans_;  // [first, last) segment per range
};

}  // namespace wott::store
