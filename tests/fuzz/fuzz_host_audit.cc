// Fuzzes the host audit's text parsers (src/audit host_audit.h, firewall.h, confinement.h):
// files and tool output of the audited host, read by the agent as root. The first byte picks
// the parser, the rest is its input. Cheap invariants per parser (counts bounded by the
// input's lines, closed sets of answers), and the sshd and socket results go through
// HostAuditToJson and a dump as the heartbeat does.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/confinement.h"
#include "audit/firewall.h"
#include "audit/host_audit.h"

namespace {

namespace audit = wott::audit;

// Upper bound on the lines any of the parsers can see ('\n' or '\r' separated).
size_t MaxLines(std::string_view text) {
  size_t n = 1;
  for (char c : text) n += (c == '\n' || c == '\r');
  return n;
}

bool IsLower(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

// Serialised as the heartbeat sends it: must not throw, must parse back.
void CheckJson(const audit::HostAudit& host) {
  const std::string text =
      audit::HostAuditToJson(host).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (nlohmann::json::parse(text, nullptr, false).is_discarded()) __builtin_trap();
}

void CheckRules(const wott::Result<audit::FirewallRules>& rules) {
  if (rules.ok() && rules->rules < 0) __builtin_trap();
  if (!rules.ok() && rules.status().message().empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  static constexpr std::string_view kProtocols[] = {"tcp", "tcp6", "udp", "udp6"};
  switch (data[0] % 10) {
    case 0: {
      audit::HostAudit host;
      host.sshd = audit::ParseSshdConfig(text);
      if (!host.sshd.known) __builtin_trap();
      for (const auto& [keyword, value] : host.sshd.settings) {
        if (keyword.empty() || !IsLower(keyword)) __builtin_trap();
      }
      for (const audit::SshFinding& f : host.sshd.findings) {
        if (f.line < 1 || static_cast<size_t>(f.line) > MaxLines(text) || f.keyword.empty() ||
            f.message.empty()) {
          __builtin_trap();
        }
      }
      CheckJson(host);
      break;
    }
    case 1: {
      const std::string_view protocol = kProtocols[(data[0] / 10) % 4];
      audit::ProcNetParse parse = audit::ParseProcNet(text, protocol);
      if (parse.bad_lines < 0 ||
          parse.sockets.size() + static_cast<size_t>(parse.bad_lines) > MaxLines(text)) {
        __builtin_trap();
      }
      for (const audit::ListeningSocket& s : parse.sockets) {
        if (s.protocol != protocol || s.address.empty()) __builtin_trap();
      }
      audit::HostAudit host;
      host.listening = parse.sockets;
      host.insecure_services = audit::FindInsecureServices(parse.sockets);
      CheckJson(host);
      break;
    }
    case 2: {
      const uint64_t inode = audit::ParseSocketInode(text);
      if (inode != 0 && (!text.starts_with("socket:[") || !text.ends_with("]"))) {
        __builtin_trap();
      }
      break;
    }
    case 3: {
      const audit::Tristate t = audit::ParseUnattendedUpgrade(text);
      if (t != audit::Tristate::kYes && t != audit::Tristate::kNo) __builtin_trap();
      break;
    }
    case 4:
      CheckRules(audit::ParseNftJson(text));
      break;
    case 5: {
      wott::Result<audit::FirewallRules> rules = audit::ParseIptablesSave(text);
      CheckRules(rules);
      if (rules.ok() && static_cast<size_t>(rules->rules) > MaxLines(text)) __builtin_trap();
      break;
    }
    case 6:
      CheckRules(audit::ParseNftablesConf(text));
      break;
    case 7:
      for (const std::string& name : audit::ParseTableNames(text)) {
        if (name.empty() || name.find('\n') != std::string::npos) __builtin_trap();
      }
      break;
    case 8: {
      const std::string apparmor = audit::ParseAppArmorEnabled(text);
      const std::string selinux = audit::ParseSelinuxEnforce(text);
      if (apparmor != "enabled" && apparmor != "disabled" && apparmor != "unknown") {
        __builtin_trap();
      }
      if (selinux != "enforcing" && selinux != "permissive" && selinux != "unknown") {
        __builtin_trap();
      }
      break;
    }
    case 9: {
      const int enforced = audit::CountEnforcedProfiles(text);
      if (enforced < 0 || static_cast<size_t>(enforced) > MaxLines(text)) __builtin_trap();
      break;
    }
  }
  return 0;
}
