// Renewal hooks: shell commands (e.g. "systemctl reload nginx") run after a successful
// renewal so services pick up the new certificate. Each runs with /bin/sh -c in its own
// process group, with WOTT_DEVICE_ID and WOTT_CERTS_DIR in its environment, a clean signal
// mask, and a time limit after which the group is killed. Thread-compatible.
#ifndef WOTT_AGENT_HOOKS_H_
#define WOTT_AGENT_HOOKS_H_

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace wott::agent {

struct HookEnv {
  std::string device_id;
  std::string certs_dir;
};

// Runs `command` and returns its exit status (0..255, or 128+N when killed by signal N).
// kDeadlineExceeded when it ran past `timeout` (it is then killed); kInternal when it
// could not be started.
Result<int> RunHook(const std::string& command, const HookEnv& env, Duration timeout);

// Runs every command in order, logging each outcome. Returns how many failed.
int RunHooks(const std::vector<std::string>& commands, const HookEnv& env, Duration timeout);

}  // namespace wott::agent

#endif  // WOTT_AGENT_HOOKS_H_
