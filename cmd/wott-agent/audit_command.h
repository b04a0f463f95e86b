// wott-agent audit [--json] [--root DIR]: this host's security posture (sshd settings,
// listening sockets, reboot required, unattended upgrades, insecure services).
#ifndef WOTT_CMD_WOTT_AGENT_AUDIT_COMMAND_H_
#define WOTT_CMD_WOTT_AGENT_AUDIT_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {

void AddAuditCommand(CLI::App& app, AgentFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_AGENT_AUDIT_COMMAND_H_
