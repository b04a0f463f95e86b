#include "store/sqlite/device_list_plan.h"

#include <algorithm>

#include "store/sqlite/rows.h"

namespace wott::store::sqlite {
namespace {

// The smallest string greater than every string that starts with `prefix`: its last byte
// incremented. REQUIRES: `prefix` is valid UTF-8 (so it has no 0xff byte) and not empty.
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

// Runs a "SELECT count(*) FROM (SELECT 1 ... LIMIT ?)" whose other parameters are bound.
Result<int64_t> CappedCount(Statement& stmt) {
  stmt.Bind(kFilterSizeCap);
  return ScalarInt(stmt);
}

Result<int64_t> CappedRangeCount(Connection& db, const char* sql, const std::string& from,
                                 const std::string& until) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  stmt.Bind(from, until);
  return CappedCount(stmt);
}

}  // namespace

Result<FilterSizes> MeasureFilter(Connection& db, const DeviceFilter& filter) {
  FilterSizes sizes;
  {
    // Devices are never removed (a deleted one keeps its row), so the largest rowid is
    // about the row count, in O(log n).
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT coalesce(max(rowid), 0) FROM devices"));
    ASSIGN_OR_RETURN(sizes.rows, ScalarInt(stmt));
  }
  if (filter.status) {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("SELECT count(*) FROM (SELECT 1 FROM devices WHERE status = ? "
                                "LIMIT ?)"));
    stmt.Bind(DeviceStatusName(*filter.status));
    ASSIGN_OR_RETURN(sizes.status, CappedCount(stmt));
  }
  for (const TagMatch& match : filter.tags) {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare(match.value ? "SELECT count(*) FROM (SELECT 1 FROM device_tags "
                                              "WHERE key = ? AND value = ? LIMIT ?)"
                                            : "SELECT count(*) FROM (SELECT 1 FROM device_tags "
                                              "WHERE key = ? LIMIT ?)"));
    stmt.Bind(match.key);
    if (match.value) stmt.Bind(*match.value);
    ASSIGN_OR_RETURN(int64_t n, CappedCount(stmt));
    sizes.tags.push_back(n);
  }
  if (!filter.prefix.empty()) {
    const std::string end = PrefixEnd(filter.prefix);
    ASSIGN_OR_RETURN(int64_t ids, CappedRangeCount(db,
                                                   "SELECT count(*) FROM (SELECT 1 FROM devices "
                                                   "WHERE id >= ? AND id < ? LIMIT ?)",
                                                   filter.prefix, end));
    ASSIGN_OR_RETURN(int64_t names, CappedRangeCount(db,
                                                     "SELECT count(*) FROM (SELECT 1 FROM "
                                                     "devices WHERE name >= ? AND name < ? "
                                                     "LIMIT ?)",
                                                     filter.prefix, end));
    sizes.prefix = std::min(ids + names, kFilterSizeCap);
  }
  return sizes;
}

namespace {

// Whether the sort order has an index that starts with the status (devices_status), so a
// walk in that order covers only the filter's status. The other sort indexes end with the
// status (migration 0008): their walk reads every entry but no device row to check it.
bool StatusLeadsSortIndex(DeviceSortField sort) { return sort == DeviceSortField::kCreatedAt; }

// The number of devices `driver`'s condition selects (capped), or all rows for kSortOrder.
int64_t DriverSize(const FilterSizes& sizes, ListDriver driver) {
  switch (driver.kind) {
    case ListDriver::kStatus:
      return *sizes.status;
    case ListDriver::kTag:
      return sizes.tags[driver.tag];
    case ListDriver::kPrefix:
      return *sizes.prefix;
    case ListDriver::kSortOrder:
      break;
  }
  return sizes.rows;
}

}  // namespace

ListDriver CountDriver(const FilterSizes& sizes) {
  std::optional<ListDriver> best;
  auto consider = [&](ListDriver candidate) {
    if (!best || DriverSize(sizes, candidate) < DriverSize(sizes, *best)) best = candidate;
  };
  for (size_t i = 0; i < sizes.tags.size(); ++i) consider({ListDriver::kTag, i});
  if (sizes.prefix) consider({ListDriver::kPrefix});
  if (sizes.status) consider({ListDriver::kStatus});
  return best.value_or(ListDriver{});
}

ListDriver PageDriver(const FilterSizes& sizes, const DeviceSort& sort, const PageRequest& page,
                      ListDriver count_driver, int64_t matches) {
  if (count_driver.kind == ListDriver::kSortOrder) return count_driver;
  if (matches == 0) return count_driver;
  // The walk reads index entries of the sort order until offset + limit of them match:
  // about (offset + limit) * walked / matches. It covers only the filter's status when the
  // sort order's index starts with it (and the status count is exact, not capped); else
  // all devices (an upper bound for a common status).
  int64_t walked = sizes.rows;
  if (StatusLeadsSortIndex(sort.field) && sizes.status && *sizes.status < kFilterSizeCap) {
    walked = *sizes.status;
  }
  const double walk = static_cast<double>(page.offset + page.limit) * walked / matches;
  // Starting from the driver reads its condition's devices and sorts the matches: at least
  // both counts (its size may be capped, the matches are exact).
  const double start = static_cast<double>(std::max(DriverSize(sizes, count_driver), matches));
  return walk < start ? ListDriver{} : count_driver;
}

std::string FromWhereSql(const DeviceFilter& filter, ListDriver driver, DeviceSortField sort) {
  const bool tag_drives = driver.kind == ListDriver::kTag;
  // The status may use an index when it drives, when the walk's index starts with it, and
  // under a tag (CROSS JOIN fixes the order; it reads the device's (id, status) entry).
  const bool status_indexed = driver.kind == ListDriver::kStatus || tag_drives ||
                              (driver.kind == ListDriver::kSortOrder && StatusLeadsSortIndex(sort));
  // A unary + keeps SQLite from using an index for the term.
  const char* plus = driver.kind == ListDriver::kPrefix ? "" : "+";
  // Under a driving tag each device is looked up by ID; INDEXED BY keeps SQLite (which
  // guesses without statistics) from scanning an index that starts with the status instead.
  std::string sql = tag_drives ? " FROM device_tags g0 CROSS JOIN devices d INDEXED BY "
                                 "devices_id_status ON d.id = g0.device_id"
                               : " FROM devices d";
  sql += " WHERE 1 = 1";
  if (filter.status) sql += status_indexed ? " AND d.status = ?" : " AND +d.status = ?";
  // A prefix is a bytewise range [prefix, PrefixEnd(prefix)) of the id or the name (BINARY
  // collation compares bytes, as starts_with does).
  if (!filter.prefix.empty()) {
    sql += std::string(" AND ((") + plus + "d.id >= ? AND " + plus + "d.id < ?) OR (" + plus +
           "d.name >= ? AND " + plus + "d.name < ?))";
  }
  for (size_t i = 0; i < filter.tags.size(); ++i) {
    const bool driving = tag_drives && i == driver.tag;
    sql += driving ? " AND g0.key = ?"
                   : " AND EXISTS (SELECT 1 FROM device_tags g WHERE g.device_id = d.id "
                     "AND g.key = ?";
    if (filter.tags[i].value) sql += driving ? " AND g0.value = ?" : " AND g.value = ?";
    if (!driving) sql += ")";
  }
  return sql;
}

std::string OrderSql(const DeviceSort& sort) {
  const char* dir = sort.descending ? " DESC" : " ASC";
  std::string column;
  switch (sort.field) {
    case DeviceSortField::kCreatedAt:
      column = "d.created_at";
      break;
    case DeviceSortField::kName:
      column = "d.name";
      break;
    case DeviceSortField::kId:
      return std::string(" ORDER BY d.id") + dir;
    case DeviceSortField::kLastSeen:
      column = "d.last_seen";
      break;
    case DeviceSortField::kCertificateExpiry:
      column = "d.cert_not_after";
      break;
  }
  return " ORDER BY " + column + dir + ", d.id" + dir;
}

void BindFilter(Statement& stmt, const DeviceFilter& filter) {
  if (filter.status) stmt.Bind(DeviceStatusName(*filter.status));
  if (!filter.prefix.empty()) {
    const std::string end = PrefixEnd(filter.prefix);
    stmt.Bind(filter.prefix, end, filter.prefix, end);
  }
  for (const TagMatch& match : filter.tags) {
    stmt.Bind(match.key);
    if (match.value) stmt.Bind(*match.value);
  }
}

}  // namespace wott::store::sqlite
