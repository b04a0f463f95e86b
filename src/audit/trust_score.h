// The device trust score (posture contract section 4): 0-100, a pure function of a host
// audit (HostAuditToJson's shape) and the device's vulnerability findings. Starts at 100;
// each factor subtracts points; the result is clamped at 0. The table of factors and points
// is in docs/AUDIT.md ("Trust score"). An unknown state (file unreadable, no vulnerability
// data) always costs less than the matching known bad state. The agent computes it over
// its own data; the server recomputes it with its findings. Pure functions; thread-safe.
#ifndef WOTT_AUDIT_TRUST_SCORE_H_
#define WOTT_AUDIT_TRUST_SCORE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/matcher.h"

namespace wott::audit {

struct ScoreFactor {
  std::string factor;  // a stable identifier: "firewall_off", "cve_fixable", ...
  int points = 0;      // <= 0: what it subtracted
  std::string detail;  // a user-facing sentence
};

struct TrustScore {
  int score = 100;                   // 0..100
  std::vector<ScoreFactor> factors;  // in table order; zero-point factors explain unknowns
};

// `host`: a HostAuditToJson object, or null when the device sent no host audit (factor
// "no_audit"). Fields of an unexpected type count as unknown, never as an error.
// `findings`: nullptr when no vulnerability data is available: no CVE penalty and a
// zero-point factor "cve_data_unknown".
TrustScore ComputeTrustScore(const nlohmann::json& host, const std::vector<Finding>* findings);

// {"trust_score": N, "score_factors": [{"factor", "points", "detail"}, ...]}.
nlohmann::json TrustScoreToJson(const TrustScore& score);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_TRUST_SCORE_H_
