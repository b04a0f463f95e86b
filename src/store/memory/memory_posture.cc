#include "store/memory/memory_posture.h"

#include <algorithm>

#include "store/posture_rules.h"
#include "store/rules.h"

namespace wott::store {

void PostureTable::Update(std::string_view device_id, const PostureUpdate& u, TimePoint now) {
  now = TruncateToSeconds(now);
  auto [it, created] = postures_.try_emplace(std::string(device_id));
  DevicePosture& p = it->second;
  p.device_id = std::string(device_id);
  if (u.host_audit_json) {
    p.host_audit_json = *u.host_audit_json;
    p.host_audit_at = now;
  }
  if (u.inventory) {
    p.inventory = *u.inventory;
    p.inventory->reported_at = TruncateToSeconds(p.inventory->reported_at);
  }
  if (u.findings) {
    p.findings = *u.findings;
    p.findings->computed_at = TruncateToSeconds(p.findings->computed_at);
  }
  if (u.score) {
    p.score = *u.score;
    p.score->computed_at = TruncateToSeconds(p.score->computed_at);
    std::vector<TrustScorePoint>& rows = history_[std::string(device_id)];
    std::optional<TrustScorePoint> last;
    if (!rows.empty()) last = rows.back();
    if (TrustScoreNeedsHistoryRow(last, u.score->score, now)) {
      if (last && last->at == now) {
        rows.back().score = u.score->score;  // one row per second, as the SQL backends
      } else {
        rows.push_back({now, u.score->score});
      }
    }
  }
}

Result<DevicePosture> PostureTable::Get(std::string_view device_id, bool with_packages) const {
  auto it = postures_.find(device_id);
  if (it == postures_.end()) return NoPosture();
  return with_packages ? it->second : WithoutPackages(it->second);
}

std::vector<TrustScorePoint> PostureTable::History(std::string_view device_id, int limit) const {
  auto it = history_.find(device_id);
  if (it == history_.end()) return {};
  const std::vector<TrustScorePoint>& rows = it->second;
  const size_t n = std::min(rows.size(), static_cast<size_t>(limit));
  return std::vector<TrustScorePoint>(rows.end() - static_cast<std::ptrdiff_t>(n), rows.end());
}

}  // namespace wott::store
