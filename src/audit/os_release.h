// The operating system's identity from os-release(5) (/etc/os-release): the fields the
// vulnerability matcher needs. Pure functions; safe from any thread.
#ifndef WOTT_AUDIT_OS_RELEASE_H_
#define WOTT_AUDIT_OS_RELEASE_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::audit {

struct OsRelease {
  std::string id;                // "debian", "raspbian", "ubuntu"
  std::string id_like;           // space-separated, e.g. "debian"
  std::string version_id;        // "12"; "" on testing/unstable
  std::string version_codename;  // "bookworm"; derived from VERSION when absent
  std::string pretty_name;       // "Debian GNU/Linux 12 (bookworm)"

  // True when ID or ID_LIKE names debian (Raspbian, Kali, ... use Debian's packages).
  bool IsDebianLike() const;

  bool operator==(const OsRelease&) const = default;
};

// Parses os-release text: KEY=VALUE lines, '#' comments and blank lines ignored; values
// unquoted, in '...' (literal) or "..." (backslash escapes \\ \" \$ \`), as the shell reads
// them; CRLF accepted; unknown keys ignored. When VERSION_CODENAME is absent it is taken
// from UBUNTU_CODENAME, then from "(codename)" in VERSION, then from Debian's VERSION_ID
// (10 buster ... 13 trixie). Fails with kInvalidArgument naming the line on a line without
// '=', an invalid key, an unterminated quote or a NUL byte.
Result<OsRelease> ParseOsRelease(std::string_view text);

// Reads and parses `path` (at most 1 MiB); errors name the file.
Result<OsRelease> ReadOsReleaseFile(const std::filesystem::path& path);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_OS_RELEASE_H_
