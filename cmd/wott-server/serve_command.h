// `wott-server serve`: runs the CA's HTTPS API until SIGTERM/SIGINT.
#ifndef WOTT_CMD_WOTT_SERVER_SERVE_COMMAND_H_
#define WOTT_CMD_WOTT_SERVER_SERVE_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

void AddServeCommand(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_SERVE_COMMAND_H_
