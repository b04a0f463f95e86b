#include "agent/worker.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wott::agent {
namespace {

// Small enough to fit the pipe buffer: the parent reads only after the worker exited.
constexpr size_t kMaxOutput = 4096;

int StatusCode(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return 255;
}

}  // namespace

WorkerResult RunWorker(const std::function<int(std::string& out)>& work, const sigset_t& signals,
                       Duration timeout) {
  WorkerResult result;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    spdlog::error("cannot start a worker: pipe: {}", std::strerror(errno));
    return result;
  }
  spdlog::default_logger()->flush();
  pid_t pid = ::fork();
  if (pid < 0) {
    spdlog::error("cannot start a worker: fork: {}", std::strerror(errno));
    ::close(fds[0]);
    ::close(fds[1]);
    return result;
  }
  if (pid == 0) {
    ::close(fds[0]);
    // The parent's SIGTERM must end the worker at once.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::string out;
    int code = work(out);
    if (out.size() > kMaxOutput) out.resize(kMaxOutput);
    for (std::string_view rest = out; !rest.empty();) {
      ssize_t n = ::write(fds[1], rest.data(), rest.size());
      if (n <= 0 && errno == EINTR) continue;
      if (n <= 0) break;
      rest.remove_prefix(static_cast<size_t>(n));
    }
    spdlog::default_logger()->flush();
    ::_exit(code);  // no static destructors or atexit handlers of the parent's state
  }
  ::close(fds[1]);

  sigset_t wait_set = signals;
  sigaddset(&wait_set, SIGCHLD);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int wstatus = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      spdlog::error("worker {} ran longer than its time limit; killing it", pid);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      break;
    }
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(left);
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(left - secs);
    timespec ts{static_cast<time_t>(secs.count()), static_cast<long>(nanos.count())};
    int sig = ::sigtimedwait(&wait_set, nullptr, &ts);
    if (sig == SIGTERM || sig == SIGINT) {
      result.stop = true;
      ::kill(pid, SIGTERM);
    } else if (sig == SIGHUP) {
      result.reload = true;
    }
  }
  result.exit_code = StatusCode(wstatus);
  char buf[4096];
  while (result.output.size() < kMaxOutput) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  return result;
}

}  // namespace wott::agent
