#include "server/admin_render.h"

#include <optional>
#include <string>

#include "base/encoding.h"

namespace wott::server {
namespace {

nlohmann::json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatRfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json ReasonOrNull(const std::optional<store::RevocationReason>& reason) {
  return reason ? nlohmann::json(std::string(store::RevocationReasonName(*reason)))
                : nlohmann::json(nullptr);
}

// Stored times are whole seconds; compare the same way the store does.
bool AtOrAfter(TimePoint now, TimePoint limit) {
  return store::ToUnixSeconds(now) >= store::ToUnixSeconds(limit);
}

}  // namespace

nlohmann::json DeviceToJson(const store::DeviceRecord& device, std::optional<int> trust_score) {
  nlohmann::json current = nullptr;
  if (!device.current_serial.empty()) {
    current = {{"serial", device.current_serial},
               {"not_after", FormatRfc3339(device.current_not_after)}};
  }
  return {{"id", device.name},
          {"hex", device.id},
          {"status", std::string(store::DeviceStatusName(device.status))},
          {"tags", device.tags},
          {"metadata", device.metadata},
          {"created_at", FormatRfc3339(device.created_at)},
          {"last_seen", TimeOrNull(device.last_seen)},
          {"agent_version", device.agent.agent_version},
          {"os", device.agent.os},
          {"hostname", device.agent.hostname},
          {"uptime_seconds", device.agent.uptime_seconds},
          {"enrollment_token_id", device.enrollment_token_id},
          {"current_certificate", current},
          {"revoked_at", TimeOrNull(device.revoked_at)},
          {"revocation_reason", ReasonOrNull(device.revocation_reason)},
          {"trust_score", trust_score ? nlohmann::json(*trust_score) : nlohmann::json()}};
}

nlohmann::json DevicePageToJson(const store::DevicePage& page, const store::PageRequest& request,
                                const std::map<std::string, int>& trust_scores) {
  nlohmann::json devices = nlohmann::json::array();
  for (const store::DeviceRecord& device : page.devices) {
    auto score = trust_scores.find(device.id);
    devices.push_back(DeviceToJson(
        device, score == trust_scores.end() ? std::nullopt : std::optional<int>(score->second)));
  }
  return {{"devices", std::move(devices)},
          {"total", page.total},
          {"offset", request.offset},
          {"limit", request.limit}};
}

std::string_view CertificateState(const store::CertificateRecord& certificate, TimePoint now) {
  if (certificate.revoked_at) return "revoked";
  // not_after is valid through its own second (RFC 5280).
  if (store::ToUnixSeconds(now) > store::ToUnixSeconds(certificate.not_after)) return "expired";
  if (!AtOrAfter(now, certificate.not_before)) return "not_yet_valid";
  return "valid";
}

nlohmann::json CertificateToJson(const store::CertificateRecord& certificate, TimePoint now) {
  return {{"serial", certificate.serial},
          {"state", std::string(CertificateState(certificate, now))},
          {"not_before", FormatRfc3339(certificate.not_before)},
          {"not_after", FormatRfc3339(certificate.not_after)},
          {"issued_at", FormatRfc3339(certificate.issued_at)},
          {"sha256_fingerprint", certificate.fingerprint},
          {"revoked_at", TimeOrNull(certificate.revoked_at)},
          {"revocation_reason", ReasonOrNull(certificate.revocation_reason)}};
}

nlohmann::json DeviceDetailToJson(const store::DeviceRecord& device,
                                  const std::vector<store::CertificateRecord>& certificates,
                                  TimePoint now, std::optional<int> trust_score) {
  nlohmann::json out = DeviceToJson(device, trust_score);
  nlohmann::json history = nlohmann::json::array();
  for (const store::CertificateRecord& certificate : certificates) {
    nlohmann::json c = CertificateToJson(certificate, now);
    c["current"] = certificate.serial == device.current_serial;
    history.push_back(std::move(c));
  }
  out["certificates"] = std::move(history);
  return out;
}

nlohmann::json EventToJson(const store::Event& event) {
  return {{"id", event.id},         {"time", FormatRfc3339(event.time)}, {"actor", event.actor},
          {"action", event.action}, {"subject", event.subject},          {"detail", event.detail}};
}

std::string_view EnrollmentTokenState(const store::EnrollmentTokenRecord& token, TimePoint now) {
  if (token.revoked_at) return "revoked";
  if (AtOrAfter(now, token.expires_at)) return "expired";
  if (token.uses_left <= 0) return "used";
  return "active";
}

nlohmann::json EnrollmentTokenToJson(const store::EnrollmentTokenRecord& token, TimePoint now) {
  return {{"id", token.id},
          {"state", std::string(EnrollmentTokenState(token, now))},
          {"uses_left", token.uses_left},
          {"max_uses", token.max_uses},
          {"created_at", FormatRfc3339(token.created_at)},
          {"expires_at", FormatRfc3339(token.expires_at)},
          {"revoked_at", TimeOrNull(token.revoked_at)},
          {"tags", token.tags},
          {"description", token.description},
          {"created_by", token.created_by}};
}

std::string_view ApiTokenState(const store::ApiTokenRecord& token, TimePoint now) {
  if (token.revoked_at) return "revoked";
  if (token.expires_at && AtOrAfter(now, *token.expires_at)) return "expired";
  return "active";
}

nlohmann::json ApiTokenToJson(const store::ApiTokenRecord& token, TimePoint now) {
  return {{"id", token.id},
          {"name", token.name},
          {"state", std::string(ApiTokenState(token, now))},
          {"created_at", FormatRfc3339(token.created_at)},
          {"expires_at", TimeOrNull(token.expires_at)},
          {"revoked_at", TimeOrNull(token.revoked_at)},
          {"created_by", token.created_by}};
}

}  // namespace wott::server
