// The agent's own files beside its certificates: where they live under --dir (AgentPaths),
// agent.json (AgentConfig, written at enroll, re-read on SIGHUP) and state.json (AgentState,
// the outcome of the last renewal attempt). Parsing never throws: malformed JSON or a field
// of the wrong type is kInvalidArgument naming the file and the field. Pure values;
// thread-compatible.
#ifndef WOTT_AGENT_AGENT_CONFIG_H_
#define WOTT_AGENT_AGENT_CONFIG_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace wott::agent {

// Every path the agent uses under its directory (the --dir flag, default /opt/wott).
struct AgentPaths {
  explicit AgentPaths(std::filesystem::path dir);

  std::filesystem::path dir;
  std::filesystem::path config;           // DIR/agent.json
  std::filesystem::path state;            // DIR/state.json
  std::filesystem::path lock;             // DIR/agent.lock, held while the certificates change
  std::filesystem::path certs;            // DIR/certs, what nginx/ghostunnel/curl read
  std::filesystem::path inventory_state;  // DIR/state/inventory.json (inventory_state.h)
};

struct AgentConfig {
  // The server's base URL, "https://host:port" (no trailing slash).
  std::string server_url;
  // SHA-256 of the pinned root certificate, 64 lowercase hex.
  std::string ca_fingerprint;
  // Key type of new keys: "p256", "ed25519" or "rsa3072".
  std::string key_type = "p256";
  // Commands run with /bin/sh -c after each successful renewal (the command line's
  // --on-renew commands are added to these).
  std::vector<std::string> on_renew;
  // Send the host audit and package inventory in heartbeats ("audit": false turns it off).
  bool audit = true;
  // The root of the audited system: "/" on a device; a crafted tree in tests (with its own
  // etc/, proc/, var/lib/dpkg/status).
  std::string audit_root = "/";
};

// Parses agent.json. kInvalidArgument (message names the field) on malformed JSON, a
// missing server_url, a field of the wrong type, or an empty or relative audit_root.
Result<AgentConfig> ParseAgentConfig(std::string_view json);
std::string AgentConfigToJson(const AgentConfig& config);

// Reads DIR/agent.json. kNotFound with "not enrolled (no DIR/agent.json; run wott-agent
// enroll)" when it is missing.
Result<AgentConfig> LoadAgentConfig(const AgentPaths& paths);
// Writes DIR/agent.json atomically with mode 0600.
Status SaveAgentConfig(const AgentPaths& paths, const AgentConfig& config);

struct AgentState {
  std::optional<TimePoint> last_attempt;
  std::string last_result;  // "ok" or a status code name ("unavailable", ...); "" = never
  std::string last_error;   // the user-safe message of the last failure; "" after success
  std::optional<TimePoint> last_success;
};

Result<AgentState> ParseAgentState(std::string_view json);
std::string AgentStateToJson(const AgentState& state);
// Reads DIR/state.json; an empty state when the file does not exist.
Result<AgentState> LoadAgentState(const AgentPaths& paths);
// Writes DIR/state.json atomically with mode 0600.
Status SaveAgentState(const AgentPaths& paths, const AgentState& state);

// Records one attempt's outcome in state.json (best effort: a failure to write is logged,
// never returned, so it cannot hide the outcome itself).
void RecordAttempt(const AgentPaths& paths, TimePoint now, const Status& outcome);

}  // namespace wott::agent

#endif  // WOTT_AGENT_AGENT_CONFIG_H_
