#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace wott {
namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

Status ErrnoStatus(int err, const std::string& what, const std::filesystem::path& path) {
  std::string message = what + " " + path.string() + ": " + ErrnoText(err);
  switch (err) {
    case ENOENT: return NotFound(message);
    case EACCES:
    case EPERM:
    case EROFS: return PermissionDenied(message);
    case ENOSPC:
    case EDQUOT: return ResourceExhausted(message);
    default: return Internal(message);
  }
}

// Closes the descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  // Closes now and reports the error close() returned, if any.
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

std::string RandomSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  uint64_t v = rng();
  for (int i = 0; i < 12; ++i, v >>= 4) out += kHex[v & 0xf];
  return out;
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status SyncDirectory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open directory", dir);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return ErrnoStatus(errno, "cannot sync directory", dir);
  return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view data,
                           mode_t mode) {
  std::filesystem::path dir = path.parent_path();
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + RandomSuffix();
  // O_EXCL: never follow or reuse a file someone planted at the temporary name.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus(errno, "cannot create", tmp);
  FdCloser closer(fd);
  auto fail = [&](Status s) {
    ::unlink(tmp.c_str());
    return s;
  };
  // The umask may have narrowed `mode` at creation; set it exactly.
  if (::fchmod(fd, mode) != 0) return fail(ErrnoStatus(errno, "cannot chmod", tmp));
  if (Status s = WriteAll(fd, data, tmp); !s.ok()) return fail(s);
  if (::fsync(fd) != 0) return fail(ErrnoStatus(errno, "cannot sync", tmp));
  if (closer.Close() != 0) return fail(ErrnoStatus(errno, "cannot close", tmp));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(ErrnoStatus(errno, "cannot rename to", path));
  }
  return SyncDirectory(dir);
}

Result<std::string> ReadFile(const std::filesystem::path& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (S_ISDIR(st.st_mode)) return InvalidArgument(path.string() + " is a directory");
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", path);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return ResourceExhausted(path.string() + " is larger than " + std::to_string(max_bytes) +
                               " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status MakeDirectory(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot create directory", dir);
  if (!std::filesystem::is_directory(dir, ec)) {
    return FailedPrecondition(dir.string() + " exists and is not a directory");
  }
  if (::chmod(dir.c_str(), mode) != 0) return ErrnoStatus(errno, "cannot chmod", dir);
  return Status::Ok();
}

}  // namespace wott
