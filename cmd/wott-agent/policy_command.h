// wott-agent policy render: prints (or writes atomically) a central policy's allowed devices
// as an nginx map include or JSON, for servers that are not the tunnel (examples/nginx).
#ifndef WOTT_CMD_WOTT_AGENT_POLICY_COMMAND_H_
#define WOTT_CMD_WOTT_AGENT_POLICY_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {

void AddPolicyCommand(CLI::App& app, AgentFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_AGENT_POLICY_COMMAND_H_
