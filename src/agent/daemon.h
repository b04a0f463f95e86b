// The agent's long-running loop: renews at the scheduled time (RenewalTime, with jitter),
// retries failures with capped exponential backoff, runs the on-renew hooks after each
// successful renewal, and sends a heartbeat every heartbeat_interval. Between deadlines it
// sleeps in sigtimedwait(2) with SIGTERM, SIGINT and SIGHUP blocked, so an idle daemon uses
// no CPU: SIGTERM/SIGINT end it cleanly, SIGHUP re-reads agent.json (a broken file is
// reported and the previous configuration kept). The work itself (TLS, certificate checks,
// hooks) runs in short-lived forked workers (worker.h), so the long-lived process stays
// small and never touches OpenSSL. Single-threaded; one per directory.
#ifndef WOTT_AGENT_DAEMON_H_
#define WOTT_AGENT_DAEMON_H_

#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/schedule.h"
#include "base/clock.h"

namespace wott::agent {

struct DaemonOptions {
  // Hooks from the command line, run after agent.json's on_renew commands.
  std::vector<std::string> extra_on_renew;
  // Time between heartbeats (the first is sent at start).
  Duration heartbeat_interval = std::chrono::hours(1);
  // A hook running longer than this is killed.
  Duration hook_timeout = std::chrono::seconds(60);
  // Renewal jitter and retry backoff.
  ScheduleOptions schedule;
  // Sent in heartbeats.
  std::string agent_version;
};

// Runs until SIGTERM or SIGINT and returns 0 then. Returns 1 (after logging why) when it
// cannot start: not enrolled, unreadable agent.json, corrupted certificate set.
// REQUIRES: called from the main thread before any other thread exists (it changes the
// process signal mask).
int RunDaemon(const AgentPaths& paths, const DaemonOptions& options, const Clock& clock);

}  // namespace wott::agent

#endif  // WOTT_AGENT_DAEMON_H_
