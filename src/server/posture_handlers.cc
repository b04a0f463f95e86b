// GET /v1/admin/devices/{id}/security and GET /v1/admin/cves (see admin_handlers.h).
#include "server/admin_handlers.h"
#include "server/admin_query.h"
#include "server/api_util.h"
#include "server/posture_service.h"

namespace wott::server {
namespace {

Result<nlohmann::json> DeviceSecurity(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(request.query));
  RETURN_IF_ERROR(CheckQueryNames(params, {}));
  ASSIGN_OR_RETURN(store::DeviceRecord device, FindDevice(ca.registry(), request.PathParam("id")));
  return ca.posture().SecurityJson(device.id);
}

Result<nlohmann::json> ListCves(CaService& ca, const net::HttpRequest& request) {
  ASSIGN_OR_RETURN(QueryParams params, ParseQuery(request.query));
  RETURN_IF_ERROR(CheckQueryNames(params, {"severity", "state", "limit", "offset"}));
  std::string severity, state, limit, offset;
  for (const auto& [name, value] : params) {
    if (name == "severity") severity = value;
    if (name == "state") state = value;
    if (name == "limit") limit = value;
    if (name == "offset") offset = value;
  }
  ASSIGN_OR_RETURN(CveQuery query, ParseCveQuery(severity, state, limit, offset));
  return ca.posture().FleetCves(query);
}

}  // namespace

net::HttpResponse HandleAdminDeviceSecurity(CaService& ca, const net::HttpRequest& request,
                                            const std::string&) {
  // Look the device up first: an unknown device is "not_found", a known one without any
  // report is "no_audit" (the dashboard shows "no audit reported yet").
  Result<store::DeviceRecord> device = FindDevice(ca.registry(), request.PathParam("id"));
  if (!device.ok()) return ErrorFor(device.status());
  Result<nlohmann::json> out = DeviceSecurity(ca, request);
  if (out.status().code() == StatusCode::kNotFound) {
    return net::ErrorResponse(404, "no_audit", "no audit reported for this device yet");
  }
  return out.ok() ? JsonResponse(*out) : ErrorFor(out.status());
}

net::HttpResponse HandleAdminListCves(CaService& ca, const net::HttpRequest& request,
                                      const std::string&) {
  Result<nlohmann::json> out = ListCves(ca, request);
  return out.ok() ? JsonResponse(*out) : ErrorFor(out.status());
}

}  // namespace wott::server
