// Running a read-only system tool (nft, iptables-save) and capturing its standard output,
// for the parts of the host audit that have no file to read. The tool is looked up in the
// system directories only (/usr/sbin, /sbin, /usr/bin, /bin: a normal user's PATH may lack
// sbin), run without a shell, with stdin and stderr on /dev/null, and killed when it runs
// too long. Thread-compatible (uses fork/exec through posix_spawn).
#ifndef WOTT_AUDIT_RUN_COMMAND_H_
#define WOTT_AUDIT_RUN_COMMAND_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace wott::audit {

// Runs argv[0] (a bare tool name, looked up as above) with the rest as arguments.
// Returns its stdout when it exits 0. Fails with kNotFound when the tool is not installed,
// kUnavailable when it cannot start, exits non-zero (e.g. not permitted as a normal user),
// is killed, or runs longer than `timeout`; kResourceExhausted past `max_bytes` of output.
// REQUIRES: argv is not empty.
Result<std::string> RunCommand(const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10),
                               size_t max_bytes = 16 << 20);

// What the collectors call to run a tool: RunCommand in production, a fake in tests.
using CommandRunner = std::function<Result<std::string>(const std::vector<std::string>& argv)>;

}  // namespace wott::audit

#endif  // WOTT_AUDIT_RUN_COMMAND_H_
