#include "server/posture_vulndb.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace wott::server {

VulnDbSnapshot VulnDbHandle::Current() {
  if (path_.empty()) return {};
  struct stat st {};
  std::string key;
  if (::stat(path_.c_str(), &st) == 0) {
    key = std::to_string(st.st_ino) + "/" + std::to_string(st.st_size) + "/" +
          std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }
  std::lock_guard lock(mu_);
  if (key == file_key_) return current_;
  file_key_ = key;
  current_ = {};
  if (key.empty()) {
    spdlog::info("posture: no vulnerability database at {}: findings unknown", path_.string());
    return current_;
  }
  Result<std::unique_ptr<audit::VulnDb>> db = audit::VulnDb::Open(path_);
  Result<audit::VulnDbStats> stats =
      db.ok() ? (*db)->Stats() : Result<audit::VulnDbStats>(db.status());
  if (!stats.ok()) {
    spdlog::warn("posture: cannot read the vulnerability database {}: {}", path_.string(),
                 stats.status().ToString());
    return current_;
  }
  current_.db = std::shared_ptr<const audit::VulnDb>(std::move(*db));
  current_.generation = stats->imported_at + "/" + key;
  spdlog::info("posture: vulnerability database generation {}", current_.generation);
  return current_;
}

}  // namespace wott::server
