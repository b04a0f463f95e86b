#include "audit/deb_version.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace wott::audit {
namespace {

// The C locale's character classes, as dpkg's c_isdigit/c_isalpha/c_isblank.
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// dpkg's order(): the weight of one character in a non-digit run; 0 is the end of the run.
int Order(char c) {
  if (IsDigit(c)) return 0;
  if (IsAlpha(c)) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  if (c != '\0') return static_cast<unsigned char>(c) + 256;
  return 0;
}

// dpkg's verrevcmp() on NUL-terminated strings (std::string guarantees the terminator).
int VerRevCmp(const char* a, const char* b) {
  while (*a != '\0' || *b != '\0') {
    int first_diff = 0;
    while ((*a != '\0' && !IsDigit(*a)) || (*b != '\0' && !IsDigit(*b))) {
      int ac = Order(*a);
      int bc = Order(*b);
      if (ac != bc) return ac - bc;
      ++a;
      ++b;
    }
    while (*a == '0') ++a;
    while (*b == '0') ++b;
    while (IsDigit(*a) && IsDigit(*b)) {
      if (first_diff == 0) first_diff = *a - *b;
      ++a;
      ++b;
    }
    if (IsDigit(*a)) return 1;
    if (IsDigit(*b)) return -1;
    if (first_diff != 0) return first_diff;
  }
  return 0;
}

Status VersionError(std::string_view text, const char* what) {
  return InvalidArgument("version '" + std::string(text) + "' has bad syntax: " + what);
}

}  // namespace

std::string DebVersion::ToString() const {
  std::string out;
  if (epoch != 0) out = std::to_string(epoch) + ":";
  out += upstream;
  if (!revision.empty()) out += "-" + revision;
  return out;
}

Result<DebVersion> ParseDebVersion(std::string_view text, std::string* warning) {
  if (warning != nullptr) warning->clear();
  if (text.find('\0') != std::string_view::npos) {
    return VersionError("<binary>", "version string contains a NUL byte");
  }
  std::string_view s = text;
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  if (s.empty()) return VersionError(text, "version string is empty");
  size_t end = 0;
  while (end < s.size() && !IsBlank(s[end])) ++end;
  for (size_t i = end; i < s.size(); ++i) {
    if (!IsBlank(s[i])) return VersionError(text, "version string has embedded spaces");
  }
  // `rest` keeps the trailing blanks, as dpkg's "nothing after colon" check sees them.
  std::string_view rest = s;
  s = s.substr(0, end);

  DebVersion v;
  size_t colon = s.find(':');
  if (colon != std::string_view::npos) {
    // strtol semantics: leading blanks were trimmed; an optional sign, then digits.
    std::string digits(s.substr(0, colon));
    errno = 0;
    char* stop = nullptr;
    long epoch = std::strtol(digits.c_str(), &stop, 10);
    if (stop == digits.c_str()) return VersionError(text, "epoch in version is empty");
    if (*stop != '\0') return VersionError(text, "epoch in version is not number");
    if (epoch < 0) return VersionError(text, "epoch in version is negative");
    if (epoch > INT_MAX || errno == ERANGE) {
      return VersionError(text, "epoch in version is too big");
    }
    if (colon + 1 >= rest.size()) {
      return VersionError(text, "nothing after colon in version number");
    }
    v.epoch = static_cast<int>(epoch);
    s.remove_prefix(colon + 1);
  }
  std::string_view upstream = s;
  size_t hyphen = s.rfind('-');
  if (hyphen != std::string_view::npos) {
    upstream = s.substr(0, hyphen);
    v.revision = std::string(s.substr(hyphen + 1));
    if (v.revision.empty()) return VersionError(text, "revision number is empty");
  }
  v.upstream = std::string(upstream);
  if (v.upstream.empty()) return VersionError(text, "version number is empty");

  // dpkg only warns about these; it still compares such versions.
  const char* warn = nullptr;
  if (!IsDigit(v.upstream[0])) {
    warn = "version number does not start with digit";
  } else {
    for (char c : v.upstream) {
      if (!IsDigit(c) && !IsAlpha(c) &&
          std::string_view(".-+~:").find(c) == std::string_view::npos) {
        warn = "invalid character in version number";
        break;
      }
    }
    for (size_t i = 0; warn == nullptr && i < v.revision.size(); ++i) {
      char c = v.revision[i];
      if (!IsDigit(c) && !IsAlpha(c) && std::string_view(".+~").find(c) == std::string_view::npos) {
        warn = "invalid character in revision number";
      }
    }
  }
  if (warn != nullptr && warning != nullptr) {
    *warning = "version '" + std::string(text) + "' has bad syntax: " + warn;
  }
  return v;
}

int CompareDebVersions(const DebVersion& a, const DebVersion& b) {
  if (a.epoch != b.epoch) return a.epoch > b.epoch ? 1 : -1;
  int rc = VerRevCmp(a.upstream.c_str(), b.upstream.c_str());
  if (rc != 0) return rc;
  return VerRevCmp(a.revision.c_str(), b.revision.c_str());
}

Result<int> CompareDebVersionStrings(std::string_view a, std::string_view b) {
  ASSIGN_OR_RETURN(DebVersion va, ParseDebVersion(a));
  ASSIGN_OR_RETURN(DebVersion vb, ParseDebVersion(b));
  return CompareDebVersions(va, vb);
}

}  // namespace wott::audit
