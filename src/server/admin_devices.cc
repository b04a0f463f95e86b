// /v1/admin/devices: list, show, revoke, delete, tags, metadata.
#include "server/admin_handlers.h"
#include "server/admin_query.h"
#include "server/admin_render.h"
#include "server/posture_service.h"

namespace wott::server {
namespace {

// Certificates shown by GET /v1/admin/devices/{id} unless ?limit= says otherwise.
constexpr int kDefaultHistoryLimit = 100;

struct DeviceListQuery {
  store::DeviceFilter filter;
  store::DeviceSort sort;
  store::PageRequest page{.offset = 0, .limit = kDefaultPageLimit};
};

Result<DeviceListQuery> ParseDeviceListQuery(std::string_view query) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(query));
  RETURN_IF_ERROR(CheckQueryNames(params,
                                  {"status", "tag", "q", "sort", "order", "offset", "limit"},
                                  /*repeatable=*/{"tag"}));
  DeviceListQuery out;
  std::optional<bool> descending;
  for (const auto& [name, value] : params) {
    if (name == "status") {
      Result<store::DeviceStatus> status = store::ParseDeviceStatus(value);
      if (!status.ok()) return InvalidArgument("status must be active, revoked or deleted");
      out.filter.status = *status;
    } else if (name == "tag") {
      ASSIGN_OR_RETURN(store::TagMatch match, ParseTagFilter(value));
      out.filter.tags.push_back(std::move(match));
    } else if (name == "q") {
      out.filter.prefix = value;
    } else if (name == "sort") {
      ASSIGN_OR_RETURN(out.sort.field, ParseSortField(value));
    } else if (name == "order") {
      ASSIGN_OR_RETURN(descending, ParseSortOrder(value));
    } else if (name == "offset") {
      ASSIGN_OR_RETURN(out.page.offset, ParseCount("offset", value));
    } else if (name == "limit") {
      ASSIGN_OR_RETURN(out.page.limit, ParseLimit("limit", value));
    }
  }
  out.sort.descending = descending.value_or(DefaultDescending(out.sort.field));
  return out;
}

Result<nlohmann::json> ListDevices(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(DeviceListQuery query, ParseDeviceListQuery(request.query));
  ASSIGN_OR_RETURN(store::DevicePage page,
                   ca.registry().ListDevices(query.filter, query.sort, query.page));
  std::vector<std::string> ids;
  for (const store::DeviceRecord& device : page.devices) ids.push_back(device.id);
  ASSIGN_OR_RETURN(auto scores, ca.posture().LatestScores(ids));
  return DevicePageToJson(page, query.page, scores);
}

Result<nlohmann::json> GetDevice(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(request.query));
  RETURN_IF_ERROR(CheckQueryNames(params, {"limit"}));
  int limit = kDefaultHistoryLimit;
  if (!params.empty()) {
    ASSIGN_OR_RETURN(limit, ParseLimit("limit", params[0].second));
  }
  ASSIGN_OR_RETURN(store::DeviceRecord device, FindDevice(ca.registry(), request.PathParam("id")));
  ASSIGN_OR_RETURN(std::vector<store::CertificateRecord> certificates,
                   ca.registry().ListCertificates(device.id, limit));
  ASSIGN_OR_RETURN(auto scores, ca.posture().LatestScores({device.id}));
  auto score = scores.find(device.id);
  return DeviceDetailToJson(
      device, certificates, ca.clock().Now(),
      score == scores.end() ? std::nullopt : std::optional<int>(score->second));
}

// The device as it is after a change.
Result<nlohmann::json> Reloaded(CaService& ca, std::string_view hex) {
  ASSIGN_OR_RETURN(store::DeviceRecord device, ca.registry().GetDevice(hex));
  return DeviceToJson(device);
}

Result<nlohmann::json> RevokeDevice(CaService& ca, const net::HttpRequest& request,
                                    const std::string& actor) {
  ASSIGN_OR_RETURN(store::DeviceRecord device, FindDevice(ca.registry(), request.PathParam("id")));
  ASSIGN_OR_RETURN(nlohmann::json body, OptionalJsonObject(request));
  RETURN_IF_ERROR(CheckJsonFields(body, {"reason"}));
  ASSIGN_OR_RETURN(std::string reason_name, StringField(body, "reason", false));
  store::RevocationReason reason = store::RevocationReason::kUnspecified;
  if (!reason_name.empty()) {
    ASSIGN_OR_RETURN(reason, store::ParseRevocationReason(reason_name));
  }
  RETURN_IF_ERROR(ca.registry().RevokeDevice(device.id, reason, actor, ca.clock().Now()));
  return Reloaded(ca, device.id);
}

Result<nlohmann::json> DeleteDevice(CaService& ca, const net::HttpRequest& request,
                                    const std::string& actor) {
  ASSIGN_OR_RETURN(store::DeviceRecord device, FindDevice(ca.registry(), request.PathParam("id")));
  RETURN_IF_ERROR(ca.registry().DeleteDevice(device.id, actor, ca.clock().Now()));
  return Reloaded(ca, device.id);
}

// PUT .../tags and .../metadata: `field` replaces the whole map.
Result<nlohmann::json> ReplaceMap(CaService& ca, const net::HttpRequest& request,
                                  const std::string& actor, std::string_view field) {
  ASSIGN_OR_RETURN(store::DeviceRecord device, FindDevice(ca.registry(), request.PathParam("id")));
  ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonObject(request));
  RETURN_IF_ERROR(CheckJsonFields(body, {field}));
  ASSIGN_OR_RETURN(auto map, StringMapField(body, field, /*required=*/true));
  TimePoint now = ca.clock().Now();
  RETURN_IF_ERROR(field == "tags" ? ca.registry().SetTags(device.id, map, actor, now)
                                  : ca.registry().SetMetadata(device.id, map, actor, now));
  return Reloaded(ca, device.id);
}

}  // namespace

net::HttpResponse HandleAdminListDevices(CaService& ca, const net::HttpRequest& request,
                                         const std::string&) {
  return JsonOrError(ListDevices(ca, request));
}

net::HttpResponse HandleAdminGetDevice(CaService& ca, const net::HttpRequest& request,
                                       const std::string&) {
  return JsonOrError(GetDevice(ca, request));
}

net::HttpResponse HandleAdminRevokeDevice(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor) {
  return JsonOrError(RevokeDevice(ca, request, actor));
}

net::HttpResponse HandleAdminDeleteDevice(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor) {
  return JsonOrError(DeleteDevice(ca, request, actor));
}

net::HttpResponse HandleAdminSetTags(CaService& ca, const net::HttpRequest& request,
                                     const std::string& actor) {
  return JsonOrError(ReplaceMap(ca, request, actor, "tags"));
}

net::HttpResponse HandleAdminSetMetadata(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor) {
  return JsonOrError(ReplaceMap(ca, request, actor, "metadata"));
}

}  // namespace wott::server
