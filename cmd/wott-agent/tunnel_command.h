// wott-agent tunnel: the mTLS tunnel (server, client, or several from a config file).
#ifndef WOTT_CMD_WOTT_AGENT_TUNNEL_COMMAND_H_
#define WOTT_CMD_WOTT_AGENT_TUNNEL_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {

void AddTunnelCommand(CLI::App& app, AgentFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_AGENT_TUNNEL_COMMAND_H_
