// wott-agent audit: prints the host audit, the package inventory and the trust score of this
// host's own data as a readable report or, with --json, as the JSON the heartbeat sends. Findings
// are not errors: the exit code is 0 whatever is found; only a bad --root exits 1. Needs no
// identity and no server.
#include "cmd/wott-agent/audit_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "audit/host_audit.h"
#include "audit/inventory.h"
#include "audit/packages_hash.h"
#include "audit/trust_score.h"

namespace wott::cmd {
namespace {

struct AuditFlags {
  bool json = false;
  std::string root = "/";
};

std::string Owner(const audit::ListeningSocket& s) {
  if (s.pid <= 0) return "owner unknown";
  return s.process + " (pid " + std::to_string(s.pid) + ")";
}

std::string Endpoint(const audit::ListeningSocket& s) {
  bool v6 = s.address.find(':') != std::string::npos;
  return (v6 ? "[" + s.address + "]" : s.address) + ":" + std::to_string(s.port);
}

void PrintReport(const audit::HostAudit& a, std::ostream& out) {
  out << "SSH server (sshd_config):";
  if (!a.sshd.known) {
    out << " unknown (not readable)\n";
  } else if (a.sshd.findings.empty()) {
    out << " no risky settings\n";
  } else {
    out << "\n";
    for (const audit::SshFinding& f : a.sshd.findings) {
      out << "  " << (f.file.empty() || f.file == "/etc/ssh/sshd_config" ? "" : f.file + " ")
          << "line " << f.line << ": " << f.keyword << " " << f.value << " - " << f.message << "\n";
    }
  }
  for (const std::string& e : a.sshd.include_errors) out << "  Include: " << e << "\n";

  out << "Listening sockets:";
  if (a.sockets_known != audit::Tristate::kYes) {
    out << " unknown (/proc/net not readable)\n";
  } else {
    out << " " << a.listening.size() << "\n";
    for (const audit::ListeningSocket& s : a.listening) {
      out << "  " << s.protocol << (s.protocol.size() == 3 ? "  " : " ") << Endpoint(s) << "  "
          << Owner(s) << "\n";
    }
    if (a.bad_proc_net_lines > 0) {
      out << "  (" << a.bad_proc_net_lines << " unreadable /proc/net line(s) skipped)\n";
    }
  }
  out << "Insecure services:";
  if (a.insecure_services.empty()) out << " none";
  out << "\n";
  for (const audit::InsecureService& s : a.insecure_services) {
    out << "  " << s.name << " on " << Endpoint(s.socket) << "  " << Owner(s.socket) << "\n";
  }
  out << "Reboot required: " << audit::TristateName(a.reboot_required) << "\n";
  out << "Unattended upgrades: " << audit::TristateName(a.unattended_upgrades) << "\n";
  out << "Firewall: " << audit::TristateName(a.firewall.state);
  if (a.firewall.backend != "unknown") {
    out << " (" << a.firewall.backend << ", " << a.firewall.rules << " rule(s))";
  }
  out << "\n";
  out << "AppArmor: " << a.confinement.apparmor;
  if (a.confinement.apparmor_profiles_known) {
    out << " (" << a.confinement.apparmor_profiles_enforced << " profile(s) enforced)";
  }
  out << "\nSELinux: " << a.confinement.selinux << "\n";
}

int RunAudit(const AgentFlags& global, const AuditFlags& f) {
  std::error_code ec;
  if (!std::filesystem::is_directory(f.root, ec)) {
    return PrintError(InvalidArgument("--root " + f.root + ": not a directory"), global);
  }
  audit::HostRoot root{f.root};
  audit::HostAudit a = audit::CollectHostAudit(root);
  Result<audit::Inventory> inventory = audit::ReadHostInventory(root);
  nlohmann::json host = audit::HostAuditToJson(a);
  // No vulnerability data on the device: the CVE part is the server's.
  audit::TrustScore score = audit::ComputeTrustScore(host, nullptr);
  if (f.json) {
    // The host keys stay at the top level (as before) and are repeated under "host", the
    // shape the heartbeat sends.
    nlohmann::json out = host;
    out["host"] = host;
    if (inventory.ok()) {
      out["inventory"] = audit::InventoryToJson(*inventory, /*with_packages=*/true);
    } else {
      out["inventory"] = nullptr;
      out["inventory_error"] = inventory.status().message();
    }
    out.update(audit::TrustScoreToJson(score));
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"
              << std::flush;
  } else {
    PrintReport(a, std::cout);
    if (inventory.ok()) {
      std::cout << "Packages: " << inventory->packages.size() << " installed (" << inventory->os.id
                << " " << inventory->os.version_codename << "), hash "
                << audit::PackagesHash(inventory->packages) << "\n";
    } else {
      std::cout << "Packages: unknown (" << inventory.status().message() << ")\n";
    }
    std::cout << "Trust score: " << score.score
              << "/100 (this host's data; the server adds CVEs)\n";
    for (const audit::ScoreFactor& factor : score.factors) {
      std::cout << "  " << factor.points << "  " << factor.detail << "\n";
    }
    std::cout << std::flush;
  }
  return 0;
}

}  // namespace

void AddAuditCommand(CLI::App& app, AgentFlags& global) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* cmd = app.add_subcommand("audit",
                                     "Audit this host: sshd settings, listening sockets, firewall, "
                                     "AppArmor/SELinux, reboot, upgrades");
  cmd->add_flag("--json", flags->json, "Print JSON instead of a readable report");
  cmd->add_option("--root", flags->root,
                  "Audit the files under this directory instead of / (etc/, proc/, run/)")
      ->capture_default_str();
  cmd->callback([&global, flags] {
    if (!StartLogging(global)) return;
    global.exit_code = RunAudit(global, *flags);
  });
}

}  // namespace wott::cmd
