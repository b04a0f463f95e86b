// DirLock: an exclusive flock(2) on DIR/agent.lock, held while the agent changes its files,
// so a manual `renew` and the daemon never install generations at the same time. The kernel
// drops the lock when the process dies (also on kill -9). Move-only.
#ifndef WOTT_AGENT_DIR_LOCK_H_
#define WOTT_AGENT_DIR_LOCK_H_

#include <filesystem>

#include "base/result.h"

namespace wott::agent {

class DirLock {
 public:
  // Creates the lock file (0600) if needed and waits for the lock. Fails with
  // kPermissionDenied / kNotFound (the message names the file) when it cannot be created,
  // e.g. in a read-only directory.
  static Result<DirLock> Acquire(const std::filesystem::path& lock_file);

  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace wott::agent

#endif  // WOTT_AGENT_DIR_LOCK_H_
