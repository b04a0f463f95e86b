// How the SQLite registry answers ListDevices on a large fleet: which of the filter's
// conditions SQLite starts from, and whether a page walks the sort order's index or sorts
// the matches.
//
// SQLite's planner cannot tell a rare tag or status from a common one (the server keeps no
// statistics, and ANALYZE only gives averages), and a wrong guess costs 50-200 ms at 100,000
// devices: it sorted 14,000 matches for a page of 50, or walked every device to find one.
// So the registry measures the candidates first (index range counts, capped at
// kFilterSizeCap entries, about a millisecond at most each) and writes SQL in which only
// the chosen condition can use an index: the others become per-row checks (a unary + on
// the column, or a correlated EXISTS for a tag).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/records.h"
#include "store/sqlite/connection.h"

namespace wott::store::sqlite {

inline constexpr int64_t kFilterSizeCap = 10000;

// The condition SQLite starts from.
struct ListDriver {
  enum Kind { kSortOrder, kStatus, kTag, kPrefix };
  Kind kind = kSortOrder;
  size_t tag = 0;  // for kTag: the index in DeviceFilter::tags
};

// How many devices each condition of a filter selects on its own, each capped at
// kFilterSizeCap (so a value of kFilterSizeCap means "at least").
struct FilterSizes {
  int64_t rows = 0;               // about all devices (not capped)
  std::optional<int64_t> status;  // when the filter has a status
  std::vector<int64_t> tags;      // one per DeviceFilter::tags
  std::optional<int64_t> prefix;  // id and name index entries in the prefix's ranges
};

Result<FilterSizes> MeasureFilter(Connection& db, const DeviceFilter& filter);

// For counting: the condition with the fewest devices; kSortOrder when the filter has none.
// Of equals (both at the cap, say) the first in the order tags, prefix, status: a status
// covers a third of the fleet on average, and a tag drives through a covering index.
ListDriver CountDriver(const FilterSizes& sizes);

// For a page of a filter that `matches` devices: kSortOrder when walking the sort order's
// index finds the page after fewer entries than starting from `count_driver` reads (its
// condition's devices, and at least all matches), else `count_driver` (the matches are then
// sorted).
ListDriver PageDriver(const FilterSizes& sizes, const DeviceSort& sort, const PageRequest& page,
                      ListDriver count_driver, int64_t matches);

// " FROM ... WHERE ..." selecting `filter`'s devices (table alias d), in which only
// `driver`'s condition can use an index. For kSortOrder only the sort order's index can,
// and the status stays usable when that index starts with it (created_at: devices_status).
std::string FromWhereSql(const DeviceFilter& filter, ListDriver driver, DeviceSortField sort);

// " ORDER BY ..." for `sort`, ties broken by ID in the same direction. NULL last_seen sorts
// first ascending and last descending in SQLite, the order the Store promises (never
// seen = oldest).
std::string OrderSql(const DeviceSort& sort);

// Binds FromWhereSql's parameters, whatever the driver.
void BindFilter(Statement& stmt, const DeviceFilter& filter);

}  // namespace wott::store::sqlite
