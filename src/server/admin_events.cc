// /v1/admin/events: the audit log, newest first, paged by event ID.
#include "server/admin_handlers.h"
#include "server/admin_query.h"
#include "server/admin_render.h"

namespace wott::server {
namespace {

Result<nlohmann::json> ListEvents(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(request.query));
  RETURN_IF_ERROR(CheckQueryNames(params, {"subject", "before", "limit"}));
  store::EventQuery query;
  for (const auto& [name, value] : params) {
    if (name == "subject") {
      // Device events are filed under the hex ID; accept the full name too.
      Result<std::string> hex = DeviceHexOf(value);
      query.subject = hex.ok() ? *hex : value;
    } else if (name == "before") {
      ASSIGN_OR_RETURN(query.before_id, ParseCount("before", value));
      if (query.before_id == 0) return InvalidArgument("before must be a positive event ID");
    } else if (name == "limit") {
      ASSIGN_OR_RETURN(query.limit, ParseLimit("limit", value));
    }
  }
  ASSIGN_OR_RETURN(std::vector<store::Event> events, ca.registry().ListEvents(query));
  nlohmann::json out = nlohmann::json::array();
  for (const store::Event& event : events) out.push_back(EventToJson(event));
  // A full page may have more behind it: the cursor for the next one.
  nlohmann::json next = nullptr;
  if (events.size() == static_cast<size_t>(query.limit)) next = events.back().id;
  return nlohmann::json{{"events", std::move(out)}, {"next_before", next}};
}

}  // namespace

net::HttpResponse HandleAdminListEvents(CaService& ca, const net::HttpRequest& request,
                                        const std::string&) {
  return JsonOrError(ListEvents(ca, request));
}

}  // namespace wott::server
