// `wott-server init` and `wott-server ca show`: flags and output; the work is in pki.
#ifndef WOTT_CMD_WOTT_SERVER_CA_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_CA_COMMANDS_H_

#include <CLI/CLI.hpp>

#include <string>

namespace wott::cmd {

// Registers the subcommands on `app`. `data_dir` is the global --data-dir value and
// `exit_code` receives the command's result (0 ok, 1 failure).
void AddCaCommands(CLI::App& app, std::string& data_dir, int& exit_code);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_CA_COMMANDS_H_
