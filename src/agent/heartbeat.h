// The heartbeat: POST /v1/ping over mTLS with this machine's facts, so the server knows
// when the device was last seen; the answer carries the server's renew_after. With the
// audit on (agent.json "audit", the default), the body also carries the host audit and the
// package inventory (posture contract section 2): the full package list only when the
// server lacks its hash (DIR/state/inventory.json) or asks for it (inventory_wanted).
// Thread-compatible (the audited form reads and writes DIR/state/inventory.json).
#ifndef WOTT_AGENT_HEARTBEAT_H_
#define WOTT_AGENT_HEARTBEAT_H_

#include <nlohmann/json.hpp>
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
  bool inventory_wanted = false;         // the server lacks the package list it was told of
  bool packages_sent = false;            // the request answered carried the package list
  int requests = 1;                      // 2 when the server's answer asked for the list
};

// Sends one heartbeat without audit data. Fails with the client's errors, or
// ErrorFromResponse's for a non-200 answer (kNotFound when the server has no /v1/ping;
// kPermissionDenied when the device is revoked or deleted).
Result<PingAnswer> SendHeartbeat(const AgentConfig& config, const Identity& identity,
                                 const HostInfo& host, const std::string& agent_version);

// The body's "audit" object: {"host": host} plus, when `inventory` is not null, "inventory".
nlohmann::json AuditBody(const nlohmann::json& host, const nlohmann::json& inventory);

// The daemon's and `wott-agent ping`'s heartbeat. With config.audit false: SendHeartbeat.
// Otherwise it collects the host audit and inventory under config.audit_root and sends
// them; the package list goes along when its hash is not the acknowledged one. When the
// answer says inventory_wanted, one more heartbeat follows at once with the list. A 413 for
// a body with the list (a server that predates the 4 MiB heartbeat limit) is logged once
// per list: the heartbeat is resent without it, and later ones omit it until the list
// changes or the server asks. DIR/state/inventory.json is written (atomically) only after
// a 200. An unreadable inventory sends the host audit alone. Errors as SendHeartbeat's.
Result<PingAnswer> SendAuditedHeartbeat(const AgentPaths& paths, const AgentConfig& config,
                                        const Identity& identity, const HostInfo& host,
                                        const std::string& agent_version);

}  // namespace wott::agent

#endif  // WOTT_AGENT_HEARTBEAT_H_
