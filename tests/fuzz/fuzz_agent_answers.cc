// Fuzzes what the agent parses from the server and from its own files: agent.json
// (ParseAgentConfig), state.json (ParseAgentState), an error answer (ErrorFromResponse,
// ServerErrorCode) and an issued-certificate answer (CertSetFromIssued, with the fixed device
// key below: corpus/fuzz_agent_answers/issued_* hold a real chain for it). The first byte
// picks the parser (and, for answers, the HTTP status / expected device ID).
// Invariants: an accepted file re-serialises to text that parses to the same serialisation;
// an error Status is never OK and carries the HTTP status in its detail; an accepted
// certificate answer passes CheckCertSet with our key and names the expected device.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/agent_config.h"
#include "agent/cert_files.h"
#include "agent/server_api.h"

namespace {

// Test-only P-256 key of the seed certificate (CN 0123456789abcdef0123456789abcdef).
constexpr char kDeviceKeyPem[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8LGb9Ly65DeAid+i
qDUYHBhGSap9SoIK9nNXbbBHtomhRANCAARKJyKKmpiY7DLjO6gXmNPdFSNsRbnr
AvJGAgtj0hwm9HitRcF8gkHSSDT9p27fjC4JNZkPNLI3u5nAtRIocC2O
-----END PRIVATE KEY-----
)";
constexpr char kDeviceId[] = "0123456789abcdef0123456789abcdef";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (selector % 4) {
    case 0: {
      wott::Result<wott::agent::AgentConfig> config = wott::agent::ParseAgentConfig(text);
      if (!config.ok()) {
        if (config.status().code() != wott::StatusCode::kInvalidArgument) __builtin_trap();
        break;
      }
      if (config->server_url.empty() || config->audit_root.empty() ||
          config->audit_root.front() != '/') {
        __builtin_trap();
      }
      const std::string once = wott::agent::AgentConfigToJson(*config);
      wott::Result<wott::agent::AgentConfig> again = wott::agent::ParseAgentConfig(once);
      if (!again.ok() || wott::agent::AgentConfigToJson(*again) != once) __builtin_trap();
      break;
    }
    case 1: {
      wott::Result<wott::agent::AgentState> state = wott::agent::ParseAgentState(text);
      if (!state.ok()) {
        if (state.status().code() != wott::StatusCode::kInvalidArgument) __builtin_trap();
        break;
      }
      const std::string once = wott::agent::AgentStateToJson(*state);
      wott::Result<wott::agent::AgentState> again = wott::agent::ParseAgentState(once);
      if (!again.ok() || wott::agent::AgentStateToJson(*again) != once) __builtin_trap();
      break;
    }
    case 2: {
      static constexpr int kStatuses[] = {400, 401, 403, 404, 409, 413, 429, 500, 502, 503};
      wott::net::HttpResponse response;
      response.status = kStatuses[(selector / 4) % 10];
      response.body = std::string(text);
      const wott::Status status = wott::agent::ErrorFromResponse(response, "renew");
      const std::string code = wott::agent::ServerErrorCode(response);
      if (status.ok() || !status.message().starts_with("renew: ") ||
          !status.detail().starts_with("HTTP " + std::to_string(response.status)) ||
          (!code.empty() && status.detail().find(code) == std::string::npos)) {
        __builtin_trap();
      }
      break;
    }
    case 3: {
      const std::string_view expected = (selector & 4) ? kDeviceId : "";
      wott::Result<wott::agent::CertSet> set =
          wott::agent::CertSetFromIssued(text, kDeviceKeyPem, expected);
      if (!set.ok()) {
        if (set.status().code() != wott::StatusCode::kInvalidArgument) __builtin_trap();
        break;
      }
      if (set->client_key != kDeviceKeyPem || set->identity_json.empty() ||
          !wott::agent::CheckCertSet(*set).ok()) {
        __builtin_trap();
      }
      if (!expected.empty() && set->identity_json.find(expected) == std::string::npos) {
        __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
