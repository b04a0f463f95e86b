#include "audit/import_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wott::audit {
namespace {
constexpr size_t kBufferSize = 1 << 20;
}  // namespace

ImportInput::ImportInput(int fd, uint64_t size) : fd_(fd), size_(size), buffer_(kBufferSize) {
  setg(buffer_.data(), buffer_.data(), buffer_.data());
}

ImportInput::~ImportInput() { ::close(fd_); }

Result<std::unique_ptr<ImportInput>> ImportInput::Open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = "cannot open " + path.string() + ": " + std::strerror(err);
    if (err == ENOENT) return NotFound(message);
    return PermissionDenied(message);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path.string() + " is not a regular file");
  }
  return std::unique_ptr<ImportInput>(new ImportInput(fd, static_cast<uint64_t>(st.st_size)));
}

bool ImportInput::Fill() {
  while (true) {
    ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      read_status_ = Internal("read error", std::strerror(errno));
      return false;
    }
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    consumed_ += static_cast<uint64_t>(n);
    return n > 0;
  }
}

std::streambuf::int_type ImportInput::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!Fill()) return traits_type::eof();
  return traits_type::to_int_type(*gptr());
}

std::string ImportInput::PeekPrefix(size_t n) {
  if (gptr() == egptr()) Fill();
  return std::string(gptr(), std::min<size_t>(n, static_cast<size_t>(egptr() - gptr())));
}

char ImportInput::PeekFirstNonBlank() {
  if (gptr() == egptr()) Fill();
  for (char* p = gptr(); p < egptr(); ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return *p;
  }
  return 0;
}

}  // namespace wott::audit
