// What every wott-server subcommand shares: the global flags, opening the registry, and
// printing errors the same way.
#ifndef WOTT_CMD_WOTT_SERVER_CLI_COMMON_H_
#define WOTT_CMD_WOTT_SERVER_CLI_COMMON_H_

#include <memory>
#include <string>

#include "base/result.h"
#include "store/store.h"

namespace wott::cmd {

struct GlobalFlags {
  std::string data_dir = "/var/lib/wott";  // env WOTT_DATA_DIR
  std::string db;                          // env WOTT_DB; "" = sqlite in data_dir
  std::string log_level = "info";          // env WOTT_LOG_LEVEL
  int exit_code = 0;                       // set by the subcommand that ran
};

// The registry DSN the flags name.
std::string RegistryDsn(const GlobalFlags& flags);

// Opens the registry; refuses when the data dir holds no CA (a typo in --data-dir should
// not create an empty registry somewhere).
Result<std::unique_ptr<store::Store>> OpenRegistry(const GlobalFlags& flags);

// Prints "error: <message>" (and the detail, if any) to stderr; returns 1.
int PrintError(const Status& status);

}  // namespace wott::cmd

#endif  // WOTT_CMD_WOTT_SERVER_CLI_COMMON_H_
