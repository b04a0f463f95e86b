#include "audit/host_audit.h"

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <functional>
#include <system_error>
#include <tuple>

#include "audit/text_fields.h"
#include "base/file.h"

namespace wott::audit {
namespace {

namespace fs = std::filesystem;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

template <typename T>
bool ParseHex(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "0100007F:0050" (IPv4) or 32 hex digits ":" port (IPv6) -> text address and port. The
// kernel prints each 32-bit word of the address with %08X in host byte order, so copying
// the parsed words into memory restores the network-order bytes.
bool ParseEndpoint(std::string_view s, bool ipv6, std::string& address, uint16_t& port) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view hex = s.substr(0, colon);
  if (hex.size() != (ipv6 ? 32u : 8u) || !ParseHex(s.substr(colon + 1), port)) return false;
  if (s.size() - colon - 1 != 4) return false;
  std::array<uint32_t, 4> words{};
  for (size_t w = 0; w < hex.size() / 8; ++w) {
    if (!ParseHex(hex.substr(w * 8, 8), words[w])) return false;
  }
  char buf[INET6_ADDRSTRLEN] = {};
  if (ipv6) {
    in6_addr a;
    std::memcpy(&a, words.data(), sizeof(a));
    inet_ntop(AF_INET6, &a, buf, sizeof(buf));
  } else {
    in_addr a;
    std::memcpy(&a, words.data(), sizeof(a));
    inet_ntop(AF_INET, &a, buf, sizeof(buf));
  }
  address = buf;
  return true;
}

bool IsZeroEndpoint(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0' || c == ':'; });
}

// (keyword, value) -> a finding message, or "" when the value is fine.
std::string SshRisk(const std::string& key, const std::string& value) {
  std::string v = Lower(value);
  if (key == "permitrootlogin") {
    if (v == "yes") return "root can log in over SSH with a password";
    if (v == "prohibit-password" || v == "without-password") {
      return "root can log in over SSH with a key";
    }
  } else if (key == "passwordauthentication" && v == "yes") {
    return "password logins are allowed (guessable, unlike keys)";
  } else if (key == "permitemptypasswords" && v == "yes") {
    return "accounts with an empty password can log in";
  } else if (key == "x11forwarding" && v == "yes") {
    return "X11 forwarding is on (exposes the client's display)";
  } else if (key == "maxauthtries") {
    int n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size()) return "MaxAuthTries is not a number";
    if (n > 6) return "more than 6 authentication attempts per connection";
  }
  return "";
}

const std::map<std::string, std::string>& CanonicalSshKeywords() {
  static const auto* names =
      new std::map<std::string, std::string>{{"permitrootlogin", "PermitRootLogin"},
                                             {"passwordauthentication", "PasswordAuthentication"},
                                             {"permitemptypasswords", "PermitEmptyPasswords"},
                                             {"x11forwarding", "X11Forwarding"},
                                             {"maxauthtries", "MaxAuthTries"}};
  return *names;
}

// Maps socket inodes to their owner by reading every ROOT/proc/PID/fd/* link. Processes we
// may not inspect (not root) or that exit meanwhile are skipped.
std::map<uint64_t, std::pair<int, std::string>> SocketOwners(const fs::path& proc) {
  std::map<uint64_t, std::pair<int, std::string>> owners;
  std::error_code ec;
  // Explicit increment(ec): the range-for form throws when a process vanishes mid-scan.
  for (fs::directory_iterator procs(proc, ec), end; !ec && procs != end; procs.increment(ec)) {
    const fs::directory_entry& entry = *procs;
    std::string name = entry.path().filename().string();
    int pid = 0;
    auto [ptr, perr] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (perr != std::errc() || ptr != name.data() + name.size() || pid <= 0) continue;
    std::string comm;
    std::error_code fd_ec;
    for (fs::directory_iterator fds(entry.path() / "fd", fd_ec), fd_end; !fd_ec && fds != fd_end;
         fds.increment(fd_ec)) {
      std::error_code link_ec;
      fs::path target = fs::read_symlink(fds->path(), link_ec);
      if (link_ec) continue;
      uint64_t inode = ParseSocketInode(target.string());
      if (inode == 0) continue;
      if (comm.empty()) {
        Result<std::string> c = ReadFile(entry.path() / "comm", 4096);
        comm = c.ok() ? std::string(TrimSpace(*c)) : "?";
      }
      owners.emplace(inode, std::make_pair(pid, comm));
    }
  }
  return owners;
}

constexpr size_t kMaxSshdFile = 1 << 20;

// Parses one sshd_config file's text into `audit` (see ParseSshdConfig); `on_include`, when
// set, is called with each Include line's arguments at its place.
void ParseSshdInto(SshdAudit& audit, std::string_view text, const std::string& file,
                   const std::function<void(std::string_view)>* on_include) {
  std::vector<std::string_view> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = TrimSpace(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    size_t end = line.find_first_of(" \t=");
    // A keyword without a value, or a value without a keyword ("=x"): sshd refuses both.
    if (end == std::string_view::npos || end == 0) continue;
    std::string key = Lower(line.substr(0, end));
    std::string_view rest = TrimSpace(line.substr(end));
    if (!rest.empty() && rest.front() == '=') rest = TrimSpace(rest.substr(1));
    if (size_t hash = rest.find(" #"); hash != std::string_view::npos)
      rest = TrimSpace(rest.substr(0, hash));
    if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"') {
      rest = rest.substr(1, rest.size() - 2);
    }
    if (rest.empty()) continue;
    if (key == "match") break;  // all that follows in this file is conditional
    if (key == "include") {
      audit.includes.emplace_back(rest);
      if (on_include != nullptr) (*on_include)(rest);
      continue;
    }
    if (!audit.settings.emplace(key, std::string(rest)).second) continue;  // first one wins
    auto canonical = CanonicalSshKeywords().find(key);
    if (canonical == CanonicalSshKeywords().end()) continue;
    std::string message = SshRisk(key, std::string(rest));
    if (message.empty()) continue;
    audit.findings.push_back(
        {canonical->second, std::string(rest), static_cast<int>(i + 1), std::move(message), file});
  }
}

// The files matching `pattern` (an absolute glob in the audited system) under root, as
// paths in the audited system, in lexical order (glob(3) sorts, as sshd relies on).
std::vector<std::string> GlobUnder(const HostRoot& root, const std::string& pattern) {
  std::vector<std::string> out;
  std::string full = root.Path(pattern).string();
  std::string prefix = root.Path("/").string();
  if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  glob_t g{};
  if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::string match = g.gl_pathv[i];
      if (match.compare(0, prefix.size(), prefix) != 0) continue;
      out.push_back(match.substr(prefix.size()));
      if (out.back().empty() || out.back().front() != '/') out.back().insert(0, "/");
    }
  }
  ::globfree(&g);
  return out;
}

}  // namespace

SshdAudit ParseSshdConfig(std::string_view text) {
  SshdAudit audit;
  audit.known = true;
  ParseSshdInto(audit, text, "", nullptr);
  return audit;
}

SshdAudit ReadSshdConfig(const HostRoot& root) {
  SshdAudit audit;
  constexpr std::string_view kMain = "/etc/ssh/sshd_config";
  Result<std::string> text = ReadFile(root.Path(kMain), kMaxSshdFile);
  if (!text.ok()) return audit;
  audit.known = true;
  audit.files.emplace_back(kMain);
  std::vector<std::string> stack = {std::string(kMain)};
  std::function<void(std::string_view)> follow;
  follow = [&](std::string_view args) {
    for (std::string_view arg : Fields(args)) {
      std::string pattern = arg.front() == '/' ? std::string(arg) : "/etc/ssh/" + std::string(arg);
      for (const std::string& file : GlobUnder(root, pattern)) {
        if (std::find(stack.begin(), stack.end(), file) != stack.end()) {
          audit.include_errors.push_back(file + ": includes itself (loop), skipped");
          continue;
        }
        if (static_cast<int>(stack.size()) > kMaxSshdIncludeDepth) {
          audit.include_errors.push_back(file + ": Include nested deeper than " +
                                         std::to_string(kMaxSshdIncludeDepth) + ", skipped");
          continue;
        }
        Result<std::string> inc = ReadFile(root.Path(file), kMaxSshdFile);
        if (!inc.ok()) {
          audit.include_errors.push_back(file + ": " + inc.status().message());
          continue;
        }
        audit.files.push_back(file);
        stack.push_back(file);
        ParseSshdInto(audit, *inc, file, &follow);
        stack.pop_back();
      }
    }
  };
  ParseSshdInto(audit, *text, std::string(kMain), &follow);
  return audit;
}

ProcNetParse ParseProcNet(std::string_view text, std::string_view protocol) {
  ProcNetParse out;
  bool ipv6 = protocol == "tcp6" || protocol == "udp6";
  bool tcp = protocol == "tcp" || protocol == "tcp6";
  bool first = true;
  for (std::string_view line : SplitLines(text)) {
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    if (first && f[0] == "sl") {
      first = false;
      continue;
    }
    first = false;
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    ListeningSocket s;
    std::string remote;
    uint16_t remote_port = 0;
    unsigned state = 0;
    if (f.size() < 10 || f[0].back() != ':' || !ParseHex(f[3], state) ||
        !ParseEndpoint(f[1], ipv6, s.address, s.port) ||
        !ParseEndpoint(f[2], ipv6, remote, remote_port)) {
      ++out.bad_lines;
      continue;
    }
    auto [ptr, ec] = std::from_chars(f[9].data(), f[9].data() + f[9].size(), s.inode);
    if (ec != std::errc() || ptr != f[9].data() + f[9].size()) {
      ++out.bad_lines;
      continue;
    }
    bool listening = tcp ? state == 0x0A : (state == 0x07 && IsZeroEndpoint(f[2]));
    if (!listening) continue;
    s.protocol = std::string(protocol);
    out.sockets.push_back(std::move(s));
  }
  return out;
}

uint64_t ParseSocketInode(std::string_view t) {
  constexpr std::string_view kPrefix = "socket:[";
  if (t.size() <= kPrefix.size() + 1 || t.substr(0, kPrefix.size()) != kPrefix || t.back() != ']') {
    return 0;
  }
  std::string_view digits = t.substr(kPrefix.size(), t.size() - kPrefix.size() - 1);
  uint64_t inode = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
  return ec == std::errc() && ptr == digits.data() + digits.size() ? inode : 0;
}

Tristate ParseUnattendedUpgrade(std::string_view text) {
  constexpr std::string_view kKey = "apt::periodic::unattended-upgrade";
  Tristate result = Tristate::kNo;
  for (std::string_view raw : SplitLines(text)) {
    std::string line = Lower(TrimSpace(raw));
    if (size_t c = line.find("//"); c != std::string::npos) line.resize(c);
    if (size_t c = line.find('#'); c != std::string::npos) line.resize(c);
    if (size_t c = line.find("/*"); c != std::string::npos) {
      size_t e = line.find("*/", c + 2);
      line.erase(c, e == std::string::npos ? std::string::npos : e + 2 - c);
    }
    std::string_view l = TrimSpace(line);
    if (l.substr(0, kKey.size()) != kKey) continue;
    std::string_view rest = TrimSpace(l.substr(kKey.size()));
    if (rest.empty() || rest.front() != '"') continue;
    size_t close = rest.find('"', 1);
    if (close == std::string_view::npos) continue;
    std::string_view value = rest.substr(1, close - 1);
    int n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    bool number = ec == std::errc() && ptr == value.data() + value.size();
    result = number && n > 0 ? Tristate::kYes : Tristate::kNo;
  }
  return result;
}

std::vector<InsecureService> FindInsecureServices(const std::vector<ListeningSocket>& sockets) {
  static const std::map<uint16_t, std::string_view> kPorts = {
      {21, "ftp"}, {23, "telnet"}, {512, "rexec"}, {513, "rlogin"}, {514, "rsh"}};
  std::vector<InsecureService> out;
  for (const ListeningSocket& s : sockets) {
    if (s.protocol != "tcp" && s.protocol != "tcp6") continue;
    auto it = kPorts.find(s.port);
    if (it != kPorts.end()) out.push_back({std::string(it->second), s});
  }
  return out;
}

HostAudit CollectHostAudit(const HostRoot& root) {
  HostAudit audit;
  audit.sshd = ReadSshdConfig(root);

  for (std::string_view proto : {"tcp", "tcp6", "udp", "udp6"}) {
    Result<std::string> text = ReadFile(root.Path("/proc/net/" + std::string(proto)), 64 << 20);
    if (!text.ok()) continue;
    audit.sockets_known = Tristate::kYes;
    ProcNetParse parsed = ParseProcNet(*text, proto);
    audit.bad_proc_net_lines += parsed.bad_lines;
    for (ListeningSocket& s : parsed.sockets) audit.listening.push_back(std::move(s));
  }
  if (!audit.listening.empty()) {
    auto owners = SocketOwners(root.Path("/proc"));
    for (ListeningSocket& s : audit.listening) {
      auto it = owners.find(s.inode);
      if (it == owners.end()) continue;
      s.pid = it->second.first;
      s.process = it->second.second;
    }
  }
  std::sort(audit.listening.begin(), audit.listening.end(),
            [](const ListeningSocket& a, const ListeningSocket& b) {
              return std::tie(a.protocol, a.port, a.address) <
                     std::tie(b.protocol, b.port, b.address);
            });
  audit.insecure_services = FindInsecureServices(audit.listening);

  std::error_code ec;
  if (fs::exists(root.Path("/var/run/reboot-required"), ec) ||
      fs::exists(root.Path("/run/reboot-required"), ec)) {
    audit.reboot_required = Tristate::kYes;
  } else if (fs::is_directory(root.Path("/run"), ec) ||
             fs::is_directory(root.Path("/var/run"), ec)) {
    audit.reboot_required = Tristate::kNo;
  }

  Result<std::string> apt = ReadFile(root.Path("/etc/apt/apt.conf.d/20auto-upgrades"), 1 << 20);
  if (apt.ok()) {
    audit.unattended_upgrades = ParseUnattendedUpgrade(*apt);
  } else if (fs::is_directory(root.Path("/etc/apt"), ec)) {
    audit.unattended_upgrades = Tristate::kNo;
  }

  CommandRunner runner = [](const std::vector<std::string>& argv) { return RunCommand(argv); };
  audit.firewall = CollectFirewall(root, root.IsLive() ? &runner : nullptr);
  audit.confinement = CollectConfinement(root);
  return audit;
}

nlohmann::json HostAuditToJson(const HostAudit& a) {
  auto socket_json = [](const ListeningSocket& s) {
    nlohmann::json j = {
        {"protocol", s.protocol}, {"address", s.address}, {"port", s.port}, {"inode", s.inode}};
    if (s.pid > 0) {
      j["pid"] = s.pid;
      j["process"] = s.process;
    } else {
      j["pid"] = nullptr;
      j["process"] = nullptr;
    }
    return j;
  };
  nlohmann::json ssh = {{"status", a.sshd.known ? "read" : "unknown"},
                        {"findings", nlohmann::json::array()},
                        {"includes", a.sshd.includes},
                        {"files", a.sshd.files},
                        {"include_errors", a.sshd.include_errors}};
  for (const SshFinding& f : a.sshd.findings) {
    ssh["findings"].push_back({{"keyword", f.keyword},
                               {"value", f.value},
                               {"line", f.line},
                               {"file", f.file},
                               {"message", f.message}});
  }
  nlohmann::json sockets = {{"status", a.sockets_known == Tristate::kYes ? "read" : "unknown"},
                            {"bad_lines", a.bad_proc_net_lines},
                            {"listening", nlohmann::json::array()}};
  for (const ListeningSocket& s : a.listening) sockets["listening"].push_back(socket_json(s));
  nlohmann::json insecure = nlohmann::json::array();
  for (const InsecureService& s : a.insecure_services) {
    nlohmann::json j = socket_json(s.socket);
    j["service"] = s.name;
    insecure.push_back(std::move(j));
  }
  return {{"sshd", std::move(ssh)},
          {"sockets", std::move(sockets)},
          {"reboot_required", TristateName(a.reboot_required)},
          {"unattended_upgrades", TristateName(a.unattended_upgrades)},
          {"insecure_services", std::move(insecure)},
          {"firewall", FirewallToJson(a.firewall)},
          {"confinement", ConfinementToJson(a.confinement)}};
}

}  // namespace wott::audit
