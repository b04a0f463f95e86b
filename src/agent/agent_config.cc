#include "agent/agent_config.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/file.h"

namespace wott::agent {
namespace {

using nlohmann::json;

constexpr size_t kMaxFileBytes = 64 * 1024;

Result<json> ParseObject(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument(std::string(what) + " is not valid JSON");
  if (!j.is_object()) return InvalidArgument(std::string(what) + " is not a JSON object");
  return j;
}

// The string field `key`: "" when absent; kInvalidArgument when not a string.
Result<std::string> StringField(const json& j, const char* key, std::string_view what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    return InvalidArgument(std::string(what) + ": \"" + key + "\" must be a string");
  }
  return it->get<std::string>();
}

Result<std::optional<TimePoint>> TimeField(const json& j, const char* key, std::string_view what) {
  ASSIGN_OR_RETURN(std::string text, StringField(j, key, what));
  if (text.empty()) return std::optional<TimePoint>();
  Result<TimePoint> t = ParseRfc3339(text);
  if (!t.ok()) {
    return InvalidArgument(std::string(what) + ": \"" + key + "\" is not an RFC 3339 time");
  }
  return std::optional<TimePoint>(*t);
}

json TimeJson(const std::optional<TimePoint>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

}  // namespace

AgentPaths::AgentPaths(std::filesystem::path d)
    : dir(std::move(d)),
      config(dir / "agent.json"),
      state(dir / "state.json"),
      lock(dir / "agent.lock"),
      certs(dir / "certs"),
      inventory_state(dir / "state" / "inventory.json") {}

Result<AgentConfig> ParseAgentConfig(std::string_view text) {
  constexpr std::string_view kWhat = "agent.json";
  ASSIGN_OR_RETURN(json j, ParseObject(text, kWhat));
  AgentConfig config;
  ASSIGN_OR_RETURN(config.server_url, StringField(j, "server_url", kWhat));
  if (config.server_url.empty()) return InvalidArgument("agent.json: \"server_url\" is missing");
  ASSIGN_OR_RETURN(config.ca_fingerprint, StringField(j, "ca_fingerprint", kWhat));
  ASSIGN_OR_RETURN(std::string key_type, StringField(j, "key_type", kWhat));
  if (!key_type.empty()) config.key_type = key_type;
  if (auto it = j.find("on_renew"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) {
      return InvalidArgument("agent.json: \"on_renew\" must be a list of commands");
    }
    for (const json& cmd : *it) {
      if (!cmd.is_string() || cmd.get<std::string>().empty()) {
        return InvalidArgument("agent.json: \"on_renew\" entries must be non-empty strings");
      }
      config.on_renew.push_back(cmd.get<std::string>());
    }
  }
  if (auto it = j.find("audit"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return InvalidArgument("agent.json: \"audit\" must be true or false");
    config.audit = it->get<bool>();
  }
  ASSIGN_OR_RETURN(std::string audit_root, StringField(j, "audit_root", kWhat));
  if (j.contains("audit_root") && !j["audit_root"].is_null()) {
    if (audit_root.empty() || audit_root.front() != '/') {
      return InvalidArgument("agent.json: \"audit_root\" must be an absolute directory");
    }
    config.audit_root = audit_root;
  }
  return config;
}

std::string AgentConfigToJson(const AgentConfig& config) {
  json j = {{"server_url", config.server_url}, {"ca_fingerprint", config.ca_fingerprint},
            {"key_type", config.key_type},     {"on_renew", config.on_renew},
            {"audit", config.audit},           {"audit_root", config.audit_root}};
  return j.dump(2) + "\n";
}

Result<AgentConfig> LoadAgentConfig(const AgentPaths& paths) {
  Result<std::string> text = ReadFile(paths.config, kMaxFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFound("not enrolled (no " + paths.config.string() +
                      "; run: wott-agent enroll --dir " + paths.dir.string() + " ...)");
    }
    return text.status();
  }
  Result<AgentConfig> config = ParseAgentConfig(*text);
  if (!config.ok()) return config.status().WithContext(paths.config.string());
  return config;
}

Status SaveAgentConfig(const AgentPaths& paths, const AgentConfig& config) {
  return WriteFileAtomically(paths.config, AgentConfigToJson(config), 0600);
}

Result<AgentState> ParseAgentState(std::string_view text) {
  constexpr std::string_view kWhat = "state.json";
  ASSIGN_OR_RETURN(json j, ParseObject(text, kWhat));
  AgentState state;
  ASSIGN_OR_RETURN(state.last_attempt, TimeField(j, "last_attempt", kWhat));
  ASSIGN_OR_RETURN(state.last_result, StringField(j, "last_result", kWhat));
  ASSIGN_OR_RETURN(state.last_error, StringField(j, "last_error", kWhat));
  ASSIGN_OR_RETURN(state.last_success, TimeField(j, "last_success", kWhat));
  return state;
}

std::string AgentStateToJson(const AgentState& state) {
  json j = {{"last_attempt", TimeJson(state.last_attempt)},
            {"last_result", state.last_result},
            {"last_error", state.last_error},
            {"last_success", TimeJson(state.last_success)}};
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<AgentState> LoadAgentState(const AgentPaths& paths) {
  Result<std::string> text = ReadFile(paths.state, kMaxFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return AgentState{};
    return text.status();
  }
  Result<AgentState> state = ParseAgentState(*text);
  if (!state.ok()) return state.status().WithContext(paths.state.string());
  return state;
}

Status SaveAgentState(const AgentPaths& paths, const AgentState& state) {
  return WriteFileAtomically(paths.state, AgentStateToJson(state), 0600);
}

void RecordAttempt(const AgentPaths& paths, TimePoint now, const Status& outcome) {
  Result<AgentState> loaded = LoadAgentState(paths);
  AgentState state = loaded.ok() ? *loaded : AgentState{};
  state.last_attempt = now;
  if (outcome.ok()) {
    state.last_result = "ok";
    state.last_error.clear();
    state.last_success = now;
  } else {
    state.last_result = std::string(StatusCodeName(outcome.code()));
    state.last_error = outcome.message();
  }
  if (Status s = SaveAgentState(paths, state); !s.ok()) {
    spdlog::warn("cannot record the renewal outcome in {}: {}", paths.state.string(), s.message());
  }
}

}  // namespace wott::agent
