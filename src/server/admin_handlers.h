// The admin API handlers (/v1/admin/...), one group per file: admin_devices.cc,
// admin_tokens.cc, admin_api_tokens.cc, admin_events.cc. Each runs after AuthenticateAdmin
// succeeded (admin_routes.cc does that) and gets the authenticated `actor`
// ("admin:<token id>"), which every change records in the event log. Each validates every
// query parameter and body field (400 naming it), calls the registry, and renders with
// admin_render.h; errors are {"error": {"code", "message"}} (api_util.h).
// Handlers run on worker threads; they block on the registry.
#ifndef WOTT_SERVER_ADMIN_HANDLERS_H_
#define WOTT_SERVER_ADMIN_HANDLERS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"
#include "net/http.h"
#include "server/api_util.h"
#include "server/ca_service.h"

namespace wott::server {

// `body` as JSON with `http_status`, or the error response for its status.
inline net::HttpResponse JsonOrError(const Result<nlohmann::json>& body, int http_status = 200) {
  return body.ok() ? JsonResponse(*body, http_status) : ErrorFor(body.status());
}

using AdminHandler = net::HttpResponse (*)(CaService& ca, const net::HttpRequest& request,
                                           const std::string& actor);

// GET /v1/admin/devices?status=&tag=k[=v]&q=&sort=&order=&offset=&limit=
//   -> {"devices": [DeviceToJson...], "total", "offset", "limit"}.
net::HttpResponse HandleAdminListDevices(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor);
// GET /v1/admin/devices/{id}?limit= -> DeviceDetailToJson (certificate history).
net::HttpResponse HandleAdminGetDevice(CaService& ca, const net::HttpRequest& request,
                                       const std::string& actor);
// POST /v1/admin/devices/{id}/revoke {"reason"?} -> the device after revocation.
net::HttpResponse HandleAdminRevokeDevice(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor);
// DELETE /v1/admin/devices/{id} -> the device after deletion.
net::HttpResponse HandleAdminDeleteDevice(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor);
// PUT /v1/admin/devices/{id}/tags {"tags": {...}} -> the device (tags replaced).
net::HttpResponse HandleAdminSetTags(CaService& ca, const net::HttpRequest& request,
                                     const std::string& actor);
// PUT /v1/admin/devices/{id}/metadata {"metadata": {...}} -> the device (metadata replaced).
net::HttpResponse HandleAdminSetMetadata(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor);

// GET /v1/admin/tokens?all=&offset=&limit= -> {"tokens": [EnrollmentTokenToJson...]}.
net::HttpResponse HandleAdminListTokens(CaService& ca, const net::HttpRequest& request,
                                        const std::string& actor);
// POST /v1/admin/tokens {"uses"?, "ttl"?, "tags"?, "description"?} -> 201, the token record
// plus "token" (the secret, shown once) and "enroll" {"server_url", "ca_fingerprint",
// "command"}.
net::HttpResponse HandleAdminCreateToken(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor);
// DELETE /v1/admin/tokens/{id} -> the token after revocation.
net::HttpResponse HandleAdminRevokeToken(CaService& ca, const net::HttpRequest& request,
                                         const std::string& actor);

// GET /v1/admin/api-tokens -> {"api_tokens": [ApiTokenToJson...]}.
net::HttpResponse HandleAdminListApiTokens(CaService& ca, const net::HttpRequest& request,
                                           const std::string& actor);
// POST /v1/admin/api-tokens {"name"} -> 201, ApiTokenToJson plus "token" (shown once).
net::HttpResponse HandleAdminCreateApiToken(CaService& ca, const net::HttpRequest& request,
                                            const std::string& actor);
// DELETE /v1/admin/api-tokens/{id} -> the API token after revocation.
net::HttpResponse HandleAdminRevokeApiToken(CaService& ca, const net::HttpRequest& request,
                                            const std::string& actor);

// GET /v1/admin/events?subject=&before=&limit= -> {"events": [EventToJson...],
// "next_before": id or null}.
net::HttpResponse HandleAdminListEvents(CaService& ca, const net::HttpRequest& request,
                                        const std::string& actor);

// Trust policies (admin_policies.cc; JSON in policy_json.h). Every change appends
// "policy.set" / "policy.delete" with the actor.
// GET /v1/admin/policies -> {"policies": [PolicyToJson...]} by name.
net::HttpResponse HandleAdminListPolicies(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor);
// GET /v1/admin/policies/{name} -> PolicyToJson; 404 not_found when unknown.
net::HttpResponse HandleAdminGetPolicy(CaService& ca, const net::HttpRequest& request,
                                       const std::string& actor);
// PUT /v1/admin/policies/{name} {"description"?, "allow_devices", "allow_tags"} -> 200 with
// the stored policy (created, or replaced whole with version + 1). 400 naming the problem
// (bad name, device reference, tag, too many entries, unknown field).
net::HttpResponse HandleAdminSetPolicy(CaService& ca, const net::HttpRequest& request,
                                       const std::string& actor);
// DELETE /v1/admin/policies/{name} -> 204; 404 not_found when unknown.
net::HttpResponse HandleAdminDeletePolicy(CaService& ca, const net::HttpRequest& request,
                                          const std::string& actor);

// Device posture (posture_handlers.cc, issue 7).
// GET /v1/admin/devices/{id}/security -> {"trust_score", "score_factors", "score_history",
// "host_audit", "host_audit_at", "inventory", "findings", "findings_known", "counts"}; 404
// not_found for an unknown device, 404 no_audit when it never reported an audit.
net::HttpResponse HandleAdminDeviceSecurity(CaService& ca, const net::HttpRequest& request,
                                            const std::string& actor);
// GET /v1/admin/cves?severity=&state=&limit=&offset= -> FleetCvesJson over active devices.
// 400 naming a bad parameter.
net::HttpResponse HandleAdminListCves(CaService& ca, const net::HttpRequest& request,
                                      const std::string& actor);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_HANDLERS_H_
