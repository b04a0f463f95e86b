#include "base/encoding.h"
#include "server/api_util.h"
#include "server/handlers.h"
#include "server/posture_audit.h"
#include "server/posture_service.h"

namespace wott::server {
namespace {

constexpr size_t kMaxAgentField = 256;
constexpr int64_t kMaxUptimeSeconds = 10'000'000'000;

// The optional string field `key` of the heartbeat body, at most kMaxAgentField bytes.
Result<std::string> AgentString(const nlohmann::json& body, std::string_view key) {
  ASSIGN_OR_RETURN(std::string value, StringField(body, key, /*required=*/false));
  if (value.size() > kMaxAgentField) {
    return InvalidArgument("field '" + std::string(key) + "' is too long (at most 256 bytes)");
  }
  return value;
}

// The heartbeat body {"agent_version", "hostname", "os", "uptime_seconds", "audit"}, every
// field optional. An empty body is an empty report. Unknown fields are ignored so that
// newer agents can report more.
Result<nlohmann::json> ParseBody(const net::HttpRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  return ParseJsonObject(request);
}

Result<store::AgentInfo> ParseAgentInfo(const nlohmann::json& body) {
  store::AgentInfo agent;
  ASSIGN_OR_RETURN(agent.agent_version, AgentString(body, "agent_version"));
  ASSIGN_OR_RETURN(agent.hostname, AgentString(body, "hostname"));
  ASSIGN_OR_RETURN(agent.os, AgentString(body, "os"));
  auto uptime = body.find("uptime_seconds");
  if (uptime != body.end() && !uptime->is_null()) {
    // is_number_integer is false for 1.5 and for 1e3 (parsed as floating point).
    if (!uptime->is_number_integer()) {
      return InvalidArgument("field 'uptime_seconds' must be an integer");
    }
    const bool in_range =
        uptime->is_number_unsigned()
            ? uptime->get<uint64_t>() <= uint64_t{kMaxUptimeSeconds}
            : uptime->get<int64_t>() >= 0 && uptime->get<int64_t>() <= kMaxUptimeSeconds;
    if (!in_range) {
      return InvalidArgument("field 'uptime_seconds' must be between 0 and 10^10");
    }
    agent.uptime_seconds = uptime->get<int64_t>();
  }
  return agent;
}

// The 403 for a device that may no longer report: the code names why, so the agent can
// say it plainly ("device_revoked" / "device_deleted").
net::HttpResponse Refused(CaService& ca, const std::string& hex, const Status& touched) {
  Result<store::DeviceRecord> device = ca.registry().GetDevice(hex);
  if (device.ok() && device->status == store::DeviceStatus::kRevoked) {
    return net::ErrorResponse(403, "device_revoked", "device " + device->name + " is revoked");
  }
  if (device.ok() && device->status == store::DeviceStatus::kDeleted) {
    return net::ErrorResponse(403, "device_deleted", "device " + device->name + " is deleted");
  }
  return ErrorFor(touched);
}

}  // namespace

net::HttpResponse HandlePing(CaService& ca, const net::HttpRequest& request) {
  // Authenticate before looking at the body.
  if (!request.peer_certificate) {
    return ErrorFor(Unauthenticated("a heartbeat needs the device's certificate (mTLS)"));
  }
  Result<pki::DeviceId> id = ca.DeviceOf(request.peer_certificate.get());
  if (!id.ok()) return ErrorFor(id.status());
  Result<nlohmann::json> body = ParseBody(request);
  if (!body.ok()) return ErrorFor(body.status());
  Result<store::AgentInfo> agent = ParseAgentInfo(*body);
  if (!agent.ok()) return ErrorFor(agent.status());
  // Validated before anything is recorded: a malformed audit refuses the whole heartbeat.
  Result<std::optional<ReportedAudit>> audit = ParseReportedAudit(*body);
  if (!audit.ok()) return ErrorFor(audit.status());

  const TimePoint now = ca.clock().Now();
  Status touched = ca.registry().TouchLastSeen(id->hex(), now, *agent);
  if (touched.code() == StatusCode::kPermissionDenied) return Refused(ca, id->hex(), touched);
  // Our CA's certificate for a device the registry does not know (e.g. a restored backup):
  // not a 404, which an agent would take for a server without /v1/ping.
  if (touched.code() == StatusCode::kNotFound) {
    return ErrorFor(Unauthenticated("the certificate's device is not registered"));
  }
  if (!touched.ok()) return ErrorFor(touched);
  bool inventory_wanted = false;
  if (audit->has_value()) {
    Result<bool> wanted = ca.posture().Ingest(id->hex(), **audit);
    if (!wanted.ok()) return ErrorFor(wanted.status());
    inventory_wanted = *wanted;
  }

  // The device's newest certificate, which may be newer than the one presented.
  Result<store::CertificateRecord> current = ca.registry().CurrentCertificate(id->hex());
  if (!current.ok()) return ErrorFor(current.status());
  // CaService does not expose its options; every server runs with the default fraction,
  // which is also what enroll/renew put in their answers.
  const Duration lifetime = current->not_after - current->not_before;
  const TimePoint renew_after =
      current->not_before +
      std::chrono::duration_cast<Duration>(lifetime * CaServiceOptions().renew_fraction);
  return JsonResponse({{"device_id", id->Name(ca.config().domain)},
                       {"server_time", FormatRfc3339(now)},
                       {"not_after", FormatRfc3339(current->not_after)},
                       {"renew_after", FormatRfc3339(renew_after)},
                       {"inventory_wanted", inventory_wanted}});
}

}  // namespace wott::server
