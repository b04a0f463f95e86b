// DIR/state/inventory.json: what the agent knows about the server's copy of its package
// list, so that heartbeats carry the full list only when the server lacks it (posture
// contract section 2). Written atomically, and only after the server answered 200. A
// missing or unreadable file means "the server has nothing": the next heartbeat sends the
// list, which is always safe. Pure values plus file I/O; thread-compatible.
#ifndef WOTT_AGENT_INVENTORY_STATE_H_
#define WOTT_AGENT_INVENTORY_STATE_H_

#include <string>
#include <string_view>

#include "agent/agent_config.h"
#include "base/result.h"

namespace wott::agent {

struct InventoryState {
  // The packages_hash the server last acknowledged (answered 200 for, without asking
  // again); "" = none.
  std::string acknowledged_hash;
  // A packages_hash whose list a server refused as too large (413, e.g. a server older than
  // the 4 MiB heartbeat limit): not sent again, and not logged again, until the list
  // changes.
  std::string refused_hash;
};

// kInvalidArgument naming the field on malformed JSON or a field of the wrong type.
Result<InventoryState> ParseInventoryState(std::string_view json);
std::string InventoryStateToJson(const InventoryState& state);

// Reads paths.inventory_state; an empty state when the file does not exist.
Result<InventoryState> LoadInventoryState(const AgentPaths& paths);
// Writes it atomically (mode 0600), creating DIR/state (0700) when needed.
Status SaveInventoryState(const AgentPaths& paths, const InventoryState& state);

}  // namespace wott::agent

#endif  // WOTT_AGENT_INVENTORY_STATE_H_
