#include "cmd/wott-server/cli_common.h"

#include <filesystem>
#include <iostream>

namespace wott::cmd {

std::string RegistryDsn(const GlobalFlags& flags) {
  if (!flags.db.empty()) return flags.db;
  return "sqlite:" + (std::filesystem::path(flags.data_dir) / "registry.db").string();
}

Result<std::unique_ptr<store::Store>> OpenRegistry(const GlobalFlags& flags) {
  std::error_code ec;
  if (flags.db.empty() && !std::filesystem::is_directory(
                              std::filesystem::path(flags.data_dir) / "ca", ec)) {
    return NotFound("no CA in " + flags.data_dir + " (run: wott-server --data-dir " +
                    flags.data_dir + " init)");
  }
  Result<std::unique_ptr<store::Store>> store = store::OpenStore(RegistryDsn(flags));
  if (!store.ok()) return store.status().WithContext("opening the registry");
  return store;
}

int PrintError(const Status& status) {
  std::cerr << "error: " << status.message() << "\n";
  if (!status.detail().empty()) std::cerr << "  detail: " << status.detail() << "\n";
  return 1;
}

}  // namespace wott::cmd
