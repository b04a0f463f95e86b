// wott-agent ping: one heartbeat now (with the host audit and, when the server lacks it, the
// package list, unless agent.json says "audit": false).
#include <iostream>

#include "agent/heartbeat.h"
#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {

void AddPingCommand(CLI::App& app, AgentFlags& global) {
  CLI::App* cmd = app.add_subcommand(
      "ping", "Send one heartbeat (POST /v1/ping over mTLS) and print the server's answer");
  cmd->callback([&global] {
    if (!StartLogging(global)) return;
    agent::AgentPaths paths = global.paths();
    Result<agent::AgentConfig> config = agent::LoadAgentConfig(paths);
    if (!config.ok()) {
      global.exit_code = PrintError(config.status(), global);
      return;
    }
    Result<agent::Identity> id = agent::LoadIdentity(agent::CertFiles(paths.certs));
    if (!id.ok()) {
      global.exit_code = PrintError(id.status(), global);
      return;
    }
    Result<agent::PingAnswer> answer =
        agent::SendAuditedHeartbeat(paths, *config, *id, agent::ReadHostInfo(), WOTT_VERSION);
    if (!answer.ok()) {
      global.exit_code = PrintError(answer.status(), global);
      return;
    }
    std::string_view body = answer->body;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
    std::cout << body << "\n";
  });
}

}  // namespace wott::cmd
