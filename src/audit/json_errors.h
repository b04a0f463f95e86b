// Turns nlohmann::json parser errors into messages for operators. Internal to src/audit.
#ifndef WOTT_AUDIT_JSON_ERRORS_H_
#define WOTT_AUDIT_JSON_ERRORS_H_

#include <string>
#include <string_view>

namespace wott::audit {

// "[json.exception.parse_error.101] parse error at line 3, column 1: syntax error ..." ->
// "parse error at line 3, column 1: syntax error ...".
inline std::string JsonErrorText(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    size_t end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

}  // namespace wott::audit

#endif  // WOTT_AUDIT_JSON_ERRORS_H_
