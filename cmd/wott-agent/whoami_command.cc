// wott-agent whoami: prints this device's ID, read from client.crt's CN.
#include <iostream>

#include "agent/identity.h"
#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {

void AddWhoamiCommand(CLI::App& app, AgentFlags& global) {
  CLI::App* cmd = app.add_subcommand("whoami", "Print this device's ID (<hex>.d.<domain>)");
  cmd->callback([&global] {
    if (!StartLogging(global)) return;
    Result<agent::Identity> id = agent::LoadIdentity(agent::CertFiles(global.paths().certs));
    if (!id.ok()) {
      global.exit_code = PrintError(id.status(), global);
      return;
    }
    std::cout << id->info.device_id << "\n";
  });
}

}  // namespace wott::cmd
