// Firewall state for the host audit (posture contract section 1): does a packet filter
// actually filter? "yes" = at least one input-hook chain with a non-accept policy, or one
// drop/reject rule; "no" = the rules were read and none filters; "unknown" = they could not
// be read (a tool that fails to run is unknown, never "no"). The parsers are pure functions
// over structured input (nft's JSON, iptables-save's line format, nftables.conf tokens);
// CollectFirewall reads the files under a root and, on the live root only, runs the tools.
// Thread-compatible; no global state.
#ifndef WOTT_AUDIT_FIREWALL_H_
#define WOTT_AUDIT_FIREWALL_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/host_root.h"
#include "audit/run_command.h"
#include "audit/tristate.h"
#include "base/result.h"

namespace wott::audit {

// What one source of rules says.
struct FirewallRules {
  int rules = 0;           // rules seen (each "rule" / "-A" line / rule statement)
  bool filtering = false;  // a drop/reject rule or a non-accept input-hook policy
};

// `nft -j list ruleset` output. kInvalidArgument when it is not that JSON shape.
Result<FirewallRules> ParseNftJson(std::string_view json_text);
// `iptables-save` / `ip6tables-save` output ("*table", ":CHAIN POLICY [p:b]", "-A CHAIN ...
// -j TARGET", "COMMIT"). Only the filter table's INPUT policy and DROP/REJECT targets
// filter. kInvalidArgument naming the line on a line of another shape.
Result<FirewallRules> ParseIptablesSave(std::string_view text);
// A static nftables configuration (/etc/nftables.conf, nft(8) syntax): tables, chains with
// "type filter hook input ...; policy drop;", rules, anonymous sets in braces, "add rule"
// commands. Includes are not followed. kInvalidArgument on unbalanced braces or quotes.
Result<FirewallRules> ParseNftablesConf(std::string_view text);
// /proc/net/ip_tables_names (one loaded table name per line).
std::vector<std::string> ParseTableNames(std::string_view text);

struct FirewallAudit {
  Tristate state = Tristate::kUnknown;
  std::string backend = "unknown";  // "nftables", "iptables", "none", "unknown"
  int rules = 0;                    // 0 when unknown
  std::string source;               // what decided: "nft", "iptables-save", file path, ""
};

// Reads ROOT/proc/net/ip_tables_names, ROOT/proc/net/ip6_tables_names and
// ROOT/etc/nftables.conf; with `live` (only for the root "/"), also runs `nft -j list
// ruleset` and `iptables-save`/`ip6tables-save` through it when installed, and their answer
// wins over the static file. Never fails.
FirewallAudit CollectFirewall(const HostRoot& root, const CommandRunner* live);

// {"state", "backend", "rules"} (+ "source").
nlohmann::json FirewallToJson(const FirewallAudit& audit);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_FIREWALL_H_
