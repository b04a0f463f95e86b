// A device's software inventory: its OS identity and installed Debian packages. The agent
// builds one from its own files and sends it in heartbeats; the server matches it against
// the vulnerability database. Plain values; safe from any thread.
#ifndef WOTT_AUDIT_INVENTORY_H_
#define WOTT_AUDIT_INVENTORY_H_

#include <filesystem>
#include <vector>

#include "audit/dpkg_status.h"
#include "audit/host_root.h"
#include "audit/os_release.h"
#include "base/result.h"

namespace wott::audit {

struct Inventory {
  OsRelease os;
  std::vector<InstalledPackage> packages;
};

// Reads a dpkg status file and an os-release file (when `os_release` is empty:
// /etc/os-release, else /usr/lib/os-release, as os-release(5) says). Errors name the file.
Result<Inventory> ReadInventory(const std::filesystem::path& dpkg_status,
                                const std::filesystem::path& os_release = {});

// The inventory of the system under `root`: ROOT/var/lib/dpkg/status and ROOT/etc/os-release
// (else ROOT/usr/lib/os-release). Errors name the file.
Result<Inventory> ReadHostInventory(const HostRoot& root);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_INVENTORY_H_
