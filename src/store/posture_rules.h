// Rules shared by the backends' device-posture operations (issue 7): input validation and
// when a trust score gets a history row. Pure functions.
#ifndef WOTT_STORE_POSTURE_RULES_H_
#define WOTT_STORE_POSTURE_RULES_H_

#include <optional>

#include "base/status.h"
#include "store/records.h"

namespace wott::store {

// kInvalidArgument for an empty update, a packages_hash or findings hash that is not 64
// lowercase hex, os_id/codename/generation over 256 bytes, a negative package count, a
// score outside 0..100, or JSON fields over kMaxPostureJsonBytes.
Status ValidatePostureUpdate(const PostureUpdate& update);

// Whether a score computed at `now` gets a history row after the latest one (`last`,
// nullopt when there is none): a different score, or the same one a day later.
bool TrustScoreNeedsHistoryRow(const std::optional<TrustScorePoint>& last, int score,
                               TimePoint now);

// kNotFound for a device without posture.
Status NoPosture();

}  // namespace wott::store

#endif  // WOTT_STORE_POSTURE_RULES_H_
