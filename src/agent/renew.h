// Renewal of the current identity: over mTLS with the current certificate while it is
// valid (POST /v1/renew), with the recovery token once it has expired (POST /v1/recover).
// A new key each time unless asked to keep it. The new set is installed atomically
// (CertFiles) and the outcome recorded in state.json. Takes the directory lock.
#ifndef WOTT_AGENT_RENEW_H_
#define WOTT_AGENT_RENEW_H_

#include "agent/agent_config.h"
#include "agent/identity.h"
#include "base/clock.h"
#include "base/result.h"

namespace wott::agent {

struct RenewOptions {
  // Renew even before renew_after.
  bool force = false;
  // Reuse the current private key instead of generating a new one.
  bool keep_key = false;
};

enum class RenewOutcome {
  kNotDue,     // nothing done: now < renew_after and !force
  kRenewed,    // renewed over mTLS
  kRecovered,  // the certificate had expired; renewed with the recovery token
};

struct RenewResult {
  RenewOutcome outcome = RenewOutcome::kNotDue;
  Identity identity;  // the new identity, or the current one when kNotDue
};

// Renews when due (now >= renew_after) or forced. Failures leave the files untouched:
//   kPermissionDenied  "device <id> is revoked: renewal refused" (or deleted, or expired
//                      past the recovery grace: the message says which and what to do);
//   kUnavailable / kDeadlineExceeded / kUnauthenticated  the server could not be reached
//                      or its TLS identity failed (retrying may help);
//   kNotFound / kFailedPrecondition  not enrolled, or a corrupted certificate set.
// Every attempt that reaches the network is recorded in state.json.
Result<RenewResult> Renew(const AgentPaths& paths, const AgentConfig& config,
                          const RenewOptions& options, const Clock& clock);

}  // namespace wott::agent

#endif  // WOTT_AGENT_RENEW_H_
