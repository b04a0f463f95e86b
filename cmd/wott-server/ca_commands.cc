#include "cmd/wott-server/ca_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "base/file.h"
#include "pki/ca_directory.h"
#include "pki/certificate.h"

namespace wott::cmd {
namespace {

struct InitFlags {
  std::string domain = std::string(pki::kDefaultDomain);
  std::string organization = "wott";
  std::string key_type = "p256";
  std::vector<std::string> sans;
  std::string public_url;
  std::string root_key_out;
};

int Fail(const Status& s) { return PrintError(s); }

int RunInit(const std::string& data_dir, const InitFlags& flags) {
  pki::CaInitOptions options;
  options.data_dir = data_dir;
  options.config.domain = flags.domain;
  options.config.organization = flags.organization;
  options.config.public_url = flags.public_url;
  Result<pki::KeyType> key_type = pki::ParseKeyType(flags.key_type);
  if (!key_type.ok()) return Fail(key_type.status());
  options.config.key_type = *key_type;
  options.server_names = flags.sans;
  options.root_key_out = flags.root_key_out;

  Result<pki::CaSummary> summary = pki::InitCa(options, RealClock::Instance());
  if (!summary.ok()) return Fail(summary.status());
  std::cout << "Created a new CA in " << data_dir << "\n"
            << "  root:          " << summary->root_subject << "\n"
            << "  intermediate:  " << summary->intermediate_subject << "\n"
            << "  server names:  ";
  for (size_t i = 0; i < summary->server_names.size(); ++i) {
    std::cout << (i ? ", " : "") << summary->server_names[i];
  }
  std::cout << "\n  device names:  <id>.d." << flags.domain << "\n";
  if (!flags.root_key_out.empty()) {
    std::cout << "  root key:      written to " << flags.root_key_out
              << " (move it offline; the server does not need it)\n";
  }
  std::cout << "Root fingerprint (SHA-256): " << summary->root_fingerprint << "\n";
  return 0;
}

// One certificate file's summary, for `ca show`.
nlohmann::json Describe(const std::filesystem::path& path) {
  Result<std::string> pem = ReadFile(path, pki::kMaxChainBytes);
  if (!pem.ok()) return {{"file", path.string()}, {"error", pem.status().message()}};
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(*pem);
  if (!chain.ok()) return {{"file", path.string()}, {"error", chain.status().message()}};
  X509* cert = chain->front().get();
  nlohmann::json j = {{"file", path.string()},
                      {"subject", pki::SubjectString(cert)},
                      {"issuer", pki::IssuerString(cert)},
                      {"serial", pki::SerialHex(cert)},
                      {"not_before", FormatRfc3339(pki::NotBefore(cert))},
                      {"not_after", FormatRfc3339(pki::NotAfter(cert))},
                      {"sha256_fingerprint", pki::Sha256Fingerprint(cert)}};
  std::vector<std::string> names = pki::DnsNames(cert);
  for (const std::string& ip : pki::IpAddresses(cert)) names.push_back(ip);
  if (!names.empty()) j["names"] = names;
  return j;
}

int RunShow(const std::string& data_dir, bool json, bool fingerprint_only) {
  pki::CaPaths paths(data_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(paths.ca_dir, ec)) {
    return Fail(NotFound("no CA in " + data_dir + " (run: wott-server init --data-dir " +
                         data_dir + ")"));
  }
  nlohmann::json out = {{"data_dir", data_dir},
                        {"root", Describe(paths.root_cert)},
                        {"intermediate", Describe(paths.intermediate_cert)},
                        {"server", Describe(paths.server_cert)},
                        {"root_key_present", std::filesystem::exists(paths.root_key, ec)}};
  if (Result<std::string> config = ReadFile(paths.config, 64 * 1024); config.ok()) {
    if (Result<pki::CaConfig> c = pki::ParseCaConfig(*config); c.ok()) {
      out["domain"] = c->domain;
      out["organization"] = c->organization;
      out["key_type"] = std::string(pki::KeyTypeName(c->key_type));
      out["public_url"] = c->public_url;
    }
  }
  if (fingerprint_only) {
    if (!out["root"].contains("sha256_fingerprint")) {
      return Fail(InvalidArgument(out["root"]["error"].get<std::string>()));
    }
    std::cout << out["root"]["sha256_fingerprint"].get<std::string>() << "\n";
    return 0;
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "CA in " << data_dir << " (domain " << out.value("domain", "?") << ", key "
            << out.value("key_type", "?") << ")\n";
  for (const char* role : {"root", "intermediate", "server"}) {
    const nlohmann::json& c = out[role];
    std::cout << "\n" << role << ": " << c["file"].get<std::string>() << "\n";
    if (c.contains("error")) {
      std::cout << "  error:       " << c["error"].get<std::string>() << "\n";
      continue;
    }
    std::cout << "  subject:     " << c["subject"].get<std::string>() << "\n"
              << "  issuer:      " << c["issuer"].get<std::string>() << "\n"
              << "  serial:      " << c["serial"].get<std::string>() << "\n"
              << "  valid:       " << c["not_before"].get<std::string>() << " .. "
              << c["not_after"].get<std::string>() << "\n"
              << "  SHA-256:     " << c["sha256_fingerprint"].get<std::string>() << "\n";
    if (c.contains("names")) {
      std::cout << "  names:       ";
      for (size_t i = 0; i < c["names"].size(); ++i) {
        std::cout << (i ? ", " : "") << c["names"][i].get<std::string>();
      }
      std::cout << "\n";
    }
  }
  std::cout << "\nroot key: "
            << (out["root_key_present"].get<bool>() ? paths.root_key.string()
                                                    : std::string("not on this machine (offline)"))
            << "\n";
  return 0;
}

}  // namespace

void AddCaCommands(CLI::App& app, GlobalFlags& global) {
  auto flags = std::make_shared<InitFlags>();
  CLI::App* init = app.add_subcommand(
      "init", "Create a new CA (root, intermediate, server TLS certificate) in --data-dir");
  init->add_option("--domain", flags->domain, "DNS domain of device names (<id>.d.DOMAIN)")
      ->capture_default_str();
  init->add_option("--org", flags->organization, "Organisation (O=) in every certificate")
      ->capture_default_str();
  init->add_option("--key-type", flags->key_type, "CA and server key type")
      ->check(CLI::IsMember({"p256", "ed25519", "rsa3072"}))
      ->capture_default_str();
  init->add_option("--san", flags->sans,
                   "DNS name or IP of the server's TLS certificate (repeatable; default: "
                   "localhost, 127.0.0.1, ::1 and this host's name)");
  init->add_option("--public-url", flags->public_url,
                   "Public base URL of the server, e.g. https://ca.example.com:8443; adds CRL and "
                   "OCSP locations to certificates");
  init->add_option("--root-key-out", flags->root_key_out,
                   "Write the root key to this file instead of DATA_DIR/ca/root.key, to keep it "
                   "offline");
  init->callback([&global, flags] { global.exit_code = RunInit(global.data_dir, *flags); });

  CLI::App* ca = app.add_subcommand("ca", "Inspect the CA");
  ca->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto fingerprint = std::make_shared<bool>(false);
  CLI::App* show = ca->add_subcommand(
      "show", "Print the CA certificates: subjects, validity, SHA-256 fingerprints");
  show->add_flag("--json", *json, "Machine-readable output");
  show->add_flag("--fingerprint", *fingerprint, "Print only the root's SHA-256 fingerprint");
  show->callback([&global, json, fingerprint] {
    global.exit_code = RunShow(global.data_dir, *json, *fingerprint);
  });
}

}  // namespace wott::cmd
