#include "server/posture_match_memo.h"

namespace wott::server {

std::string PostureMatchMemo::Key(std::string_view os_id, std::string_view codename,
                                  std::string_view packages_hash, std::string_view generation) {
  // Newlines cannot occur in any part (validated single words and hex), so the key is
  // unambiguous.
  std::string key;
  for (std::string_view part : {os_id, codename, packages_hash, generation}) {
    key.append(part);
    key.push_back('\n');
  }
  return key;
}

std::optional<PostureMatchMemo::Findings> PostureMatchMemo::Find(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void PostureMatchMemo::Remember(const std::string& key, Findings findings) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kCapacity) entries_.clear();
  entries_.insert_or_assign(key, std::move(findings));
}

}  // namespace wott::server
