// What every wott-agent subcommand shares: the global flags and printing errors.
#ifndef WOTT_CMD_WOTT_AGENT_CLI_COMMON_H_
#define WOTT_CMD_WOTT_AGENT_CLI_COMMON_H_

#include <CLI/CLI.hpp>
#include <string>

#include "agent/agent_config.h"
#include "base/status.h"

namespace wott::cmd {

struct AgentFlags {
  std::string dir = "/opt/wott";  // env WOTT_DIR
  std::string log_level = "info";
  int exit_code = 0;  // set by the subcommand that ran

  agent::AgentPaths paths() const { return agent::AgentPaths(dir); }
};

// Prints "error: <message>" to stderr (the detail too at --log-level debug); returns 1.
int PrintError(const Status& status, const AgentFlags& flags);

// Sets up logging; false (after printing why) on a bad --log-level.
bool StartLogging(AgentFlags& flags);

void AddEnrollCommand(CLI::App& app, AgentFlags& flags);
void AddWhoamiCommand(CLI::App& app, AgentFlags& flags);
void AddStatusCommand(CLI::App& app, AgentFlags& flags);
void AddRenewCommand(CLI::App& app, AgentFlags& flags);
void AddPingCommand(CLI::App& app, AgentFlags& flags);
void AddDaemonCommand(CLI::App& app, AgentFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_AGENT_CLI_COMMON_H_
