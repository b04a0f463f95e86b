// Short-lived worker processes for the daemon. The daemon does every piece of real work
// (TLS, certificate checks, key generation, hooks) in a forked child and only schedules
// in the parent, so the long-lived process never touches OpenSSL: its memory stays at the
// size of the loaded program (the footprint goal is an idle RSS under 8 MiB), nothing a
// renewal allocates or leaks accumulates, and a crash in one renewal does not end the
// daemon. A worker killed at any point is harmless: certificate installs are crash-safe.
//
// REQUIRES: single-threaded callers (fork), with `signals` blocked.
#ifndef WOTT_AGENT_WORKER_H_
#define WOTT_AGENT_WORKER_H_

#include <signal.h>

#include <functional>
#include <string>

#include "base/clock.h"

namespace wott::agent {

struct WorkerResult {
  int exit_code = 1;    // the worker's exit status (128+N when killed by signal N)
  std::string output;   // what the worker wrote to its output (at most 4 KiB)
  bool stop = false;    // SIGTERM/SIGINT arrived meanwhile (the worker was ended)
  bool reload = false;  // SIGHUP arrived meanwhile
};

// Runs `work(out)` in a child process. `out` accumulates the result text the parent
// receives. The child's exit status is work's return value. While it runs the parent waits
// in sigtimedwait for SIGCHLD and `signals`: SIGTERM/SIGINT end the worker (SIGTERM) and
// set `stop`; SIGHUP sets `reload`. A worker running longer than `timeout` is killed
// (SIGKILL) and reported with exit code 128+9.
// REQUIRES: SIGCHLD and `signals` are blocked in the calling thread.
WorkerResult RunWorker(const std::function<int(std::string& out)>& work, const sigset_t& signals,
                       Duration timeout);

}  // namespace wott::agent

#endif  // WOTT_AGENT_WORKER_H_
