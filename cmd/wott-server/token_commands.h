// `wott-server token create|list|revoke`: enrollment tokens.
#ifndef WOTT_CMD_WOTT_SERVER_TOKEN_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_TOKEN_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

void AddTokenCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_TOKEN_COMMANDS_H_
