// Enrollment and API tokens as operators create them (CLI and admin API share this).
// A token is "<id>.<secret>": the id is a public handle for list/revoke, the whole string
// is the credential; the registry stores only its SHA-256. Thread-safe.
#ifndef WOTT_SERVER_ENROLLMENT_TOKENS_H_
#define WOTT_SERVER_ENROLLMENT_TOKENS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace wott::server {

struct TokenSpec {
  int64_t uses = 1;                           // 1 to 1,000,000
  Duration ttl = std::chrono::hours(24);      // from now
  store::Tags tags;                           // inherited by enrolled devices
  std::string description;
};

struct CreatedToken {
  std::string id;
  std::string token;  // the secret, shown once
  store::EnrollmentTokenRecord record;
};

// Creates an enrollment token. kInvalidArgument for bad uses/ttl/tags (the store checks tag
// syntax too).
Result<CreatedToken> CreateEnrollmentToken(store::Store& store, const TokenSpec& spec,
                                           std::string_view actor, const Clock& clock);

// Creates an admin API token named `name` ("Bearer <token>" on the admin API).
Result<CreatedToken> CreateApiToken(store::Store& store, std::string_view name,
                                    std::string_view actor, const Clock& clock);

// Parses "key=value" into `tags`; kInvalidArgument when there is no '=' or the key is empty.
Status ParseTagArgument(std::string_view text, store::Tags& tags);

}  // namespace wott::server

#endif  // WOTT_SERVER_ENROLLMENT_TOKENS_H_
