// GET /v1/admin/overview: the dashboard's first page in one call (issue 6). Device counts by
// status and staleness, current certificates expiring within 24 h / 7 days or already
// expired, an 8-day expiry histogram (UTC days, today first) and the 10 newest events. All
// counts come from one registry snapshot (Store::CountFleet, index range counts), so the
// cost does not grow with a scan of the fleet per figure. Runs on a worker thread.
#ifndef WOTT_SERVER_ADMIN_OVERVIEW_H_
#define WOTT_SERVER_ADMIN_OVERVIEW_H_

#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "net/http.h"
#include "server/ca_service.h"
#include "store/store.h"

namespace wott::server {

// Active devices not seen for this long (or never seen) are stale.
inline constexpr Duration kStaleAfter = std::chrono::hours(24);
inline constexpr int kHistogramDays = 8;
inline constexpr int kRecentEvents = 10;

// The overview at `now`:
//   {"devices": {"total", "active", "stale", "revoked", "deleted"},
//    "certificates": {"expiring_24h", "expiring_7d", "expired"},
//    "expiry_histogram": [{"date": "YYYY-MM-DD", "count"}] (8 entries, today first),
//    "recent_events": [EventToJson...]}
// Counts are over active devices and their current certificates: expiring_24h is
// not_after in [now, now + 24 h), expiring_7d in [now, now + 7 d), expired before now; the
// histogram's first entry counts [now, end of today), the next ones whole UTC days.
Result<nlohmann::json> FleetOverview(store::Store& registry, TimePoint now);

// GET /v1/admin/overview (no query parameters; 400 for any).
net::HttpResponse HandleAdminOverview(CaService& ca, const net::HttpRequest& request,
                                      const std::string& actor);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_OVERVIEW_H_
