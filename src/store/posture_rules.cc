#include "store/posture_rules.h"

#include <algorithm>

namespace wott::store {
namespace {

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status TooLong(std::string_view what) {
  return InvalidArgument(std::string(what) + " is too long");
}

}  // namespace

Status ValidatePostureUpdate(const PostureUpdate& u) {
  if (!u.host_audit_json && !u.inventory && !u.findings && !u.score) {
    return InvalidArgument("empty posture update");
  }
  if (u.host_audit_json && u.host_audit_json->size() > kMaxPostureJsonBytes) {
    return TooLong("host audit");
  }
  if (u.inventory) {
    const InventorySnapshot& i = *u.inventory;
    if (!IsLowerHex64(i.packages_hash)) return InvalidArgument("invalid packages hash");
    if (i.os_id.size() > 256 || i.codename.size() > 256) return TooLong("OS identity");
    if (i.package_count < 0) return InvalidArgument("negative package count");
    if (i.packages_json.size() > kMaxPostureJsonBytes) return TooLong("package list");
  }
  if (u.findings) {
    const FindingsSnapshot& f = *u.findings;
    if (!IsLowerHex64(f.inventory_hash)) return InvalidArgument("invalid findings hash");
    if (f.vulndb_generation.size() > 256) return TooLong("vulnerability data generation");
    if (f.findings_json.size() > kMaxPostureJsonBytes) return TooLong("findings");
  }
  if (u.score) {
    if (u.score->score < 0 || u.score->score > 100) {
      return InvalidArgument("trust score out of range (0-100)");
    }
    if (u.score->factors_json.size() > kMaxPostureJsonBytes) return TooLong("score factors");
  }
  return Status::Ok();
}

bool TrustScoreNeedsHistoryRow(const std::optional<TrustScorePoint>& last, int score,
                               TimePoint now) {
  if (!last) return true;
  return last->score != score || now - last->at >= kTrustScoreHistoryInterval;
}

Status NoPosture() { return NotFound("no audit reported for this device"); }

}  // namespace wott::store
