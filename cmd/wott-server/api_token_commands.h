// `wott-server api-token create|list|revoke`: the Bearer tokens of the admin API.
#ifndef WOTT_CMD_WOTT_SERVER_API_TOKEN_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_API_TOKEN_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

// Registers `api-token` and its subcommands on `app`; they set flags.exit_code.
void AddApiTokenCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_API_TOKEN_COMMANDS_H_
