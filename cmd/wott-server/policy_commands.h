// `wott-server policy list|show|set|delete`: trust policies (issue 5) straight on the
// registry (no running server needed). Same validation and JSON (server/policy_json.h) and
// event log entries (actor "cli") as the admin API.
#ifndef WOTT_CMD_WOTT_SERVER_POLICY_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_POLICY_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

// Registers `policy` and its subcommands on `app`; they set flags.exit_code.
void AddPolicyCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_POLICY_COMMANDS_H_
