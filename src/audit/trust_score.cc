#include "audit/trust_score.h"

#include <algorithm>
#include <map>
#include <set>

namespace wott::audit {
namespace {

using nlohmann::json;

// The points; docs/AUDIT.md has the same table.
constexpr int kNoAudit = -40;
constexpr int kFirewallOff = -20;
constexpr int kFirewallUnknown = -5;
constexpr int kNoConfinement = -10;
constexpr int kConfinementUnknown = -3;
constexpr int kRootLoginPassword = -15;
constexpr int kRootLoginKey = -3;
constexpr int kPasswordAuth = -10;
constexpr int kEmptyPasswords = -20;
constexpr int kInsecureServiceEach = -15;
constexpr int kInsecureServiceCap = -30;
constexpr int kRiskyPortEach = -5;
constexpr int kRiskyPortCap = -20;
constexpr int kRebootRequired = -5;
constexpr int kUnattendedOff = -5;
constexpr int kFixableCap = -40;
constexpr int kUnfixedCap = -15;

int FixablePoints(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return -15;
    case Severity::kHigh:
      return -10;
    case Severity::kMedium:
      return -4;
    case Severity::kLow:
      return -1;
    case Severity::kUnknown:
      return -2;
    case Severity::kNegligible:
      break;
  }
  return 0;
}

int UnfixedPoints(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return -5;
    case Severity::kHigh:
      return -3;
    case Severity::kMedium:
      return -1;
    default:
      break;
  }
  return 0;
}

// Services that should not face every network: databases, caches, remote desktops, file
// sharing, container and message-broker control ports.
const std::map<int, std::string_view>& RiskyPorts() {
  static const auto* ports = new std::map<int, std::string_view>{
      {111, "rpcbind"},     {139, "netbios"},  {445, "smb"},    {1433, "mssql"},
      {1883, "mqtt"},       {2375, "docker"},  {3306, "mysql"}, {3389, "rdp"},
      {5432, "postgresql"}, {5900, "vnc"},     {6379, "redis"}, {9200, "elasticsearch"},
      {11211, "memcached"}, {27017, "mongodb"}};
  return *ports;
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

const json& Obj(const json& j, const char* key) {
  static const json* empty = new json(json::object());
  if (!j.is_object()) return *empty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : *empty;
}

const json& Arr(const json& j, const char* key) {
  static const json* empty = new json(json::array());
  if (!j.is_object()) return *empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : *empty;
}

bool AllInterfaces(std::string_view address) { return address == "0.0.0.0" || address == "::"; }

void HostFactors(const json& host, std::vector<ScoreFactor>& out) {
  const json& fw = Obj(host, "firewall");
  std::string fw_state = Str(fw, "state");
  if (fw_state == "no") {
    out.push_back({"firewall_off", kFirewallOff, "no firewall rule filters incoming traffic"});
  } else if (fw_state != "yes") {
    out.push_back({"firewall_unknown", kFirewallUnknown, "the firewall state could not be read"});
  }

  const json& conf = Obj(host, "confinement");
  std::string apparmor = Str(conf, "apparmor");
  std::string selinux = Str(conf, "selinux");
  bool profiles_known = conf.contains("apparmor_profiles_known") &&
                        conf["apparmor_profiles_known"].is_boolean() &&
                        conf["apparmor_profiles_known"].get<bool>();
  int enforced = conf.contains("apparmor_profiles_enforced") &&
                         conf["apparmor_profiles_enforced"].is_number_integer()
                     ? conf["apparmor_profiles_enforced"].get<int>()
                     : 0;
  bool apparmor_on = apparmor == "enabled" && !(profiles_known && enforced == 0);
  bool apparmor_off =
      apparmor == "disabled" || (apparmor == "enabled" && profiles_known && enforced == 0);
  bool selinux_on = selinux == "enforcing";
  bool selinux_off = selinux == "disabled" || selinux == "permissive";
  if (!apparmor_on && !selinux_on) {
    if (apparmor_off && selinux_off) {
      out.push_back({"no_confinement", kNoConfinement,
                     "neither AppArmor (with enforced profiles) nor SELinux (enforcing) is on"});
    } else {
      out.push_back({"confinement_unknown", kConfinementUnknown,
                     "the AppArmor/SELinux state could not be read"});
    }
  }

  const json& sshd = Obj(host, "sshd");
  for (const json& f : Arr(sshd, "findings")) {
    std::string keyword = Str(f, "keyword");
    std::string value = Str(f, "value");
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (keyword == "PermitRootLogin" && value == "yes") {
      out.push_back({"ssh_root_login", kRootLoginPassword,
                     "sshd: PermitRootLogin yes (root can log in with a password)"});
    } else if (keyword == "PermitRootLogin") {
      out.push_back({"ssh_root_login_key", kRootLoginKey,
                     "sshd: PermitRootLogin " + value + " (root can log in with a key)"});
    } else if (keyword == "PasswordAuthentication" && value == "yes") {
      out.push_back({"ssh_password_auth", kPasswordAuth, "sshd: PasswordAuthentication yes"});
    } else if (keyword == "PermitEmptyPasswords" && value == "yes") {
      out.push_back({"ssh_empty_passwords", kEmptyPasswords, "sshd: PermitEmptyPasswords yes"});
    }
  }

  std::set<int> insecure_ports;
  std::vector<std::string> insecure;
  for (const json& s : Arr(host, "insecure_services")) {
    insecure.push_back(Str(s, "service"));
    if (s.contains("port") && s["port"].is_number_integer()) {
      insecure_ports.insert(s["port"].get<int>());
    }
  }
  if (!insecure.empty()) {
    std::string names;
    for (const std::string& n : insecure) names += (names.empty() ? "" : ", ") + n;
    int points =
        std::max(kInsecureServiceCap, kInsecureServiceEach * static_cast<int>(insecure.size()));
    out.push_back({"insecure_services", points, "clear-text services listening: " + names});
  }

  std::set<std::pair<int, std::string>> risky;  // (port, name), once per port
  for (const json& s : Arr(Obj(host, "sockets"), "listening")) {
    if (!s.contains("port") || !s["port"].is_number_integer()) continue;
    int port = s["port"].get<int>();
    auto it = RiskyPorts().find(port);
    if (it == RiskyPorts().end() || insecure_ports.count(port) > 0) continue;
    if (AllInterfaces(Str(s, "address"))) risky.emplace(port, std::string(it->second));
  }
  if (!risky.empty()) {
    std::string names;
    for (const auto& [port, name] : risky) {
      names += (names.empty() ? "" : ", ") + name + " (" + std::to_string(port) + ")";
    }
    int points = std::max(kRiskyPortCap, kRiskyPortEach * static_cast<int>(risky.size()));
    out.push_back({"risky_ports", points, "listening on all interfaces: " + names});
  }

  if (Str(host, "reboot_required") == "yes") {
    out.push_back(
        {"reboot_required", kRebootRequired, "a reboot is pending (updates not yet in effect)"});
  }
  if (Str(host, "unattended_upgrades") == "no") {
    out.push_back({"unattended_upgrades_off", kUnattendedOff,
                   "security updates are not installed automatically"});
  }
}

void CveFactors(const std::vector<Finding>& findings, std::vector<ScoreFactor>& out) {
  std::map<Severity, int> fixable;
  std::map<Severity, int> unfixed;
  int fixable_points = 0;
  int unfixed_points = 0;
  for (const Finding& f : findings) {
    if (f.state == FindingState::kFixable) {
      ++fixable[f.severity];
      fixable_points += FixablePoints(f.severity);
    } else if (f.state == FindingState::kOpen || f.state == FindingState::kNoDsa ||
               f.state == FindingState::kEndOfLife || f.state == FindingState::kUndetermined) {
      ++unfixed[f.severity];
      unfixed_points += UnfixedPoints(f.severity);
    }
  }
  auto describe = [](const std::map<Severity, int>& counts) {
    std::string s;
    for (auto it = counts.rbegin(); it != counts.rend(); ++it) {
      s += (s.empty() ? "" : ", ") + std::to_string(it->second) + " " +
           std::string(SeverityName(it->first));
    }
    return s;
  };
  if (!fixable.empty()) {
    out.push_back({"cve_fixable", std::max(kFixableCap, fixable_points),
                   "vulnerabilities an upgrade fixes: " + describe(fixable)});
  }
  if (!unfixed.empty()) {
    out.push_back({"cve_unfixed", std::max(kUnfixedCap, unfixed_points),
                   "vulnerabilities without a fix yet: " + describe(unfixed)});
  }
}

}  // namespace

TrustScore ComputeTrustScore(const json& host, const std::vector<Finding>* findings) {
  TrustScore score;
  if (host.is_object()) {
    HostFactors(host, score.factors);
  } else {
    score.factors.push_back({"no_audit", kNoAudit, "the device has not reported a host audit"});
  }
  if (findings == nullptr) {
    score.factors.push_back(
        {"cve_data_unknown", 0, "no vulnerability data to match the packages against"});
  } else {
    CveFactors(*findings, score.factors);
  }
  int total = 100;
  for (const ScoreFactor& f : score.factors) total += f.points;
  score.score = std::clamp(total, 0, 100);
  return score;
}

json TrustScoreToJson(const TrustScore& score) {
  json factors = json::array();
  for (const ScoreFactor& f : score.factors) {
    factors.push_back({{"factor", f.factor}, {"points", f.points}, {"detail", f.detail}});
  }
  return {{"trust_score", score.score}, {"score_factors", std::move(factors)}};
}

}  // namespace wott::audit
