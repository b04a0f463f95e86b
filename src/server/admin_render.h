// The one JSON rendering of registry records, shared by the admin API and the `--json`
// output of the operator CLI, so both always print the same fields. Times are RFC 3339
// UTC strings; absent times and reasons are null. Secrets (token hashes, recovery hashes)
// are never rendered. Pure functions; thread-safe.
#ifndef WOTT_SERVER_ADMIN_RENDER_H_
#define WOTT_SERVER_ADMIN_RENDER_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "store/records.h"

namespace wott::server {

// {"id": full name, "hex", "status", "tags", "metadata", "created_at", "last_seen",
//  "agent_version", "os", "hostname", "uptime_seconds", "enrollment_token_id",
//  "current_certificate": {"serial", "not_after"} or null,
//  "revoked_at", "revocation_reason", "trust_score": the latest score or null}.
nlohmann::json DeviceToJson(const store::DeviceRecord& device,
                            std::optional<int> trust_score = std::nullopt);

// {"devices": [DeviceToJson...], "total", "offset", "limit"}: one page of a device list;
// `trust_scores` by device ID (hex).
nlohmann::json DevicePageToJson(const store::DevicePage& page, const store::PageRequest& request,
                                const std::map<std::string, int>& trust_scores = {});

// "revoked", "expired" (after not_after), "not_yet_valid" or "valid" at `now`.
std::string_view CertificateState(const store::CertificateRecord& certificate, TimePoint now);

// {"serial", "state", "not_before", "not_after", "issued_at", "sha256_fingerprint",
//  "revoked_at", "revocation_reason"}. The PEM is not included.
nlohmann::json CertificateToJson(const store::CertificateRecord& certificate, TimePoint now);

// DeviceToJson(device) plus "certificates": the history, newest first, each
// CertificateToJson with "current": true for the device's current certificate.
nlohmann::json DeviceDetailToJson(const store::DeviceRecord& device,
                                  const std::vector<store::CertificateRecord>& certificates,
                                  TimePoint now, std::optional<int> trust_score = std::nullopt);

// {"id", "time", "actor", "action", "subject", "detail"}.
nlohmann::json EventToJson(const store::Event& event);

// "revoked", "expired", "used" (no uses left) or "active" at `now`.
std::string_view EnrollmentTokenState(const store::EnrollmentTokenRecord& token, TimePoint now);

// {"id", "state", "uses_left", "max_uses", "created_at", "expires_at", "revoked_at",
//  "tags", "description", "created_by"}.
nlohmann::json EnrollmentTokenToJson(const store::EnrollmentTokenRecord& token, TimePoint now);

// "revoked", "expired" or "active" at `now`.
std::string_view ApiTokenState(const store::ApiTokenRecord& token, TimePoint now);

// {"id", "name", "state", "created_at", "expires_at", "revoked_at", "created_by"}.
nlohmann::json ApiTokenToJson(const store::ApiTokenRecord& token, TimePoint now);

}  // namespace wott::server

#endif  // WOTT_SERVER_ADMIN_RENDER_H_
