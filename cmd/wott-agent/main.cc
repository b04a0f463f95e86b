// wott-agent: keeps this device's wott identity (key, certificate, CA bundle) fresh.
// This file only wires subcommands together; each lives in its own *_command.cc.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>

#include "cmd/wott-agent/audit_command.h"
#include "cmd/wott-agent/cli_common.h"
#include "cmd/wott-agent/policy_command.h"
#include "cmd/wott-agent/tunnel_command.h"

int main(int argc, char** argv) {
  CLI::App app{"wott-agent: this device's mTLS identity (enroll, renew, whoami, daemon)"};
  app.set_version_flag("--version", std::string("wott-agent ") + WOTT_VERSION);
  app.require_subcommand(1);

  wott::cmd::AgentFlags flags;
  if (const char* env = std::getenv("WOTT_DIR")) flags.dir = env;
  if (const char* env = std::getenv("WOTT_LOG_LEVEL")) flags.log_level = env;
  app.add_option("--dir", flags.dir,
                 "Agent directory; certificates are in DIR/certs (env WOTT_DIR)")
      ->capture_default_str();
  app.add_option("--log-level", flags.log_level,
                 "trace, debug, info, warn, error or off (env WOTT_LOG_LEVEL)")
      ->capture_default_str();

  wott::cmd::AddEnrollCommand(app, flags);
  wott::cmd::AddWhoamiCommand(app, flags);
  wott::cmd::AddStatusCommand(app, flags);
  wott::cmd::AddRenewCommand(app, flags);
  wott::cmd::AddPingCommand(app, flags);
  wott::cmd::AddDaemonCommand(app, flags);
  wott::cmd::AddTunnelCommand(app, flags);
  wott::cmd::AddPolicyCommand(app, flags);
  wott::cmd::AddAuditCommand(app, flags);
  // Global flags such as --dir may also follow a subcommand.
  for (CLI::App* sub : app.get_subcommands({})) sub->fallthrough();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // usage errors exit 2; --help and --version exit 0
  }
  return flags.exit_code;
}
