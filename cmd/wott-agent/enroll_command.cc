// wott-agent enroll: first enrollment of this device.
#include <iostream>
#include <memory>

#include "agent/enroll.h"
#include "base/encoding.h"
#include "cmd/wott-agent/cli_common.h"

namespace wott::cmd {
namespace {

struct EnrollFlags {
  agent::EnrollOptions options;
  std::string key_type = "p256";
};

int RunEnroll(AgentFlags& global, EnrollFlags& flags) {
  Result<pki::KeyType> type = pki::ParseKeyType(flags.key_type);
  if (!type.ok()) return PrintError(type.status(), global);
  flags.options.key_type = *type;
  agent::AgentPaths paths = global.paths();
  Result<agent::Identity> id = agent::Enroll(paths, flags.options);
  if (!id.ok()) return PrintError(id.status(), global);
  std::cout << "Enrolled as " << id->info.device_id << "\n"
            << "  certificate valid until " << FormatRfc3339(id->info.not_after)
            << " (renewal from " << FormatRfc3339(id->info.renew_after) << ")\n"
            << "  files: " << paths.certs.string()
            << "/{ca.crt,client.crt,client.key,combined.pem}\n";
  return 0;
}

}  // namespace

void AddEnrollCommand(CLI::App& app, AgentFlags& global) {
  auto flags = std::make_shared<EnrollFlags>();
  CLI::App* cmd = app.add_subcommand("enroll", "Enroll this device with an enrollment token");
  cmd->add_option("--server", flags->options.server_url, "wott-server URL, https://host:port")
      ->required();
  cmd->add_option("--token", flags->options.token, "Enrollment token (wott-server token create)")
      ->required();
  auto* fp = cmd->add_option("--ca-fingerprint", flags->options.ca_fingerprint,
                             "SHA-256 of the server's root CA (wott-server ca show --fingerprint)");
  auto* file =
      cmd->add_option("--ca-file", flags->options.ca_file,
                      "PEM file with the server's CA certificate, instead of a fingerprint");
  fp->excludes(file);
  cmd->add_option("--key-type", flags->key_type, "Key type of this device's keys")
      ->check(CLI::IsMember({"p256", "ed25519", "rsa3072"}))
      ->capture_default_str();
  cmd->add_option("--hostname", flags->options.hostname,
                  "Host name to report (default: this machine's)");
  cmd->add_option("--on-renew", flags->options.on_renew,
                  "Command to run after each renewal, stored in agent.json (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", flags->options.force, "Enroll again even if already enrolled");
  cmd->callback([&global, flags] {
    if (flags->options.ca_fingerprint.empty() && flags->options.ca_file.empty()) {
      throw CLI::ValidationError("--ca-fingerprint or --ca-file is required");
    }
    if (!StartLogging(global)) return;
    global.exit_code = RunEnroll(global, *flags);
  });
}

}  // namespace wott::cmd
