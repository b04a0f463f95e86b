// Small text helpers shared by the audit's line-oriented parsers (sshd_config, /proc/net,
// iptables-save, AppArmor files). Views into the caller's text; no allocation of the text.
#ifndef WOTT_AUDIT_TEXT_FIELDS_H_
#define WOTT_AUDIT_TEXT_FIELDS_H_

#include <string_view>
#include <vector>

namespace wott::audit {

// `s` without leading and trailing ASCII whitespace (isspace: space, \t, \n, \v, \f, \r).
std::string_view TrimSpace(std::string_view s);

// The whitespace-separated fields of `line`, empty fields dropped.
std::vector<std::string_view> Fields(std::string_view line);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_TEXT_FIELDS_H_
