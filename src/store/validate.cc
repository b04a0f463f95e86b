#include "store/validate.h"

#include <algorithm>
#include <string>

namespace wott::store {
namespace {

constexpr size_t kMaxTags = 32;
constexpr size_t kMaxMetadata = 64;
constexpr size_t kMaxTagMatches = 16;
constexpr int64_t kMaxTokenUses = 1'000'000;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '/' || c == ':';
}

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool IsActionChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool IsPrintableAscii(char c) { return c > 0x20 && c < 0x7f; }

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF) without
// control characters; `multiline` also admits '\n' and '\t'. Values end up in JSON and
// terminals, so both matter.
bool IsCleanText(std::string_view s, bool multiline = false) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\n' || c == '\t')))) return false;
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp < 0xa0) return false;  // C1 controls
    i += len;
  }
  return true;
}

Status Invalid(std::string_view field, std::string_view problem) {
  return InvalidArgument(std::string(field) + " " + std::string(problem));
}

Status ValidateText(std::string_view field, std::string_view value, size_t max_bytes,
                    bool allow_empty, bool multiline = false) {
  if (value.empty() && !allow_empty) return Invalid(field, "must not be empty");
  if (value.size() > max_bytes) {
    return Invalid(field, "is too long (at most " + std::to_string(max_bytes) + " bytes)");
  }
  if (!IsCleanText(value, multiline)) {
    return Invalid(field, "must be UTF-8 text without control characters");
  }
  return Status::Ok();
}

Status ValidateKey(std::string_view what, std::string_view key) {
  if (key.empty() || key.size() > 64 || !AllOf(key, IsKeyChar)) {
    return InvalidArgument(std::string(what) +
                           " key must be 1-64 characters of letters, digits and . _ - / :");
  }
  return Status::Ok();
}

Status ValidateMap(std::string_view what, const std::map<std::string, std::string>& map,
                   size_t max_entries, size_t max_value_bytes) {
  if (map.size() > max_entries) {
    return InvalidArgument("too many " + std::string(what) + " entries (at most " +
                           std::to_string(max_entries) + ")");
  }
  for (const auto& [key, value] : map) {
    RETURN_IF_ERROR(ValidateKey(what, key));
    RETURN_IF_ERROR(ValidateText(std::string(what) + " value of \"" + key + "\"", value,
                                 max_value_bytes, /*allow_empty=*/true));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateDeviceId(std::string_view id) {
  if (id.size() != 32 || !AllOf(id, IsLowerHex)) {
    return InvalidArgument("device ID must be 32 lowercase hex characters");
  }
  return Status::Ok();
}

Status ValidateSerial(std::string_view serial) {
  if (serial.empty() || serial.size() > 64 || !AllOf(serial, IsLowerHex)) {
    return InvalidArgument("certificate serial must be 1-64 lowercase hex characters");
  }
  return Status::Ok();
}

Status ValidateTokenHash(std::string_view what, std::string_view hash) {
  if (hash.empty() || hash.size() > 256 || !AllOf(hash, IsPrintableAscii)) {
    return InvalidArgument(std::string(what) + " must be 1-256 printable characters");
  }
  return Status::Ok();
}

Status ValidateRecoveryHash(std::string_view hash) {
  if (hash.empty()) return Status::Ok();
  return ValidateTokenHash("recovery token hash", hash);
}

Status ValidateTokenId(std::string_view id) {
  if (id.empty() || id.size() > 64 || !AllOf(id, IsIdChar)) {
    return InvalidArgument("token ID must be 1-64 characters of letters, digits, _ and -");
  }
  return Status::Ok();
}

Status ValidateActor(std::string_view actor) {
  return ValidateText("actor", actor, 256, /*allow_empty=*/true);
}

Status ValidateTags(const Tags& tags) { return ValidateMap("tag", tags, kMaxTags, 256); }

Status ValidateMetadata(const Metadata& metadata) {
  return ValidateMap("metadata", metadata, kMaxMetadata, 1024);
}

Status ValidateAgentInfo(const AgentInfo& agent) {
  RETURN_IF_ERROR(ValidateText("agent version", agent.agent_version, 256, true));
  RETURN_IF_ERROR(ValidateText("agent OS", agent.os, 256, true));
  RETURN_IF_ERROR(ValidateText("agent hostname", agent.hostname, 256, true));
  if (agent.uptime_seconds < 0 || agent.uptime_seconds > 10'000'000'000) {
    return InvalidArgument("agent uptime must be between 0 and 10^10 seconds");
  }
  return Status::Ok();
}

Status ValidateNewDevice(const NewDevice& device) {
  RETURN_IF_ERROR(ValidateDeviceId(device.id));
  RETURN_IF_ERROR(ValidateText("device name", device.name, 255, /*allow_empty=*/false));
  return ValidateMetadata(device.metadata);
}

Status ValidateNewCertificate(const CertificateRecord& certificate, std::string_view device_id) {
  RETURN_IF_ERROR(ValidateSerial(certificate.serial));
  if (certificate.device_id != device_id) {
    return InvalidArgument("certificate is not for this device");
  }
  if (ToUnixSeconds(certificate.not_after) <= ToUnixSeconds(certificate.not_before)) {
    return InvalidArgument("certificate not_after must be later than not_before");
  }
  if (certificate.fingerprint.size() != 64 || !AllOf(certificate.fingerprint, IsLowerHex)) {
    return InvalidArgument("certificate fingerprint must be 64 lowercase hex characters (SHA-256)");
  }
  RETURN_IF_ERROR(ValidateText("certificate PEM", certificate.pem, 64 * 1024, true, true));
  if (certificate.revoked_at || certificate.revocation_reason) {
    return InvalidArgument("a new certificate cannot be recorded as revoked");
  }
  return Status::Ok();
}

Status ValidateNewEnrollmentToken(const NewEnrollmentToken& token, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenId(token.id));
  RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token.token_hash));
  RETURN_IF_ERROR(ValidateText("token description", token.description, 256, true));
  if (token.max_uses < 1 || token.max_uses > kMaxTokenUses) {
    return InvalidArgument("token uses must be between 1 and " + std::to_string(kMaxTokenUses));
  }
  if (ToUnixSeconds(token.expires_at) <= ToUnixSeconds(now)) {
    return InvalidArgument("token expiry must be in the future");
  }
  RETURN_IF_ERROR(ValidateTags(token.tags));
  return ValidateActor(token.created_by);
}

Status ValidateNewApiToken(const NewApiToken& token, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenId(token.id));
  RETURN_IF_ERROR(ValidateText("API token name", token.name, 128, /*allow_empty=*/false));
  RETURN_IF_ERROR(ValidateTokenHash("API token hash", token.token_hash));
  if (token.expires_at && ToUnixSeconds(*token.expires_at) <= ToUnixSeconds(now)) {
    return InvalidArgument("API token expiry must be in the future");
  }
  return ValidateActor(token.created_by);
}

Status ValidateEvent(const Event& event) {
  RETURN_IF_ERROR(ValidateActor(event.actor));
  if (event.action.empty() || event.action.size() > 64 || !AllOf(event.action, IsActionChar)) {
    return InvalidArgument("event action must be 1-64 characters of a-z, 0-9, . _ -");
  }
  RETURN_IF_ERROR(ValidateText("event subject", event.subject, 256, true));
  return ValidateText("event detail", event.detail, 4096, true, /*multiline=*/true);
}

Status ValidateLimit(int limit) {
  if (limit < 1 || limit > kMaxPageLimit) {
    return InvalidArgument("page size must be between 1 and " + std::to_string(kMaxPageLimit));
  }
  return Status::Ok();
}

Status ValidatePage(const PageRequest& page) {
  if (page.offset < 0) return InvalidArgument("page offset must not be negative");
  return ValidateLimit(page.limit);
}

Status ValidateDeviceFilter(const DeviceFilter& filter) {
  if (filter.tags.size() > kMaxTagMatches) {
    return InvalidArgument("too many tag filters (at most " + std::to_string(kMaxTagMatches) + ")");
  }
  for (const TagMatch& match : filter.tags) {
    RETURN_IF_ERROR(ValidateKey("tag filter", match.key));
    if (match.value) RETURN_IF_ERROR(ValidateText("tag filter value", *match.value, 256, true));
  }
  return ValidateText("search prefix", filter.prefix, 255, /*allow_empty=*/true);
}

Status ValidateRevocationReason(RevocationReason reason) {
  if (!RevocationReasonFromCode(static_cast<int>(reason))) {
    return InvalidArgument("unknown revocation reason");
  }
  return Status::Ok();
}

Status ValidatePolicyName(std::string_view name) {
  auto ok_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool ok = !name.empty() && name.size() <= 63 && ok_char(name[0]);
  for (char c : name) ok = ok && (ok_char(c) || c == '-');
  if (!ok) {
    return InvalidArgument(
        "policy name must be 1-63 characters of a-z, 0-9 and -, starting with a letter or digit");
  }
  return Status::Ok();
}

Status ValidatePolicyTag(std::string_view tag) {
  const size_t eq = tag.find('=');
  if (eq == std::string_view::npos) {
    return InvalidArgument("policy tag \"" + std::string(tag.substr(0, 80)) +
                           "\" must be key=value");
  }
  RETURN_IF_ERROR(ValidateKey("policy tag", tag.substr(0, eq)));
  return ValidateText("policy tag value", tag.substr(eq + 1), 256, /*allow_empty=*/true);
}

Status ValidateNewPolicy(const NewPolicy& policy) {
  RETURN_IF_ERROR(ValidatePolicyName(policy.name));
  RETURN_IF_ERROR(ValidateText("policy description", policy.description, 256, true));
  if (policy.allow_devices.size() > kMaxPolicyDevices) {
    return InvalidArgument("too many devices in the policy (at most " +
                           std::to_string(kMaxPolicyDevices) + ")");
  }
  if (policy.allow_tags.size() > kMaxPolicyTags) {
    return InvalidArgument("too many tags in the policy (at most " +
                           std::to_string(kMaxPolicyTags) + ")");
  }
  for (const std::string& id : policy.allow_devices) RETURN_IF_ERROR(ValidateDeviceId(id));
  for (const std::string& tag : policy.allow_tags) RETURN_IF_ERROR(ValidatePolicyTag(tag));
  if (policy.min_trust_score && (*policy.min_trust_score < 0 || *policy.min_trust_score > 100)) {
    return InvalidArgument("min_trust_score must be between 0 and 100");
  }
  const std::string& severity = policy.deny_fixable_severity;
  if (!severity.empty() && severity != "medium" && severity != "high" && severity != "critical") {
    return InvalidArgument("deny_fixable_severity must be \"medium\", \"high\" or \"critical\"");
  }
  return Status::Ok();
}

std::pair<std::string, std::string> SplitPolicyTag(std::string_view tag) {
  const size_t eq = tag.find('=');
  return {std::string(tag.substr(0, eq)), std::string(tag.substr(eq + 1))};
}

NewPolicy NormalizePolicy(NewPolicy policy) {
  for (auto* list : {&policy.allow_devices, &policy.allow_tags}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  return policy;
}

}  // namespace wott::store
