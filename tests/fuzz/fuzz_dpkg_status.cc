// Fuzzes the inventory parsers: dpkg status files, os-release files and Debian versions
// arrive from devices (heartbeat inventories) and from operators' files; and the streaming
// Debian Security Tracker JSON parser (a downloaded file) on the same bytes.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "audit/deb_version.h"
#include "audit/debian_tracker_import.h"
#include "audit/dpkg_status.h"
#include "audit/os_release.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  wott::Result<std::vector<wott::audit::InstalledPackage>> packages =
      wott::audit::ParseDpkgStatus(input);
  if (packages.ok()) {
    // Whatever is accepted carries versions that parse and compare with themselves as equal.
    for (const wott::audit::InstalledPackage& p : *packages) {
      wott::Result<int> a = wott::audit::CompareDebVersionStrings(p.version, p.version);
      wott::Result<int> b = wott::audit::CompareDebVersionStrings(p.source_version, p.version);
      if (!a.ok() || *a != 0 || !b.ok() || p.name.empty() || p.source_name.empty()) {
        __builtin_trap();
      }
    }
  }
  (void)wott::audit::ParseOsRelease(input);
  // The first line as a version: ordering must be antisymmetric.
  std::string_view first = input.substr(0, input.find('\n'));
  std::string_view second = input.substr(first.size() < input.size() ? first.size() + 1 : 0);
  second = second.substr(0, second.find('\n'));
  wott::Result<int> ab = wott::audit::CompareDebVersionStrings(first, second);
  wott::Result<int> ba = wott::audit::CompareDebVersionStrings(second, first);
  if (ab.ok() != ba.ok() || (ab.ok() && ((*ab < 0) != (*ba > 0)))) __builtin_trap();

  // Any bytes: an error or entries, never a crash, hang or unbounded growth.
  std::istringstream json{std::string(input)};
  (void)wott::audit::ParseDebianTracker(
      json, [](wott::audit::TrackerEntry&) { return wott::Status::Ok(); });
  return 0;
}
