// `wott-server cve import | scan | info`: load vulnerability data (Debian Security Tracker
// JSON, OSV) into DATA_DIR/vulndb.sqlite, and match a dpkg inventory against it.
#ifndef WOTT_CMD_WOTT_SERVER_CVE_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_CVE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

void AddCveCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_CVE_COMMANDS_H_
