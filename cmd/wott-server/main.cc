// wott-server: the certificate authority, its HTTPS API and the admin commands.
// This file only wires subcommands together; each lives in its own *_commands.cc.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>

#include "cmd/wott-server/api_token_commands.h"
#include "cmd/wott-server/ca_commands.h"
#include "cmd/wott-server/cli_common.h"
#include "cmd/wott-server/cve_commands.h"
#include "cmd/wott-server/db_commands.h"
#include "cmd/wott-server/device_commands.h"
#include "cmd/wott-server/policy_commands.h"
#include "cmd/wott-server/serve_command.h"
#include "cmd/wott-server/token_commands.h"
#include "cmd/wott-server/user_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"wott-server: private CA and device registry for mutual TLS"};
  app.set_version_flag("--version", std::string("wott-server ") + WOTT_VERSION);
  app.require_subcommand(1);

  wott::cmd::GlobalFlags flags;
  if (const char* env = std::getenv("WOTT_DATA_DIR")) flags.data_dir = env;
  if (const char* env = std::getenv("WOTT_DB")) flags.db = env;
  if (const char* env = std::getenv("WOTT_LOG_LEVEL")) flags.log_level = env;
  app.add_option("--data-dir", flags.data_dir, "Server data directory (env WOTT_DATA_DIR)")
      ->capture_default_str();
  app.add_option(
      "--db", flags.db,
      "Registry DSN: sqlite:/path/registry.db or postgres://user@host/db (env WOTT_DB; default: "
      "registry.db in the data directory)");
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error or off (env WOTT_LOG_LEVEL)")
      ->capture_default_str();

  wott::cmd::AddCaCommands(app, flags);
  wott::cmd::AddServeCommand(app, flags);
  wott::cmd::AddTokenCommands(app, flags);
  wott::cmd::AddDeviceCommands(app, flags);
  wott::cmd::AddPolicyCommands(app, flags);
  wott::cmd::AddApiTokenCommands(app, flags);
  wott::cmd::AddDbCommands(app, flags);
  wott::cmd::AddCveCommands(app, flags);
  wott::cmd::AddUserCommands(app, flags);
  // Global flags such as --data-dir may also follow a subcommand.
  std::function<void(CLI::App*)> fall_through = [&](CLI::App* command) {
    for (CLI::App* sub : command->get_subcommands({})) {
      sub->fallthrough();
      fall_through(sub);
    }
  };
  fall_through(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // Usage errors exit 2 like other Unix tools; --help and --version exit 0.
    return rc == 0 ? 0 : 2;
  }
  return flags.exit_code;
}
