// wott-agent renew: renews now when due (or forced) and runs the on-renew hooks.
#include <iostream>
#include <memory>

#include "agent/hooks.h"
#include "agent/renew.h"
#include "base/encoding.h"
#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {
namespace {

struct RenewFlags {
  agent::RenewOptions options;
  std::vector<std::string> on_renew;
};

int RunRenew(const AgentFlags& global, const RenewFlags& flags) {
  agent::AgentPaths paths = global.paths();
  Result<agent::AgentConfig> config = agent::LoadAgentConfig(paths);
  if (!config.ok()) return PrintError(config.status(), global);
  Result<agent::RenewResult> result =
      agent::Renew(paths, *config, flags.options, RealClock::Instance());
  if (!result.ok()) return PrintError(result.status(), global);
  const agent::IdentityInfo& info = result->identity.info;
  if (result->outcome == agent::RenewOutcome::kNotDue) {
    std::cout << "not due until " << FormatRfc3339(info.renew_after)
              << " (use --force to renew now)\n";
    return 0;
  }
  std::cout << (result->outcome == agent::RenewOutcome::kRecovered ? "Recovered " : "Renewed ")
            << info.device_id << ": serial " << info.serial << ", valid until "
            << FormatRfc3339(info.not_after) << "\n";
  std::vector<std::string> hooks = config->on_renew;
  hooks.insert(hooks.end(), flags.on_renew.begin(), flags.on_renew.end());
  int failed = agent::RunHooks(hooks, agent::HookEnv{info.device_id, paths.certs.string()},
                               std::chrono::seconds(60));
  if (failed > 0) {
    return PrintError(Internal(std::to_string(failed) + " on-renew hook(s) failed (see above)"),
                      global);
  }
  return 0;
}

}  // namespace

void AddRenewCommand(CLI::App& app, AgentFlags& global) {
  auto flags = std::make_shared<RenewFlags>();
  CLI::App* cmd = app.add_subcommand(
      "renew", "Renew the certificate when due (expired: recovery; revoked: refused)");
  cmd->add_flag("--force", flags->options.force, "Renew even if not due yet");
  cmd->add_flag("--keep-key", flags->options.keep_key, "Keep the current private key");
  cmd->add_option("--on-renew", flags->on_renew,
                  "Command to run (with /bin/sh -c) after a renewal (repeatable)")
      ->allow_extra_args(false);
  cmd->callback([&global, flags] {
    if (!StartLogging(global)) return;
    global.exit_code = RunRenew(global, *flags);
  });
}

}  // namespace wott::cmd
