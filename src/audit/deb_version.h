// Debian package versions ([epoch:]upstream[-revision]) parsed and ordered exactly as dpkg
// does (lib/dpkg/parsehelp.c parseversion, lib/dpkg/version.c verrevcmp): epochs compare
// numerically, then upstream and revision by alternating non-digit runs (`~` before
// everything, even the end of the string; letters before other characters) and digit runs
// (numerically). Pure functions on values; safe from any thread.
#ifndef WOTT_AUDIT_DEB_VERSION_H_
#define WOTT_AUDIT_DEB_VERSION_H_

#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::audit {

struct DebVersion {
  int epoch = 0;
  std::string upstream;  // never empty after a successful parse
  std::string revision;  // "" when the version has no '-'

  // "epoch:upstream-revision", with the epoch only when non-zero and the revision only
  // when non-empty.
  std::string ToString() const;
};

// Parses `text` as dpkg does. Leading and trailing blanks are ignored. Fails with
// kInvalidArgument and dpkg's own wording ("version string has embedded spaces", "epoch in
// version is not number", "revision number is empty", ...) where dpkg reports an error.
// Where dpkg only warns (upstream not starting with a digit, an invalid character) the
// version is accepted, ordered as dpkg orders it, and the warning is stored in `*warning`
// when `warning` is non-null (cleared otherwise).
Result<DebVersion> ParseDebVersion(std::string_view text, std::string* warning = nullptr);

// <0, 0 or >0 as `a` sorts before, equal to or after `b` in dpkg order.
int CompareDebVersions(const DebVersion& a, const DebVersion& b);

// Parses both and compares them; fails when either does not parse (the message names it).
Result<int> CompareDebVersionStrings(std::string_view a, std::string_view b);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_DEB_VERSION_H_
