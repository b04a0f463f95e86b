// GET /v1/policies/{name}: a trust policy resolved for the tunnels and renderers on devices.
#include "pki/certificate.h"
#include "server/api_util.h"
#include "server/handlers.h"
#include "server/policy_json.h"
#include "server/posture_findings.h"
#include "server/posture_service.h"

namespace wott::server {
namespace {

// OK when `peer` is the certificate of an active device, unrevoked: 401 without a device
// certificate (or for a device the registry does not know), 403 for a revoked or deleted
// device or a revoked certificate.
net::HttpResponse CheckDevice(CaService& ca, X509* peer, bool& ok) {
  ok = false;
  if (!peer) return ErrorFor(Unauthenticated("a policy is served to devices only (mTLS)"));
  Result<pki::DeviceId> id = ca.DeviceOf(peer);
  if (!id.ok()) return ErrorFor(id.status());
  Result<store::DeviceRecord> device = ca.registry().GetDevice(id->hex());
  if (device.status().code() == StatusCode::kNotFound) {
    return ErrorFor(Unauthenticated("the certificate's device is not registered"));
  }
  if (!device.ok()) return ErrorFor(device.status());
  if (device->status == store::DeviceStatus::kRevoked) {
    return net::ErrorResponse(403, "device_revoked", "device " + device->name + " is revoked");
  }
  if (device->status == store::DeviceStatus::kDeleted) {
    return net::ErrorResponse(403, "device_deleted", "device " + device->name + " is deleted");
  }
  // A single certificate can be revoked while its device stays active.
  Result<store::CertificateRecord> certificate = ca.registry().GetCertificate(pki::SerialHex(peer));
  if (!certificate.ok() && certificate.status().code() != StatusCode::kNotFound) {
    return ErrorFor(certificate.status());
  }
  if (!certificate.ok() || certificate->device_id != device->id) {
    return ErrorFor(Unauthenticated("the certificate is not registered"));
  }
  if (certificate->revoked_at) {
    return net::ErrorResponse(403, "certificate_revoked", "this certificate is revoked");
  }
  ok = true;
  return {};
}

// Moves the allowed devices that fail the policy's posture requirements out of
// resolved.allowed_devices; returns them with their reasons (in name order).
Result<std::vector<RefusedDevice>> ApplyRequirements(CaService& ca,
                                                     store::ResolvedPolicy& resolved) {
  PostureRequirement requirement;
  requirement.min_trust_score = resolved.policy.min_trust_score;
  if (!resolved.policy.deny_fixable_severity.empty()) {
    ASSIGN_OR_RETURN(requirement.deny_fixable_severity,
                     audit::ParseSeverity(resolved.policy.deny_fixable_severity));
  }
  std::vector<RefusedDevice> refused;
  if (requirement.empty()) return refused;
  std::vector<std::string> ids;
  for (const std::string& name : resolved.allowed_devices) ids.push_back(name.substr(0, 32));
  ASSIGN_OR_RETURN(auto summaries, ca.posture().Summaries(ids));
  std::vector<std::string> allowed;
  for (const std::string& name : resolved.allowed_devices) {
    auto it = summaries.find(name.substr(0, 32));
    const PostureSummary none;
    std::optional<std::string> why =
        RequirementFailure(requirement, it == summaries.end() ? none : it->second);
    if (why) {
      refused.push_back({name, *why});
    } else {
      allowed.push_back(name);
    }
  }
  resolved.allowed_devices = std::move(allowed);
  return refused;
}

}  // namespace

net::HttpResponse HandleGetPolicy(CaService& ca, const net::HttpRequest& request) {
  bool authorized = false;
  net::HttpResponse refused = CheckDevice(ca, request.peer_certificate.get(), authorized);
  net::HttpResponse response;
  if (!authorized) {
    response = std::move(refused);
  } else {
    Result<store::ResolvedPolicy> resolved = ca.registry().ResolvePolicy(request.PathParam("name"));
    Result<std::vector<RefusedDevice>> refused =
        resolved.ok() ? ApplyRequirements(ca, *resolved)
                      : Result<std::vector<RefusedDevice>>(resolved.status());
    if (!refused.ok()) {
      response = ErrorFor(refused.status());
    } else {
      PolicyDocument doc = RenderPolicyDocument(*resolved, ca.clock().Now(), *refused);
      const std::optional<std::string_view> if_none_match = request.headers.Get("If-None-Match");
      if (if_none_match && IfNoneMatchMatches(*if_none_match, doc.etag)) {
        response.status = 304;  // no body (RFC 9110 15.4.5); the ETag is repeated
      } else {
        response = net::HttpResponse::Json(200, std::move(doc.body));
      }
      response.headers.Set("ETag", doc.etag);
    }
  }
  response.headers.Set("Cache-Control", "no-store");
  return response;
}

}  // namespace wott::server
