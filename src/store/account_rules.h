// Input checks and rules for dashboard users, sessions and fleet counts (issue 6), shared by
// every Store backend so they accept and refuse the same things with the same codes and
// messages. Pure functions; thread-safe.
#ifndef WOTT_STORE_ACCOUNT_RULES_H_
#define WOTT_STORE_ACCOUNT_RULES_H_

#include <string>
#include <string_view>

#include "base/status.h"
#include "store/records.h"

namespace wott::store {

// A user name: [a-z0-9][a-z0-9._-]{0,63}.
Status ValidateUserName(std::string_view name);
// An encoded password hash: 1-256 printable characters.
Status ValidatePasswordHash(std::string_view hash);
Status ValidateNewUser(const NewUser& user);
// A session secret hash: 1-256 printable characters.
Status ValidateSessionHash(std::string_view hash);
// Hash, user name, CSRF token, client (<= 256 bytes of text), expiry later than `now`.
Status ValidateNewSession(const NewSession& session, TimePoint now);
// At most kMaxFleetRanges ranges, each with from < until.
Status ValidateFleetCountsQuery(const FleetCountsQuery& query);

// kNotFound for an unknown user.
Status UnknownUser();
// kUnauthenticated for an unknown or expired session (one message for both).
Status NoSession();
// OK when `session` (nullptr when unknown) is usable at `now`, else NoSession().
Status CheckSessionUsable(const SessionRecord* session, TimePoint now);
// The actor of a session's own events: "user:<name>".
std::string UserActor(std::string_view name);

}  // namespace wott::store

#endif  // WOTT_STORE_ACCOUNT_RULES_H_
