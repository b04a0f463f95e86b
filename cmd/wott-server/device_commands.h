// `wott-server device list|show|revoke|delete|tag|metadata`: the operator's view of the
// fleet, straight on the registry (no running server needed). Same filters, JSON
// (admin_render.h) and event log entries (actor "cli") as the admin API.
#ifndef WOTT_CMD_WOTT_SERVER_DEVICE_COMMANDS_H_
#define WOTT_CMD_WOTT_SERVER_DEVICE_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "cmd/wott-server/cli_common.h"

namespace wott::cmd {

// Registers `device` and its subcommands on `app`; they set flags.exit_code.
void AddDeviceCommands(CLI::App& app, GlobalFlags& flags);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_DEVICE_COMMANDS_H_
