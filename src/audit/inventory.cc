#include "audit/inventory.h"

#include <unistd.h>

namespace wott::audit {

Result<Inventory> ReadInventory(const std::filesystem::path& dpkg_status,
                                const std::filesystem::path& os_release) {
  std::filesystem::path os_path = os_release;
  if (os_path.empty()) {
    os_path = ::access("/etc/os-release", F_OK) == 0 ? "/etc/os-release" : "/usr/lib/os-release";
  }
  Inventory inventory;
  ASSIGN_OR_RETURN(inventory.os, ReadOsReleaseFile(os_path));
  ASSIGN_OR_RETURN(inventory.packages, ReadDpkgStatusFile(dpkg_status));
  return inventory;
}

Result<Inventory> ReadHostInventory(const HostRoot& root) {
  std::filesystem::path os = root.Path("/etc/os-release");
  std::error_code ec;
  if (!std::filesystem::exists(os, ec)) os = root.Path("/usr/lib/os-release");
  return ReadInventory(root.Path("/var/lib/dpkg/status"), os);
}

}  // namespace wott::audit
