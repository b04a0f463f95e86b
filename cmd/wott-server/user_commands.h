#ifndef WOTT_CMD_WOTT_SERVER_USER_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_USER_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

// Registers `user add|list|delete|passwd` (dashboard accounts) on `app`; they set
// flags.exit_code: 0 done, 1 failed (name taken, unknown user, registry error), 2 bad input
// (malformed name, password too short, passwords that differ).
void AddUserCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_USER_COMMANDS_H_
