#include "cmd/wott-server/serve_command.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "base/encoding.h"
#include "base/logging.h"
#include "server/app.h"
#include "store/postgres/postgres_store.h"

namespace wott::cmd {
namespace {

struct ServeFlags {
  std::string listen = "0.0.0.0:8443";
  std::string device_lifetime = "7d";
  std::string recovery_grace = "30d";
  std::string session_ttl = "12h";
  std::string web_root;  // "" = the dashboard embedded in the binary
  int workers = 16;  // each waiting registry commit holds one; 16 measured best (PERFORMANCE.md)
};

int RunServe(const GlobalFlags& global, const ServeFlags& flags) {
  if (Status s = InitLogging(global.log_level); !s.ok()) return PrintError(s);
  server::AppOptions options;
  options.data_dir = global.data_dir;
  options.listen = flags.listen;
  options.db = RegistryDsn(global);
  options.worker_threads = flags.workers;
  options.web_root = flags.web_root;
  Result<Duration> lifetime = ParseDuration(flags.device_lifetime);
  if (!lifetime.ok()) return PrintError(lifetime.status().WithContext("--device-lifetime"));
  options.ca.device_lifetime = *lifetime;
  Result<Duration> grace = ParseDuration(flags.recovery_grace);
  if (!grace.ok()) return PrintError(grace.status().WithContext("--recovery-grace"));
  options.ca.recovery_grace = *grace;
  Result<Duration> session_ttl = ParseDuration(flags.session_ttl);
  if (!session_ttl.ok()) return PrintError(session_ttl.status().WithContext("--session-ttl"));
  options.ca.session_lifetime = *session_ttl;

  Result<std::unique_ptr<server::App>> app = server::App::Start(options, &RealClock::Instance());
  if (!app.ok()) return PrintError(app.status());
  (*app)->StopOnSignals();
  spdlog::info("wott-server listening on {} (port {}), registry {}, device lifetime {}",
               flags.listen, (*app)->port(), store::RedactDatabaseUrl(options.db),
               FormatDuration(*lifetime));
  (*app)->Wait();
  spdlog::info("wott-server stopped");
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalFlags& global) {
  auto flags = std::make_shared<ServeFlags>();
  if (const char* env = std::getenv("WOTT_LISTEN")) flags->listen = env;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTPS API (until SIGTERM or SIGINT)");
  serve->add_option("--listen", flags->listen, "HOST:PORT to listen on (env WOTT_LISTEN)")
      ->capture_default_str();
  serve
      ->add_option("--device-lifetime", flags->device_lifetime,
                   "Lifetime of device certificates (e.g. 7d, 24h)")
      ->capture_default_str();
  serve
      ->add_option("--recovery-grace", flags->recovery_grace,
                   "How long after expiry a device may recover with its recovery token")
      ->capture_default_str();
  serve
      ->add_option("--session-ttl", flags->session_ttl,
                   "How long a dashboard login lasts (absolute, 5m to 30d)")
      ->capture_default_str();
  serve->add_option("--workers", flags->workers, "Threads that sign and talk to the registry")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve->add_option("--web-root", flags->web_root,
                    "Serve the dashboard from this directory instead of the embedded copy "
                    "(for developing it)");
  serve->callback([&global, flags] { global.exit_code = RunServe(global, *flags); });
}

}  // namespace wott::cmd
