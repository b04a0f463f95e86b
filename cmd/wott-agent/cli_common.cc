#include "cmd/wott-agent/cli_common.h"

#include <iostream>

#include "base/logging.h"

namespace wott::cmd {

int PrintError(const Status& status, const AgentFlags& flags) {
  std::cerr << "error: " << status.message() << "\n";
  if (!status.detail().empty() && (flags.log_level == "debug" || flags.log_level == "trace")) {
    std::cerr << "  detail: " << status.detail() << "\n";
  }
  return 1;
}

bool StartLogging(AgentFlags& flags) {
  if (Status s = InitLogging(flags.log_level); !s.ok()) {
    flags.exit_code = PrintError(s, flags);
    return false;
  }
  return true;
}

}  // namespace wott::cmd
