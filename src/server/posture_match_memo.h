// PostureMatchMemo: the findings of recent (OS release, package list, vulnerability data)
// combinations, so that a fleet of devices built from the same image is matched once per
// vulnerability-data generation instead of once per device (a 2,000-package list costs about
// 90 ms of CPU to match). Bounded: it forgets everything once it holds kCapacity entries,
// which a fleet with fewer distinct images never reaches. Thread-safe.
#ifndef WOTT_SERVER_POSTURE_MATCH_MEMO_H_
#define WOTT_SERVER_POSTURE_MATCH_MEMO_H_

#include <atomic>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/matcher.h"

namespace wott::server {

class PostureMatchMemo {
 public:
  static constexpr size_t kCapacity = 512;
  // nullopt: the data cannot say (release not covered, unreadable list); remembered too.
  using Findings = std::optional<std::vector<audit::Finding>>;

  // The key of a stored inventory matched against one generation of the data.
  static std::string Key(std::string_view os_id, std::string_view codename,
                         std::string_view packages_hash, std::string_view generation);

  // The remembered findings for `key`, or nullopt when none are.
  std::optional<Findings> Find(const std::string& key) const;
  void Remember(const std::string& key, Findings findings);

 private:
  mutable std::mutex mu_;
  std::map<std::string, Findings> entries_;
};

}  // namespace wott::server

#endif  // WOTT_SERVER_POSTURE_MATCH_MEMO_H_
