// Where the audited system's files are: "/" for this machine, a directory of crafted files
// in tests. A plain value; thread-safe.
#ifndef WOTT_AUDIT_HOST_ROOT_H_
#define WOTT_AUDIT_HOST_ROOT_H_

#include <filesystem>
#include <string_view>

namespace wott::audit {

struct HostRoot {
  std::filesystem::path dir = "/";

  // `absolute` ("/etc/ssh/sshd_config") under dir.
  std::filesystem::path Path(std::string_view absolute) const {
    while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
    return dir / absolute;
  }
  // True when dir is this machine's own root (where running tools like nft makes sense).
  bool IsLive() const {
    std::error_code ec;
    return std::filesystem::equivalent(dir, "/", ec);
  }
};

}  // namespace wott::audit

#endif  // WOTT_AUDIT_HOST_ROOT_H_
