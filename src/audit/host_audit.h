// Device-side host audit (issue 7): sshd_config findings, listening sockets with their
// owning process, reboot required, unattended upgrades and insecure services. The parsers
// are pure functions over file contents (unit-tested with crafted text);
// CollectHostAudit reads the real files under a root directory. A file that cannot be read
// makes its part "unknown", never an error: an audit of a half-readable host still reports
// what it could see. Thread-compatible; no global state.
#ifndef WOTT_AUDIT_HOST_AUDIT_H_
#define WOTT_AUDIT_HOST_AUDIT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/confinement.h"
#include "audit/firewall.h"
#include "audit/host_root.h"
#include "audit/tristate.h"

namespace wott::audit {

// One risky sshd setting: the keyword as written in the file's canonical case, its value,
// the 1-based line it came from and a short user-facing explanation.
struct SshFinding {
  std::string keyword;  // "PermitRootLogin"
  std::string value;    // "yes"
  int line = 0;
  std::string message;  // "root can log in over SSH with a password"
  std::string file;     // the file it came from ("/etc/ssh/sshd_config"); "" for bare text
};

struct SshdAudit {
  bool known = false;  // false when sshd_config could not be read
  std::vector<SshFinding> findings;
  // The effective global value of each keyword seen (lower-case keyword -> value).
  std::map<std::string, std::string> settings;
  std::vector<std::string> includes;        // Include arguments as written
  std::vector<std::string> files;           // files read, in order (ReadSshdConfig)
  std::vector<std::string> include_errors;  // unreadable includes, loops, too deep
};

// Parses sshd_config text (sshd_config(5)): "Keyword value" or "Keyword=value", keywords
// case-insensitive, '#' comments, the first value of a keyword wins as in sshd, and every
// line from the first "Match" on is ignored (the global view). Reports PermitRootLogin
// yes|prohibit-password|without-password, PasswordAuthentication yes, PermitEmptyPasswords
// yes, X11Forwarding yes and MaxAuthTries > 6 (or not a number). Garbage lines are skipped.
// The result has known = true.
SshdAudit ParseSshdConfig(std::string_view text);

// Reads ROOT/etc/ssh/sshd_config as sshd does, following Include: each argument is a glob,
// relative to /etc/ssh unless absolute, expanded in lexical order and read in place of the
// Include line (so the first value wins across files); a Match in an included file ends
// that file's global part only. Nesting deeper than kMaxSshdIncludeDepth, a file including
// itself (directly or not) and an unreadable included file are noted in include_errors and
// skipped. known = false when sshd_config itself cannot be read.
inline constexpr int kMaxSshdIncludeDepth = 8;
SshdAudit ReadSshdConfig(const HostRoot& root);

// One socket that accepts connections (TCP LISTEN) or datagrams (UDP unconnected).
struct ListeningSocket {
  std::string protocol;  // "tcp", "tcp6", "udp", "udp6"
  std::string address;   // "127.0.0.1", "::", ...
  uint16_t port = 0;
  uint64_t inode = 0;
  int pid = 0;          // 0 when the owner is unknown (not root, or already gone)
  std::string process;  // /proc/PID/comm of the owner; "" when unknown
};

struct ProcNetParse {
  std::vector<ListeningSocket> sockets;
  int bad_lines = 0;  // lines that are not a well-formed /proc/net entry (skipped)
};

// Parses the text of /proc/net/{tcp,tcp6,udp,udp6}; `protocol` is one of those four names
// and decides the address width (IPv4 for tcp/udp). Keeps TCP sockets in state 0A (LISTEN)
// and UDP sockets in state 07 with a zero remote address. Addresses are decoded as the
// kernel prints them (32-bit words in host byte order). The header line is skipped;
// malformed lines are counted in bad_lines, never fatal.
ProcNetParse ParseProcNet(std::string_view text, std::string_view protocol);

// The inode of a /proc/PID/fd symlink target "socket:[12345]"; 0 for anything else.
uint64_t ParseSocketInode(std::string_view link_target);

// APT::Periodic::Unattended-Upgrade from apt.conf text (e.g. 20auto-upgrades): kYes when its
// last assignment is a non-zero number, kNo when it is "0" or absent. Comments (//, #, /*
// */ on one line) are ignored.
Tristate ParseUnattendedUpgrade(std::string_view apt_conf_text);

// A listening socket of a service that sends credentials in clear text.
struct InsecureService {
  std::string name;  // "telnet", "ftp", "rexec", "rlogin", "rsh"
  ListeningSocket socket;
};

// TCP sockets on ports 21 (ftp), 23 (telnet), 512 (rexec), 513 (rlogin), 514 (rsh).
std::vector<InsecureService> FindInsecureServices(const std::vector<ListeningSocket>& sockets);

struct HostAudit {
  SshdAudit sshd;
  Tristate sockets_known = Tristate::kUnknown;  // kYes when at least one /proc/net file read
  std::vector<ListeningSocket> listening;       // sorted by protocol, port, address
  int bad_proc_net_lines = 0;
  Tristate reboot_required = Tristate::kUnknown;
  Tristate unattended_upgrades = Tristate::kUnknown;
  std::vector<InsecureService> insecure_services;
  FirewallAudit firewall;
  ConfinementAudit confinement;
};

// Reads ROOT/etc/ssh/sshd_config (ReadSshdConfig), ROOT/proc/net/{tcp,tcp6,udp,udp6}
// (owners from ROOT/proc/*/fd, best-effort), ROOT/var/run/reboot-required (or
// ROOT/run/...), ROOT/etc/apt/apt.conf.d/20auto-upgrades, the firewall (CollectFirewall:
// on the live root "/" it also runs nft/iptables-save when installed) and confinement
// (CollectConfinement). Never fails: what cannot be read is unknown.
HostAudit CollectHostAudit(const HostRoot& root);

// The audit as JSON (the shape `wott-agent audit --json` prints and the heartbeat sends).
nlohmann::json HostAuditToJson(const HostAudit& audit);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_HOST_AUDIT_H_
