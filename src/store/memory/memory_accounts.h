// AccountTable: the memory backend's dashboard users and sessions (see Store::CreateUser and
// friends). Not thread-safe by itself: MemoryStore calls it under its own mutex and appends
// the events. Inputs are validated by the caller (account_rules.h).
#ifndef WOTT_STORE_MEMORY_MEMORY_ACCOUNTS_H_
#define WOTT_STORE_MEMORY_MEMORY_ACCOUNTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/records.h"

namespace wott::store {

class AccountTable {
 public:
  // kAlreadyExists when the name is taken.
  Result<UserRecord> CreateUser(const NewUser& user, TimePoint now);
  // kNotFound when unknown.
  Result<UserRecord> GetUser(std::string_view name) const;
  // By name.
  std::vector<UserRecord> ListUsers() const;
  // Removes the user and their sessions; kNotFound when unknown.
  Status DeleteUser(std::string_view name);
  // Replaces the hash and ends the user's sessions; kNotFound when unknown.
  Status SetPassword(std::string_view name, std::string_view hash, TimePoint now);

  // kNotFound for an unknown user, kAlreadyExists for a taken hash; drops expired sessions.
  Result<SessionRecord> CreateSession(const NewSession& session, TimePoint now);
  // kUnauthenticated when unknown or expired.
  Result<SessionRecord> FindSession(std::string_view hash, TimePoint now) const;
  // kUnauthenticated when unknown.
  Status TouchSession(std::string_view hash, TimePoint now);
  // The removed session; kUnauthenticated when unknown.
  Result<SessionRecord> DeleteSession(std::string_view hash);
  // How many sessions of the user were removed.
  int64_t DeleteSessionsOfUser(std::string_view name);

 private:
  std::map<std::string, UserRecord, std::less<>> users_;        // by name
  std::map<std::string, SessionRecord, std::less<>> sessions_;  // by secret hash
};

}  // namespace wott::store

#endif  // WOTT_STORE_MEMORY_MEMORY_ACCOUNTS_H_
