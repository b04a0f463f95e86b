// `wott-server init` and `wott-server ca show`: flags and output; the work is in pki.
#ifndef WOTT_CMD_WOTT_SERVER_CA_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_CA_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <string>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

// Registers `init` and `ca show` on `app`; they set flags.exit_code.
void AddCaCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_CA_COMMANDS_H_
