// PostureTable: the memory backend's device postures and trust-score history (see
// Store::UpdatePosture and friends). Not thread-safe by itself: MemoryStore calls it under
// its own mutex.
#ifndef WOTT_STORE_MEMORY_MEMORY_POSTURE_H_
#define WOTT_STORE_MEMORY_MEMORY_POSTURE_H_

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/records.h"

namespace wott::store {

class PostureTable {
 public:
  // REQUIRES: ValidatePostureUpdate(update) passed and the device exists.
  void Update(std::string_view device_id, const PostureUpdate& update, TimePoint now);
  // kNotFound when nothing was recorded for the device.
  Result<DevicePosture> Get(std::string_view device_id, bool with_packages) const;
  // The postures of `device_ids` (all when empty) for which `active(id)` holds, by ID,
  // without package lists.
  template <typename Active>
  std::vector<DevicePosture> List(const std::vector<std::string>& device_ids, Active active) const {
    std::vector<DevicePosture> out;
    for (const auto& [id, posture] : postures_) {
      if (!device_ids.empty() &&
          std::find(device_ids.begin(), device_ids.end(), id) == device_ids.end()) {
        continue;
      }
      if (active(id)) out.push_back(WithoutPackages(posture));
    }
    return out;
  }
  // The newest `limit` rows, oldest first.
  std::vector<TrustScorePoint> History(std::string_view device_id, int limit) const;

 private:
  static DevicePosture WithoutPackages(DevicePosture p) {
    if (p.inventory) p.inventory->packages_json.clear();
    return p;
  }

  std::map<std::string, DevicePosture, std::less<>> postures_;
  std::map<std::string, std::vector<TrustScorePoint>, std::less<>> history_;  // by time
};

}  // namespace wott::store

#endif  // WOTT_STORE_MEMORY_MEMORY_POSTURE_H_
