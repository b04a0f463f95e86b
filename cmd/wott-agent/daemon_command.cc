// wott-agent daemon: keeps the identity fresh until SIGTERM.
#include <memory>

#include "agent/daemon.h"
#include "base/encoding.h"
#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {
namespace {

struct DaemonFlags {
  std::vector<std::string> on_renew;
  std::string heartbeat_interval = "1h";
};

int RunDaemonCommand(const AgentFlags& global, const DaemonFlags& flags) {
  Result<Duration> interval = ParseDuration(flags.heartbeat_interval);
  if (!interval.ok())
    return PrintError(interval.status().WithContext("--heartbeat-interval"), global);
  agent::DaemonOptions options;
  options.extra_on_renew = flags.on_renew;
  options.heartbeat_interval = *interval;
  options.agent_version = WOTT_VERSION;
  return agent::RunDaemon(global.paths(), options, RealClock::Instance());
}

}  // namespace

void AddDaemonCommand(CLI::App& app, AgentFlags& global) {
  auto flags = std::make_shared<DaemonFlags>();
  CLI::App* cmd = app.add_subcommand(
      "daemon", "Renew automatically, run hooks, send heartbeats (until SIGTERM; SIGHUP reloads)");
  cmd->add_option("--on-renew", flags->on_renew,
                  "Command to run (with /bin/sh -c) after each renewal (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--heartbeat-interval", flags->heartbeat_interval,
                  "Time between heartbeats (e.g. 1h, 15m)")
      ->capture_default_str();
  cmd->callback([&global, flags] {
    if (!StartLogging(global)) return;
    global.exit_code = RunDaemonCommand(global, *flags);
  });
}

}  // namespace wott::cmd
