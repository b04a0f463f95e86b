#include "server/admin_overview.h"

#include <chrono>

#include "server/admin_handlers.h"
#include "server/admin_render.h"

namespace wott::server {

Result<nlohmann::json> FleetOverview(store::Store& registry, TimePoint now) {
  using std::chrono::days;
  using std::chrono::hours;
  now = store::TruncateToSeconds(now);
  const TimePoint today = std::chrono::floor<days>(now);  // 00:00 UTC
  store::FleetCountsQuery query;
  query.seen_before = now - kStaleAfter;
  query.expiry_ranges = {
      {now, now + hours(24)},
      {now, now + days(7)},
      {store::FromUnixSeconds(0), now},
  };
  for (int i = 0; i < kHistogramDays; ++i) {
    query.expiry_ranges.push_back({i == 0 ? now : today + days(i), today + days(i + 1)});
  }
  ASSIGN_OR_RETURN(store::FleetCounts counts, registry.CountFleet(query));

  store::EventQuery events_query;
  events_query.limit = kRecentEvents;
  ASSIGN_OR_RETURN(std::vector<store::Event> events, registry.ListEvents(events_query));

  const store::DeviceCounts& s = counts.by_status;
  nlohmann::json histogram = nlohmann::json::array();
  for (int i = 0; i < kHistogramDays; ++i) {
    const std::chrono::year_month_day date{
        std::chrono::sys_days(std::chrono::floor<days>(today + days(i)).time_since_epoch())};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    histogram.push_back({{"date", text}, {"count", counts.expiring[3 + i]}});
  }
  nlohmann::json recent = nlohmann::json::array();
  for (const store::Event& event : events) recent.push_back(EventToJson(event));
  return nlohmann::json{
      {"devices",
       {{"total", s.active + s.revoked + s.deleted},
        {"active", s.active},
        {"stale", counts.stale},
        {"revoked", s.revoked},
        {"deleted", s.deleted}}},
      {"certificates",
       {{"expiring_24h", counts.expiring[0]},
        {"expiring_7d", counts.expiring[1]},
        {"expired", counts.expiring[2]}}},
      {"expiry_histogram", std::move(histogram)},
      {"recent_events", std::move(recent)},
  };
}

net::HttpResponse HandleAdminOverview(CaService& ca, const net::HttpRequest& request,
                                      const std::string&) {
  if (!request.query.empty()) {
    return ErrorFor(InvalidArgument("the overview takes no query parameters"));
  }
  return JsonOrError(FleetOverview(ca.registry(), ca.clock().Now()));
}

}  // namespace wott::server
