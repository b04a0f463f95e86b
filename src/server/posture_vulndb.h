// The server's view of DATA_DIR/vulndb.sqlite: opened once, reopened when the file changes
// (`wott-server cve import` renames a new file over it), with a generation string that
// names the data a match was made against, so stored findings can be recomputed when the
// data changes.
//
// Thread-safety: Current() may be called from many threads; a snapshot stays usable after
// a newer file was opened (the old VulnDb keeps reading the file it opened).
#ifndef WOTT_SERVER_POSTURE_VULNDB_H_
#define WOTT_SERVER_POSTURE_VULNDB_H_

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "audit/vuln_db.h"

namespace wott::server {

struct VulnDbSnapshot {
  std::shared_ptr<const audit::VulnDb> db;  // null: no database (or an unreadable one)
  std::string generation;                   // "" when db is null
};

class VulnDbHandle {
 public:
  // `path` "" = never any data.
  explicit VulnDbHandle(std::filesystem::path path) : path_(std::move(path)) {}

  // The database as the file is now: the open one while the file is unchanged (by inode,
  // size, modification time), else the file opened afresh. A missing or unreadable file
  // gives a null snapshot (logged once per change).
  VulnDbSnapshot Current();

 private:
  std::filesystem::path path_;
  std::mutex mu_;
  std::string file_key_;    // guarded by mu_: identity of the file last looked at
  VulnDbSnapshot current_;  // guarded by mu_
};

}  // namespace wott::server

#endif  // WOTT_SERVER_POSTURE_VULNDB_H_
