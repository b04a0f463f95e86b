// Yes / no / could not tell: the answer of a host audit check whose source may be
// unreadable. A plain enum; thread-safe.
#ifndef WOTT_AUDIT_TRISTATE_H_
#define WOTT_AUDIT_TRISTATE_H_

#include <string_view>

namespace wott::audit {

enum class Tristate { kUnknown, kNo, kYes };

// "unknown", "no", "yes".
inline std::string_view TristateName(Tristate t) {
  switch (t) {
    case Tristate::kYes:
      return "yes";
    case Tristate::kNo:
      return "no";
    case Tristate::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace wott::audit

#endif  // WOTT_AUDIT_TRISTATE_H_
