// wott-agent status: the identity, its validity and the last renewal attempt.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "agent/identity.h"
#include "base/encoding.h"
#include "cmd/wott-agent/cli_common.h"
#include "pki/certificate.h"

namespace wott::cmd {
namespace {

nlohmann::json OptionalTime(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatRfc3339(*t)) : nlohmann::json(nullptr);
}

int RunStatus(const AgentFlags& global, bool json) {
  agent::AgentPaths paths = global.paths();
  Result<agent::AgentConfig> config = agent::LoadAgentConfig(paths);
  if (!config.ok()) return PrintError(config.status(), global);
  Result<agent::Identity> id = agent::LoadIdentity(agent::CertFiles(paths.certs));
  if (!id.ok()) return PrintError(id.status(), global);
  Result<agent::AgentState> state = agent::LoadAgentState(paths);
  if (!state.ok()) return PrintError(state.status(), global);

  const TimePoint now = RealClock::Instance().Now();
  const double days_left =
      std::chrono::duration<double>(id->info.not_after - now).count() / 86400.0;
  nlohmann::json out = {
      {"device_id", id->info.device_id},
      {"server", config->server_url},
      {"serial", id->info.serial},
      {"key", pki::DescribeKey(id->key.get())},
      {"not_before", FormatRfc3339(id->info.not_before)},
      {"not_after", FormatRfc3339(id->info.not_after)},
      {"renew_after", FormatRfc3339(id->info.renew_after)},
      {"days_left", std::round(days_left * 100) / 100},
      {"expired", now >= id->info.not_after},
      {"renewal_due", now >= id->info.renew_after},
      {"certs_dir", paths.certs.string()},
      {"last_attempt", OptionalTime(state->last_attempt)},
      {"last_result",
       state->last_result.empty() ? nlohmann::json(nullptr) : nlohmann::json(state->last_result)},
      {"last_error",
       state->last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(state->last_error)},
      {"last_success", OptionalTime(state->last_success)}};
  if (json) {
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  auto text = [](const nlohmann::json& v) {
    return v.is_null() ? std::string("never") : v.is_string() ? v.get<std::string>() : v.dump();
  };
  std::cout << "device:       " << id->info.device_id << "\n"
            << "server:       " << config->server_url << "\n"
            << "serial:       " << id->info.serial << " (" << out["key"].get<std::string>() << ")\n"
            << "valid:        " << text(out["not_before"]) << " .. " << text(out["not_after"])
            << (out["expired"].get<bool>() ? "  EXPIRED" : "") << "\n"
            << "days left:    " << text(out["days_left"]) << "\n"
            << "renew after:  " << text(out["renew_after"])
            << (out["renewal_due"].get<bool>() ? "  (due)" : "") << "\n"
            << "last renewal: " << text(out["last_attempt"]);
  if (!state->last_result.empty()) std::cout << " (" << state->last_result << ")";
  std::cout << "\n";
  if (!state->last_error.empty()) std::cout << "last error:   " << state->last_error << "\n";
  std::cout << "files:        " << paths.certs.string() << "\n";
  return 0;
}

}  // namespace

void AddStatusCommand(CLI::App& app, AgentFlags& global) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("status", "Show the identity, its validity and the last renewal attempt");
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->callback([&global, json] {
    if (!StartLogging(global)) return;
    global.exit_code = RunStatus(global, *json);
  });
}

}  // namespace wott::cmd
