#include "agent/hooks.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace wott::agent {

Result<int> RunHook(const std::string& command, const HookEnv& env, Duration timeout) {
  pid_t pid = ::fork();
  if (pid < 0) return Internal("cannot start hook: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // The daemon blocks its signals to wait for them; a hook must not inherit that.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    ::setenv("WOTT_DEVICE_ID", env.device_id.c_str(), 1);
    ::setenv("WOTT_CERTS_DIR", env.certs_dir.c_str(), 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the kill below cannot race the child's setpgid
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int wstatus = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR)
      return Internal("waitpid failed: " + std::string(std::strerror(errno)));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      return Status(
          StatusCode::kDeadlineExceeded,
          "hook timed out after " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
              " s and was killed");
    }
    // Hooks are rare and short; polling keeps this free of SIGCHLD plumbing.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 255;
}

int RunHooks(const std::vector<std::string>& commands, const HookEnv& env, Duration timeout) {
  int failed = 0;
  for (const std::string& command : commands) {
    Result<int> rc = RunHook(command, env, timeout);
    if (!rc.ok()) {
      ++failed;
      spdlog::error("on-renew hook '{}': {}", command, rc.status().message());
    } else if (*rc != 0) {
      ++failed;
      spdlog::error("on-renew hook '{}' exited with status {}", command, *rc);
    } else {
      spdlog::info("on-renew hook '{}' exited with status 0", command);
    }
  }
  return failed;
}

}  // namespace wott::agent
