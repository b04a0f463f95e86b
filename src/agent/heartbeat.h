// The heartbeat: POST /v1/ping over mTLS with this machine's facts, so the server knows
// when the device was last seen; the answer carries the server's renew_after. Thread-safe.
#ifndef WOTT_AGENT_HEARTBEAT_H_
#define WOTT_AGENT_HEARTBEAT_H_

#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "agent/host_info.h"
#include "agent/identity.h"
#include "base/result.h"

namespace wott::agent {

struct PingAnswer {
  std::string body;                      // the server's JSON, as sent
  std::optional<TimePoint> renew_after;  // when present and valid
};

// Sends one heartbeat. Fails with the client's errors, or ErrorFromResponse's for a
// non-200 answer (kNotFound when the server has no /v1/ping; kPermissionDenied when the
// device is revoked or deleted).
Result<PingAnswer> SendHeartbeat(const AgentConfig& config, const Identity& identity,
                                 const HostInfo& host, const std::string& agent_version);

}  // namespace wott::agent

#endif  // WOTT_AGENT_HEARTBEAT_H_
