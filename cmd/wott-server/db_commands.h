// `wott-server db migrate | export | import`: bring a registry to this binary's schema, and
// move a registry between databases (SQLite -> PostgreSQL) through a JSON-lines file.
#ifndef WOTT_CMD_WOTT_SERVER_DB_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_DB_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

void AddDbCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_DB_COMMANDS_H_
