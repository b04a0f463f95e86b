#include "audit/firewall.h"

#include <cctype>
#include <functional>

#include "audit/text_fields.h"
#include "base/file.h"

namespace wott::audit {
namespace {

using nlohmann::json;

constexpr size_t kMaxFileBytes = 4 << 20;

// j[key] when it is a string, else `fallback` (json::value would throw on another type).
std::string StringOr(const json& j, const char* key, const char* fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// True when an nft JSON expression tree holds a drop or reject verdict.
bool HasDropVerdict(const json& j) {
  if (j.is_object()) {
    if (j.contains("drop") || j.contains("reject")) return true;
    for (const auto& [key, value] : j.items()) {
      if (HasDropVerdict(value)) return true;
    }
  } else if (j.is_array()) {
    for (const json& e : j) {
      if (HasDropVerdict(e)) return true;
    }
  }
  return false;
}

// An nftables.conf token: a word, a quoted string, or one of "{", "}", ";", "\n".
std::vector<std::string> NftTokens(std::string_view text, Status& error) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      i += 2;  // a continued line
    } else if (c == '{' || c == '}' || c == ';' || c == '\n') {
      out.emplace_back(1, c);
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) {
        error = InvalidArgument("nftables.conf: unterminated quoted string");
        return {};
      }
      out.emplace_back(text.substr(i, close + 1 - i));
      i = close + 1;
    } else {
      size_t start = i;
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])) &&
             std::string_view("{};#\"").find(text[i]) == std::string_view::npos) {
        ++i;
      }
      out.emplace_back(text.substr(start, i - start));
    }
  }
  return out;
}

bool IsDropWord(std::string_view w) { return w == "drop" || w == "reject"; }

}  // namespace

Result<FirewallRules> ParseNftJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("nftables") || !j["nftables"].is_array()) {
    return InvalidArgument("nft output is not {\"nftables\": [...]}");
  }
  FirewallRules out;
  for (const json& item : j["nftables"]) {
    if (!item.is_object()) return InvalidArgument("nft output: an entry is not an object");
    if (auto chain = item.find("chain"); chain != item.end() && chain->is_object()) {
      std::string hook = StringOr(*chain, "hook", "");
      std::string policy = StringOr(*chain, "policy", "accept");
      if (hook == "input" && policy != "accept") out.filtering = true;
    } else if (auto rule = item.find("rule"); rule != item.end() && rule->is_object()) {
      ++out.rules;
      if (HasDropVerdict(rule->value("expr", json::array()))) out.filtering = true;
    }
  }
  return out;
}

Result<FirewallRules> ParseIptablesSave(std::string_view text) {
  FirewallRules out;
  std::string table;
  int line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = TrimSpace(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line == "COMMIT") continue;
    std::vector<std::string_view> f = Fields(line);
    if (line.front() == '*') {
      table = std::string(line.substr(1));
    } else if (line.front() == ':' && f.size() >= 2) {
      if (table == "filter" && f[0] == ":INPUT" && f[1] != "ACCEPT") out.filtering = true;
    } else if ((f[0] == "-A" || f[0] == "-I") && f.size() >= 2) {
      ++out.rules;
      for (size_t i = 2; i + 1 < f.size(); ++i) {
        if ((f[i] == "-j" || f[i] == "--jump") && (f[i + 1] == "DROP" || f[i + 1] == "REJECT")) {
          out.filtering = true;
        }
      }
    } else {
      return InvalidArgument("iptables-save output: line " + std::to_string(line_no) +
                             " is not a table, chain or rule");
    }
  }
  return out;
}

Result<FirewallRules> ParseNftablesConf(std::string_view text) {
  Status error;
  std::vector<std::string> tokens = NftTokens(text, error);
  if (!error.ok()) return error;
  FirewallRules out;
  // A block is a table, a chain (its statements are rules) or another named object (set,
  // map, ...: contents ignored). Braces inside a chain's statement are anonymous sets.
  enum class Block { kTop, kTable, kChain, kOther };
  std::vector<Block> blocks = {Block::kTop};
  std::vector<std::string> stmt;
  int inline_braces = 0;  // open anonymous-set braces within the current statement
  bool chain_is_input = false;
  auto end_statement = [&]() {
    if (stmt.empty()) return;
    Block where = blocks.back();
    bool has_drop = false;
    for (const std::string& w : stmt) has_drop = has_drop || IsDropWord(w);
    if (where == Block::kChain) {
      if (stmt[0] == "type") {
        for (size_t i = 0; i + 1 < stmt.size(); ++i) {
          if (stmt[i] == "hook") chain_is_input = stmt[i + 1] == "input";
        }
      } else if (stmt[0] == "policy") {
        if (chain_is_input && stmt.size() >= 2 && stmt[1] != "accept") out.filtering = true;
      } else if (stmt[0] != "comment" && stmt[0] != "devices") {
        ++out.rules;
        out.filtering = out.filtering || has_drop;
      }
    } else if (where == Block::kTop && stmt.size() >= 2 &&
               (stmt[0] == "add" || stmt[0] == "insert") && stmt[1] == "rule") {
      ++out.rules;
      out.filtering = out.filtering || has_drop;
    }
    stmt.clear();
  };
  for (const std::string& t : tokens) {
    if (inline_braces > 0) {
      if (t == "{") ++inline_braces;
      if (t == "}") --inline_braces;
      if (t != "\n") stmt.push_back(t);
      continue;
    }
    if (t == "{") {
      Block where = blocks.back();
      bool is_rule =
          where == Block::kChain || (where == Block::kTop && stmt.size() >= 2 && stmt[1] == "rule");
      if (is_rule) {
        ++inline_braces;
        stmt.push_back(t);
        continue;
      }
      Block opened = Block::kOther;
      std::string_view kind = stmt.empty() ? "" : std::string_view(stmt[0]);
      if ((kind == "add" || kind == "create") && stmt.size() >= 2) kind = stmt[1];
      if (where == Block::kTop && kind == "table") opened = Block::kTable;
      if ((where == Block::kTable && !stmt.empty() && stmt[0] == "chain") ||
          (where == Block::kTop && kind == "chain")) {
        opened = Block::kChain;
        chain_is_input = false;
      }
      stmt.clear();
      blocks.push_back(opened);
    } else if (t == "}") {
      end_statement();
      if (blocks.size() == 1) return InvalidArgument("nftables.conf: unbalanced \"}\"");
      blocks.pop_back();
    } else if (t == ";" || t == "\n") {
      end_statement();
    } else {
      stmt.push_back(t);
    }
  }
  end_statement();
  if (blocks.size() != 1 || inline_braces != 0) {
    return InvalidArgument("nftables.conf: a \"{\" is not closed");
  }
  return out;
}

std::vector<std::string> ParseTableNames(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view f : Fields(text)) out.emplace_back(f);
  return out;
}

FirewallAudit CollectFirewall(const HostRoot& root, const CommandRunner* live) {
  // Each source's verdict; "yes" from any source wins, then an unknown, then "no".
  struct Verdict {
    Tristate state;
    std::string backend;
    int rules;
    std::string source;
  };
  std::vector<Verdict> verdicts;
  auto add = [&](const Result<FirewallRules>& r, std::string backend, std::string source) {
    if (r.ok()) {
      verdicts.push_back({r->filtering ? Tristate::kYes : Tristate::kNo, std::move(backend),
                          r->rules, std::move(source)});
    } else {
      verdicts.push_back({Tristate::kUnknown, std::move(backend), 0, std::move(source)});
    }
  };

  bool legacy_tables = false;  // iptables (legacy) tables are loaded
  bool tables_read = false;
  for (const char* file : {"/proc/net/ip_tables_names", "/proc/net/ip6_tables_names"}) {
    Result<std::string> names = ReadFile(root.Path(file), kMaxFileBytes);
    if (names.ok()) {
      tables_read = true;
      legacy_tables = legacy_tables || !ParseTableNames(*names).empty();
    } else if (names.status().code() != StatusCode::kNotFound) {
      verdicts.push_back({Tristate::kUnknown, "iptables", 0, file});
    }
  }

  bool live_answered = false;
  if (live != nullptr) {
    Result<std::string> nft = (*live)({"nft", "-j", "list", "ruleset"});
    if (nft.ok()) {
      add(ParseNftJson(*nft), "nftables", "nft");
      live_answered = true;
    } else if (nft.status().code() != StatusCode::kNotFound) {
      add(nft.status(), "nftables", "nft");
    }
    if (!live_answered || legacy_tables) {
      for (const char* tool : {"iptables-save", "ip6tables-save"}) {
        Result<std::string> out = (*live)({tool});
        if (out.ok()) {
          add(ParseIptablesSave(*out), "iptables", tool);
          live_answered = true;
        } else if (out.status().code() != StatusCode::kNotFound) {
          add(out.status(), "iptables", tool);
        }
      }
    }
  }
  if (!live_answered) {
    std::string conf = root.Path("/etc/nftables.conf").string();
    Result<std::string> text = ReadFile(conf, kMaxFileBytes);
    if (text.ok()) {
      add(ParseNftablesConf(*text), "nftables", "/etc/nftables.conf");
    } else if (text.status().code() != StatusCode::kNotFound) {
      verdicts.push_back({Tristate::kUnknown, "nftables", 0, "/etc/nftables.conf"});
    }
    // Legacy tables are loaded but their rules are only visible to iptables-save.
    if (legacy_tables) verdicts.push_back({Tristate::kUnknown, "iptables", 0, "ip_tables_names"});
  }

  FirewallAudit audit;
  for (Tristate wanted : {Tristate::kYes, Tristate::kUnknown, Tristate::kNo}) {
    for (const Verdict& v : verdicts) {
      if (v.state != wanted) continue;
      audit.state = v.state;
      audit.backend = v.backend;
      audit.source = v.source;
      // Rules add up over the sources that were read (IPv4 + IPv6, ...).
      audit.rules = 0;
      for (const Verdict& w : verdicts) audit.rules += w.rules;
      return audit;
    }
  }
  // Nothing configured: readable ip_tables_names that list no table, no nftables.conf and
  // (live) no tool installed.
  if (tables_read || (live != nullptr)) {
    audit.state = Tristate::kNo;
    audit.backend = "none";
  }
  return audit;
}

json FirewallToJson(const FirewallAudit& a) {
  return {{"state", TristateName(a.state)},
          {"backend", a.backend},
          {"rules", a.rules},
          {"source", a.source}};
}

}  // namespace wott::audit
