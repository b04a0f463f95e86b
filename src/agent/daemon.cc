#include "agent/daemon.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "agent/dir_lock.h"
#include "agent/heartbeat.h"
#include "agent/hooks.h"
#include "agent/host_info.h"
#include "agent/identity.h"
#include "agent/renew.h"
#include "base/encoding.h"

namespace wott::agent {
namespace {

// The longest single sleep: bounds the effect of wall-clock jumps (suspend, NTP steps).
constexpr Duration kMaxSleep = std::chrono::minutes(10);

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Sleeps until `deadline` or a signal; returns the signal number, or 0 on timeout.
int WaitUntil(const sigset_t& signals, TimePoint deadline, const Clock& clock) {
  Duration wait = std::clamp(deadline - clock.Now(), Duration::zero(), kMaxSleep);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(wait);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(wait - secs);
  timespec ts{static_cast<time_t>(secs.count()), static_cast<long>(nanos.count())};
  for (;;) {
    int sig = ::sigtimedwait(&signals, nullptr, &ts);
    if (sig >= 0) return sig;
    if (errno == EAGAIN) return 0;
    if (errno != EINTR) return 0;
  }
}

class Daemon {
 public:
  Daemon(const AgentPaths& paths, const DaemonOptions& options, const Clock& clock)
      : paths_(paths), options_(options), clock_(clock), certs_(paths.certs) {}

  int Run() {
    const sigset_t signals = DaemonSignals();
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    Result<AgentConfig> config = LoadAgentConfig(paths_);
    if (!config.ok()) return Fail(config.status());
    config_ = std::move(*config);
    RemoveCrashLeftovers();
    Result<Identity> identity = LoadIdentity(certs_);
    if (!identity.ok()) return Fail(identity.status());
    Adopt(std::move(*identity));
    spdlog::info("wott-agent daemon started for {} ({}); certificate valid until {}, renewal at {}",
                 identity_.info.device_id, config_.server_url,
                 FormatRfc3339(identity_.info.not_after), FormatRfc3339(renew_at_));
    TimePoint next_heartbeat = clock_.Now();
    for (;;) {
      RefreshIdentity();
      if (clock_.Now() >= renew_at_) RenewNow();
      if (clock_.Now() >= next_heartbeat) {
        Heartbeat();
        next_heartbeat = clock_.Now() + options_.heartbeat_interval;
      }
      int sig = WaitUntil(signals, std::min(renew_at_, next_heartbeat), clock_);
      if (sig == SIGTERM || sig == SIGINT) {
        spdlog::info("wott-agent daemon stopping ({})", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        return 0;
      }
      if (sig == SIGHUP) Reload();
    }
  }

 private:
  int Fail(const Status& s) {
    spdlog::error("wott-agent daemon cannot start: {}", s.message());
    return 1;
  }

  // A generation a crash left behind is removed at start-up (renewals also do it).
  void RemoveCrashLeftovers() {
    Result<DirLock> lock = DirLock::Acquire(paths_.lock);
    Status s = lock.ok() ? certs_.RemoveLeftovers() : lock.status();
    if (!s.ok()) spdlog::warn("cannot clean up {}: {}", paths_.certs.string(), s.message());
  }

  // Takes `identity` as current and schedules its renewal. After a renewal, a certificate
  // that is already due (a server with very short lifetimes) is renewed halfway through
  // its remaining time instead, so the daemon never renews in a tight loop.
  void Adopt(Identity identity, bool just_renewed = false) {
    identity_ = std::move(identity);
    failures_ = 0;
    renew_at_ = RenewalTime(identity_.info.renew_after, identity_.info.not_after, RandomUnit(),
                            options_.schedule);
    const TimePoint now = clock_.Now();
    if (just_renewed && renew_at_ <= now) {
      renew_at_ =
          now + std::max<Duration>(std::chrono::seconds(1), (identity_.info.not_after - now) / 2);
    }
  }

  // Picks up a renewal done by someone else (a manual `wott-agent renew`).
  void RefreshIdentity() {
    Result<Identity> on_disk = LoadIdentity(certs_);
    if (!on_disk.ok()) {
      spdlog::warn("cannot read the current certificate set: {}", on_disk.status().message());
      return;
    }
    if (on_disk->info.serial != identity_.info.serial) {
      Adopt(std::move(*on_disk));
      spdlog::info("certificate changed on disk: serial {}, renewal at {}", identity_.info.serial,
                   FormatRfc3339(renew_at_));
    }
  }

  void RenewNow() {
    RenewOptions renew;
    renew.force = true;  // the schedule decided (possibly earlier, from the server's ping)
    Result<RenewResult> result = Renew(paths_, config_, renew, clock_);
    if (!result.ok()) {
      ++failures_;
      Duration wait = Backoff(failures_, RandomUnit(), options_.schedule);
      renew_at_ = clock_.Now() + wait;
      spdlog::error("renewal failed ({} in a row): {}; next attempt at {}", failures_,
                    result.status().message(), FormatRfc3339(renew_at_));
      return;
    }
    Adopt(std::move(result->identity), /*just_renewed=*/true);
    std::vector<std::string> hooks = config_.on_renew;
    hooks.insert(hooks.end(), options_.extra_on_renew.begin(), options_.extra_on_renew.end());
    RunHooks(hooks, HookEnv{identity_.info.device_id, paths_.certs.string()},
             options_.hook_timeout);
    spdlog::info("next renewal at {}", FormatRfc3339(renew_at_));
  }

  void Heartbeat() {
    Result<PingAnswer> answer =
        SendHeartbeat(config_, identity_, ReadHostInfo(), options_.agent_version);
    if (!answer.ok()) {
      if (answer.status().code() == StatusCode::kNotFound) {
        spdlog::warn("heartbeat: the server has no /v1/ping yet (404); will retry later");
      } else {
        spdlog::warn("heartbeat failed: {}", answer.status().message());
      }
      return;
    }
    spdlog::debug("heartbeat ok: {}", answer->body);
    // The server may want an earlier renewal than it said at issuance (e.g. after a CA
    // change); its usual renew_after is already scheduled, with jitter.
    if (answer->renew_after && *answer->renew_after < identity_.info.renew_after &&
        *answer->renew_after < renew_at_ && failures_ == 0) {
      renew_at_ = std::max(*answer->renew_after, clock_.Now());
      spdlog::info("the server asks for renewal from {}", FormatRfc3339(renew_at_));
    }
  }

  void Reload() {
    Result<AgentConfig> config = LoadAgentConfig(paths_);
    if (!config.ok()) {
      spdlog::error("SIGHUP: keeping the previous configuration: {}", config.status().message());
      return;
    }
    config_ = std::move(*config);
    spdlog::info("SIGHUP: configuration reloaded from {} (server {}, {} on-renew hooks)",
                 paths_.config.string(), config_.server_url,
                 config_.on_renew.size() + options_.extra_on_renew.size());
  }

  const AgentPaths& paths_;
  const DaemonOptions& options_;
  const Clock& clock_;
  CertFiles certs_;
  AgentConfig config_;
  Identity identity_;
  TimePoint renew_at_;
  int failures_ = 0;
};

}  // namespace

int RunDaemon(const AgentPaths& paths, const DaemonOptions& options, const Clock& clock) {
  return Daemon(paths, options, clock).Run();
}

}  // namespace wott::agent
