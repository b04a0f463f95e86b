// The installed packages of a Debian system, read from dpkg's status database
// (/var/lib/dpkg/status, deb822 stanzas). Pure functions; safe from any thread.
#ifndef WOTT_AUDIT_DPKG_STATUS_H_
#define WOTT_AUDIT_DPKG_STATUS_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace wott::audit {

struct InstalledPackage {
  std::string name;            // binary package name ("libssl3")
  std::string version;         // binary version, a valid dpkg version ("3.0.11-1~deb12u2")
  std::string architecture;    // "amd64", "all", ...; "" when the stanza has none
  std::string source_name;     // source package ("openssl"); the binary's name by default
  std::string source_version;  // source version; the binary's version by default (binNMUs
                               // such as "1.2-3+b1" name "Source: foo (1.2-3)")

  bool operator==(const InstalledPackage&) const = default;
};

// Parses the text of a dpkg status file and returns the packages whose status is
// "<want> ok installed" (install, hold, deinstall or purge wanted: a held or to-be-removed
// package is still on disk), in file order. Accepts CRLF line ends, continuation lines,
// whitespace-only separator lines and stanzas of packages that are not installed whatever
// fields they lack. Fails with kInvalidArgument, naming the line, on a line that is neither
// "Field: value" nor a continuation, a duplicate field, a NUL byte, or an installed stanza
// without Package or with a missing or unparsable Version or Source.
Result<std::vector<InstalledPackage>> ParseDpkgStatus(std::string_view text);

// Reads and parses `path` (at most 256 MiB); errors name the file.
Result<std::vector<InstalledPackage>> ReadDpkgStatusFile(const std::filesystem::path& path);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_DPKG_STATUS_H_
