// wott-agent tunnel server|client|--config: wires flags into tunnel::TunnelService and runs
// the supervisor loop (signals, file polling, CRL refresh). Flag names follow ghostunnel.
#include "cmd/wott-agent/tunnel_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <ctime>
#include <iostream>
#include <memory>

#include "base/encoding.h"
#include "base/file.h"
#include "tunnel/config_file.h"
#include "tunnel/tunnel_service.h"

namespace wott::cmd {
namespace {

struct TunnelFlags {
  // One tunnel (server/client subcommands).
  std::string listen;
  std::string target;
  std::string keystore;
  std::string cacert;
  bool allow_all = false;
  std::vector<std::string> allow_cn;
  std::vector<std::string> allow_device;
  std::vector<std::string> allow_uri;
  std::vector<std::string> allow_dns;
  std::vector<std::string> allow_tag;
  std::vector<std::string> allow_policy;
  std::string override_server_name;
  std::vector<std::string> verify_device;
  std::string domain = "wott.local";
  bool unsafe_target = false;
  bool unsafe_listen = false;
  std::string handshake_timeout = "10s";
  std::string connect_timeout = "10s";
  std::string idle_timeout = "1h";
  int max_connections = 1024;
  // The whole process.
  std::string config;
  std::string status;
  bool no_crl = false;
  bool crl_fail_open = false;
  std::string crl_refresh = "1h";
  bool crl_refresh_set = false;  // given on the command line (overrides the config file)
  std::string policy_refresh = "5s";
  bool policy_refresh_set = false;
  std::string poll_interval = "1s";
};

// Exit 2 with the message: bad flags or configuration.
int UsageError(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  return 2;
}

// A duration flag: ParseDuration's forms ("10s", "1h30m") or whole milliseconds ("200ms").
Result<std::chrono::milliseconds> Millis(const std::string& text, const char* flag) {
  auto bad = [&] {
    return InvalidArgument(std::string(flag) + " '" + text +
                           "' is not a duration such as 200ms, 10s or 1h");
  };
  if (text.size() > 2 && text.ends_with("ms")) {
    int64_t ms = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 2, ms);
    if (ec != std::errc() || ptr != text.data() + text.size() - 2 || ms <= 0) return bad();
    return std::chrono::milliseconds(ms);
  }
  Result<Duration> d = ParseDuration(text);
  if (!d.ok() || *d <= Duration::zero()) return bad();
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

Result<tunnel::ServiceOptions> OptionsFromFlags(const AgentFlags& global, const TunnelFlags& f,
                                                tunnel::Side side) {
  if (!f.allow_tag.empty()) {
    return InvalidArgument(
        "--allow-tag: tags live on the server: use --allow-policy with a policy that has the "
        "tag (wott-server policy set NAME --tag key=value)");
  }
  agent::AgentPaths paths(global.dir);
  tunnel::TunnelConfig t;
  t.listener.name = side == tunnel::Side::kServer ? "server" : "client";
  t.listener.side = side;
  t.listener.listen = f.listen;
  t.listener.target = f.target;
  t.listener.server_name = f.override_server_name;
  t.listener.max_connections = f.max_connections;
  ASSIGN_OR_RETURN(t.listener.handshake_timeout,
                   Millis(f.handshake_timeout, "--handshake-timeout"));
  ASSIGN_OR_RETURN(t.listener.connect_timeout, Millis(f.connect_timeout, "--connect-timeout"));
  ASSIGN_OR_RETURN(t.listener.idle_timeout, Millis(f.idle_timeout, "--idle-timeout"));
  t.keystore =
      f.keystore.empty() ? paths.certs / "combined.pem" : std::filesystem::path(f.keystore);
  t.cacert = f.cacert.empty() ? paths.certs / "ca.crt" : std::filesystem::path(f.cacert);
  t.rules.allow_all = f.allow_all;
  t.rules.common_names = f.allow_cn;
  t.rules.uris = f.allow_uri;
  t.rules.dns_names = f.allow_dns;
  t.rules.devices = side == tunnel::Side::kServer ? f.allow_device : f.verify_device;
  t.rules.policies = f.allow_policy;
  t.rules.domain = f.domain;
  t.unsafe_target = f.unsafe_target;
  t.unsafe_listen = f.unsafe_listen;
  tunnel::ServiceOptions options;
  options.tunnels.push_back(std::move(t));
  return options;
}

// Process-wide flags apply to both ways of starting.
Status ApplyProcessFlags(const AgentFlags& global, const TunnelFlags& f,
                         tunnel::ServiceOptions& options) {
  options.agent_dir = global.dir;
  if (!f.status.empty()) options.status_address = f.status;
  if (f.no_crl) options.check_crl = false;
  if (f.crl_fail_open) options.crl_fail_open = true;
  if (f.no_crl && f.crl_fail_open) {
    return InvalidArgument("--crl-fail-open and --no-crl cannot be combined");
  }
  if (f.crl_refresh_set || f.config.empty()) {
    ASSIGN_OR_RETURN(std::chrono::milliseconds refresh, Millis(f.crl_refresh, "--crl-refresh"));
    options.crl_refresh = refresh;
  }
  if (f.policy_refresh_set || f.config.empty()) {
    ASSIGN_OR_RETURN(std::chrono::milliseconds refresh,
                     Millis(f.policy_refresh, "--policy-refresh"));
    options.policy_refresh = refresh;
  }
  return tunnel::ValidateServiceOptions(options);
}

// Runs until SIGTERM/SIGINT; SIGHUP reloads every listener's credentials.
int Run(const AgentFlags& global, tunnel::ServiceOptions options, std::chrono::milliseconds poll) {
  // Signals are taken synchronously by this thread; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<tunnel::TunnelService>> service =
      tunnel::TunnelService::Create(std::move(options));
  if (!service.ok()) return PrintError(service.status(), global);
  (*service)->Start();
  for (;;) {
    timespec timeout{static_cast<time_t>(poll.count() / 1000),
                     static_cast<long>((poll.count() % 1000) * 1000000)};
    int sig = sigtimedwait(&signals, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("tunnel: stopping ({})", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
    (*service)->Tick(sig == SIGHUP);
  }
  (*service)->Stop();
  return 0;
}

void AddTunnelFlags(CLI::App* cmd, TunnelFlags& f, tunnel::Side side) {
  cmd->add_option("--listen", f.listen, "Address to listen on, host:port")->required();
  cmd->add_option("--target", f.target, "Address to forward to, host:port")->required();
  cmd->add_option("--keystore", f.keystore,
                  "Certificate chain + private key, PEM (default DIR/certs/combined.pem)");
  cmd->add_option("--cacert", f.cacert, "CA bundle that verifies peers (default DIR/certs/ca.crt)");
  if (side == tunnel::Side::kServer) {
    cmd->add_flag("--allow-all", f.allow_all, "Allow any client certificate from the CA");
    cmd->add_option("--allow-cn", f.allow_cn, "Allow a client with this subject CN (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--allow-device", f.allow_device,
                    "Allow this device ID (hex or <hex>.d.<domain>; repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--allow-uri", f.allow_uri,
                    "Allow a client with this SAN URI, e.g. a SPIFFE ID (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--allow-dns", f.allow_dns,
                    "Allow a client with this SAN DNS name (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--allow-tag", f.allow_tag,
                    "Refused: tags live on the server; use --allow-policy with a policy that "
                    "has the tag")
        ->allow_extra_args(false);
    cmd->add_option("--allow-policy", f.allow_policy,
                    "Allow the devices of this central policy on the server, kept current "
                    "(repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--unsafe-target", f.unsafe_target,
                  "Allow a --target that is not on this machine");
  } else {
    cmd->add_option("--override-server-name", f.override_server_name,
                    "Name the server certificate must be valid for (default: the target host)");
    cmd->add_option("--verify-device", f.verify_device,
                    "Accept only a server that is this device (repeatable: any of them)")
        ->allow_extra_args(false);
    cmd->add_flag("--unsafe-listen", f.unsafe_listen,
                  "Allow a --listen address other than loopback");
  }
  cmd->add_option("--domain", f.domain, "Device domain of device names and SPIFFE IDs")
      ->capture_default_str();
  cmd->add_option("--handshake-timeout", f.handshake_timeout)->capture_default_str();
  cmd->add_option("--connect-timeout", f.connect_timeout)->capture_default_str();
  cmd->add_option("--idle-timeout", f.idle_timeout, "Close a connection idle this long")
      ->capture_default_str();
  cmd->add_option("--max-connections", f.max_connections)->capture_default_str();
}

void AddProcessFlags(CLI::App* cmd, TunnelFlags& f) {
  cmd->add_option("--status", f.status,
                  "Serve /_status and /metrics on this address (127.0.0.1:PORT)");
  cmd->add_flag("--no-crl", f.no_crl, "No revocation check (offline tunnel)");
  cmd->add_flag("--crl-fail-open", f.crl_fail_open,
                "Accept peers without the revocation check when no current CRL can be fetched");
  cmd->add_option_function<std::string>(
      "--crl-refresh",
      [&f](const std::string& v) {
        f.crl_refresh = v;
        f.crl_refresh_set = true;
      },
      "How often to fetch the CRL (default 1h)");
  cmd->add_option_function<std::string>(
      "--policy-refresh",
      [&f](const std::string& v) {
        f.policy_refresh = v;
        f.policy_refresh_set = true;
      },
      "How often to fetch each --allow-policy policy (default 5s)");
  cmd->add_option("--poll-interval", f.poll_interval, "How often to check the files for changes")
      ->capture_default_str();
}

}  // namespace

void AddTunnelCommand(CLI::App& app, AgentFlags& global) {
  auto flags = std::make_shared<TunnelFlags>();
  CLI::App* tunnel_cmd = app.add_subcommand(
      "tunnel", "mTLS tunnel (ghostunnel-compatible flags): server, client, or --config FILE");
  tunnel_cmd->add_option("--config", flags->config, "Run the tunnels of this JSON file");
  AddProcessFlags(tunnel_cmd, *flags);
  tunnel_cmd->require_subcommand(0, 1);

  auto start = [&global, flags](std::optional<tunnel::Side> side) {
    if (!StartLogging(global)) return;
    Result<std::chrono::milliseconds> poll = Millis(flags->poll_interval, "--poll-interval");
    if (!poll.ok()) {
      global.exit_code = UsageError(poll.status());
      return;
    }
    Result<tunnel::ServiceOptions> options = InvalidArgument("");
    if (side) {
      if (!flags->config.empty()) {
        global.exit_code =
            UsageError(InvalidArgument("--config cannot be combined with server/client"));
        return;
      }
      options = OptionsFromFlags(global, *flags, *side);
    } else {
      Result<std::string> text = ReadFile(flags->config);
      if (!text.ok()) {
        global.exit_code = UsageError(text.status().WithContext("--config " + flags->config));
        return;
      }
      options = tunnel::ParseTunnelConfig(*text, agent::AgentPaths(global.dir).certs);
    }
    if (!options.ok()) {
      global.exit_code = UsageError(options.status());
      return;
    }
    if (Status s = ApplyProcessFlags(global, *flags, *options); !s.ok()) {
      global.exit_code = UsageError(s);
      return;
    }
    global.exit_code = Run(global, std::move(*options), *poll);
  };

  for (tunnel::Side side : {tunnel::Side::kServer, tunnel::Side::kClient}) {
    bool server = side == tunnel::Side::kServer;
    CLI::App* sub = tunnel_cmd->add_subcommand(
        server ? "server" : "client",
        server ? "Accept mTLS, check the peer, forward plain TCP to --target"
               : "Accept plain TCP, forward over mTLS to --target");
    AddTunnelFlags(sub, *flags, side);
    AddProcessFlags(sub, *flags);
    sub->callback([start, side] { start(side); });
  }
  tunnel_cmd->callback([start, flags, tunnel_cmd, &global] {
    if (!tunnel_cmd->get_subcommands().empty()) return;  // the subcommand ran
    if (flags->config.empty()) {
      global.exit_code = UsageError(
          InvalidArgument("tunnel needs a subcommand (server or client) or --config FILE"));
      return;
    }
    start(std::nullopt);
  });
}

}  // namespace wott::cmd
