// wott-server: the certificate authority, its HTTPS API and the admin commands.
// This file only wires subcommands together; each lives in its own *_commands.cc.
#include <CLI/CLI.hpp>

#include <cstdlib>

#include "cmd/wott-server/ca_commands.h"

int main(int argc, char** argv) {
  CLI::App app{"wott-server: private CA and device registry for mutual TLS"};
  app.set_version_flag("--version", std::string("wott-server ") + WOTT_VERSION);
  app.require_subcommand(1);
  std::string data_dir = "/var/lib/wott";
  if (const char* env = std::getenv("WOTT_DATA_DIR")) data_dir = env;
  app.add_option("--data-dir", data_dir, "Server data directory (env WOTT_DATA_DIR)")
      ->capture_default_str();

  int exit_code = 0;
  wott::cmd::AddCaCommands(app, data_dir, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // Usage errors exit 2 like other Unix tools; --help and --version exit 0.
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
