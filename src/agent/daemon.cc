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
#include "agent/worker.h"
#include "base/encoding.h"

namespace wott::agent {
namespace {

// The longest single sleep: bounds the effect of wall-clock jumps (suspend, NTP steps).
constexpr Duration kMaxSleep = std::chrono::minutes(10);
// A worker (network timeouts are 40 s, hooks 60 s each) is killed after this.
constexpr Duration kWorkerTimeout = std::chrono::minutes(15);

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

// The schedule-relevant part of the current set, read without OpenSSL (identity.json).
Result<IdentityInfo> ReadInfo(const CertFiles& certs) {
  ASSIGN_OR_RETURN(CertSet set, certs.ReadCurrent());
  return ParseIdentityJson(set.identity_json);
}

// The parent schedules and waits; every piece of work runs in a worker (worker.h).
class Daemon {
 public:
  Daemon(const AgentPaths& paths, const DaemonOptions& options, const Clock& clock)
      : paths_(paths), options_(options), clock_(clock), certs_(paths.certs) {}

  int Run() {
    signals_ = DaemonSignals();
    sigset_t blocked = signals_;
    sigaddset(&blocked, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &blocked, nullptr);
    Result<AgentConfig> config = LoadAgentConfig(paths_);
    if (!config.ok()) return Fail(config.status());
    config_ = std::move(*config);
    // Start-up check in a worker: crash leftovers removed, the current set complete and
    // valid (a corrupted set stops the daemon with the reason).
    WorkerResult check = Work([this](std::string& out) {
      if (Result<DirLock> lock = DirLock::Acquire(paths_.lock); lock.ok()) {
        if (Status s = certs_.RemoveLeftovers(); !s.ok()) {
          spdlog::warn("cannot clean up {}: {}", paths_.certs.string(), s.message());
        }
      }
      Result<Identity> id = LoadIdentity(certs_);
      if (!id.ok()) out = id.status().message();
      return id.ok() ? 0 : 1;
    });
    if (stop_) return 0;
    if (check.exit_code != 0) {
      return Fail(
          FailedPrecondition(check.output.empty() ? "the start-up check failed" : check.output));
    }
    Result<IdentityInfo> info = ReadInfo(certs_);
    if (!info.ok()) return Fail(info.status());
    Adopt(std::move(*info));
    spdlog::info("wott-agent daemon started for {} ({}); certificate valid until {}, renewal at {}",
                 info_.device_id, config_.server_url, FormatRfc3339(info_.not_after),
                 FormatRfc3339(renew_at_));
    TimePoint next_heartbeat = clock_.Now();
    while (!stop_) {
      RefreshInfo();
      if (clock_.Now() >= renew_at_) RenewNow();
      if (!stop_ && clock_.Now() >= next_heartbeat) {
        Heartbeat();
        next_heartbeat = clock_.Now() + options_.heartbeat_interval;
      }
      if (reload_) Reload();
      if (stop_) break;
      int sig = WaitUntil(signals_, std::min(renew_at_, next_heartbeat), clock_);
      if (sig == SIGTERM || sig == SIGINT) stop_ = true;
      if (sig == SIGHUP) reload_ = true;
    }
    spdlog::info("wott-agent daemon stopping");
    return 0;
  }

 private:
  int Fail(const Status& s) {
    spdlog::error("wott-agent daemon cannot start: {}", s.message());
    return 1;
  }

  // Runs `work` in a worker, noting the signals that arrived meanwhile.
  WorkerResult Work(const std::function<int(std::string&)>& work) {
    WorkerResult r = RunWorker(work, signals_, kWorkerTimeout);
    stop_ = stop_ || r.stop;
    reload_ = reload_ || r.reload;
    return r;
  }

  // Takes `info` as current and schedules its renewal. After a renewal, a certificate
  // that is already due (a server with very short lifetimes) is renewed halfway through
  // its remaining time instead, so the daemon never renews in a tight loop.
  void Adopt(IdentityInfo info, bool just_renewed = false) {
    info_ = std::move(info);
    failures_ = 0;
    renew_at_ = RenewalTime(info_.renew_after, info_.not_after, RandomUnit(), options_.schedule);
    const TimePoint now = clock_.Now();
    if (just_renewed && renew_at_ <= now) {
      renew_at_ = now + std::max<Duration>(std::chrono::seconds(1), (info_.not_after - now) / 2);
    }
  }

  // Picks up a renewal done by someone else (a manual `wott-agent renew`).
  void RefreshInfo() {
    Result<IdentityInfo> on_disk = ReadInfo(certs_);
    if (!on_disk.ok()) {
      spdlog::warn("cannot read the current certificate set: {}", on_disk.status().message());
      return;
    }
    if (on_disk->serial != info_.serial) {
      Adopt(std::move(*on_disk));
      spdlog::info("certificate changed on disk: serial {}, renewal at {}", info_.serial,
                   FormatRfc3339(renew_at_));
    }
  }

  void RenewNow() {
    std::vector<std::string> hooks = config_.on_renew;
    hooks.insert(hooks.end(), options_.extra_on_renew.begin(), options_.extra_on_renew.end());
    WorkerResult r = Work([&](std::string& out) {
      RenewOptions renew;
      renew.force = true;  // the schedule decided (possibly earlier, from the server's ping)
      Result<RenewResult> result = Renew(paths_, config_, renew, clock_);
      if (!result.ok()) {
        out = result.status().message();
        return 1;
      }
      RunHooks(hooks, HookEnv{result->identity.info.device_id, paths_.certs.string()},
               options_.hook_timeout);
      return 0;
    });
    if (stop_) return;
    Result<IdentityInfo> info = ReadInfo(certs_);
    if (r.exit_code != 0 || !info.ok()) {
      ++failures_;
      Duration wait = Backoff(failures_, RandomUnit(), options_.schedule);
      renew_at_ = clock_.Now() + wait;
      spdlog::error(
          "renewal failed ({} in a row): {}; next attempt at {}", failures_,
          r.output.empty() ? "worker exited with status " + std::to_string(r.exit_code) : r.output,
          FormatRfc3339(renew_at_));
      return;
    }
    Adopt(std::move(*info), /*just_renewed=*/true);
    spdlog::info("next renewal at {}", FormatRfc3339(renew_at_));
  }

  void Heartbeat() {
    WorkerResult r = Work([this](std::string& out) {
      Result<Identity> id = LoadIdentity(certs_);
      if (!id.ok()) {
        spdlog::warn("heartbeat skipped: {}", id.status().message());
        return 1;
      }
      // The audit (when on) is collected here, in the worker: the daemon stays small.
      Result<PingAnswer> answer =
          SendAuditedHeartbeat(paths_, config_, *id, ReadHostInfo(), options_.agent_version);
      if (!answer.ok()) {
        if (answer.status().code() == StatusCode::kNotFound) {
          spdlog::warn("heartbeat: the server has no /v1/ping yet (404); will retry later");
        } else {
          spdlog::warn("heartbeat failed: {}", answer.status().message());
        }
        return 1;
      }
      spdlog::debug("heartbeat ok: {}", answer->body);
      if (answer->renew_after) out = FormatRfc3339(*answer->renew_after);
      return 0;
    });
    if (r.exit_code != 0 || r.output.empty()) return;
    // The server may want an earlier renewal than it said at issuance (e.g. after a CA
    // change); its usual renew_after is already scheduled, with jitter.
    Result<TimePoint> wanted = ParseRfc3339(r.output);
    if (wanted.ok() && *wanted < info_.renew_after && *wanted < renew_at_ && failures_ == 0) {
      renew_at_ = std::max(*wanted, clock_.Now());
      spdlog::info("the server asks for renewal from {}", FormatRfc3339(renew_at_));
    }
  }

  void Reload() {
    reload_ = false;
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
  sigset_t signals_;
  AgentConfig config_;
  IdentityInfo info_;
  TimePoint renew_at_;
  int failures_ = 0;
  bool stop_ = false;
  bool reload_ = false;
};

}  // namespace

int RunDaemon(const AgentPaths& paths, const DaemonOptions& options, const Clock& clock) {
  return Daemon(paths, options, clock).Run();
}

}  // namespace wott::agent
