#include "store/memory/memory_accounts.h"

#include "store/account_rules.h"

namespace wott::store {

Result<UserRecord> AccountTable::CreateUser(const NewUser& user, TimePoint now) {
  if (users_.count(user.name)) return AlreadyExists("a user with this name exists");
  UserRecord record;
  record.name = user.name;
  record.password_hash = user.password_hash;
  record.created_at = TruncateToSeconds(now);
  record.password_changed_at = record.created_at;
  users_[record.name] = record;
  return record;
}

Result<UserRecord> AccountTable::GetUser(std::string_view name) const {
  auto it = users_.find(name);
  if (it == users_.end()) return UnknownUser();
  return it->second;
}

std::vector<UserRecord> AccountTable::ListUsers() const {
  std::vector<UserRecord> out;
  for (const auto& [name, user] : users_) out.push_back(user);
  return out;
}

Status AccountTable::DeleteUser(std::string_view name) {
  auto it = users_.find(name);
  if (it == users_.end()) return UnknownUser();
  DeleteSessionsOfUser(name);
  users_.erase(it);
  return Status::Ok();
}

Status AccountTable::SetPassword(std::string_view name, std::string_view hash, TimePoint now) {
  auto it = users_.find(name);
  if (it == users_.end()) return UnknownUser();
  it->second.password_hash = std::string(hash);
  it->second.password_changed_at = TruncateToSeconds(now);
  DeleteSessionsOfUser(name);
  return Status::Ok();
}

Result<SessionRecord> AccountTable::CreateSession(const NewSession& session, TimePoint now) {
  if (!users_.count(session.user)) return UnknownUser();
  if (sessions_.count(session.secret_hash)) return AlreadyExists("this session exists");
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = CheckSessionUsable(&it->second, now).ok() ? std::next(it) : sessions_.erase(it);
  }
  SessionRecord record;
  record.secret_hash = session.secret_hash;
  record.user = session.user;
  record.csrf_token = session.csrf_token;
  record.created_at = TruncateToSeconds(now);
  record.expires_at = TruncateToSeconds(session.expires_at);
  record.last_used_at = record.created_at;
  sessions_[record.secret_hash] = record;
  return record;
}

Result<SessionRecord> AccountTable::FindSession(std::string_view hash, TimePoint now) const {
  auto it = sessions_.find(hash);
  const SessionRecord* session = it == sessions_.end() ? nullptr : &it->second;
  RETURN_IF_ERROR(CheckSessionUsable(session, now));
  return *session;
}

Status AccountTable::TouchSession(std::string_view hash, TimePoint now) {
  auto it = sessions_.find(hash);
  if (it == sessions_.end()) return NoSession();
  TimePoint t = TruncateToSeconds(now);
  if (t > it->second.last_used_at) it->second.last_used_at = t;
  return Status::Ok();
}

Result<SessionRecord> AccountTable::DeleteSession(std::string_view hash) {
  auto it = sessions_.find(hash);
  if (it == sessions_.end()) return NoSession();
  SessionRecord removed = std::move(it->second);
  sessions_.erase(it);
  return removed;
}

int64_t AccountTable::DeleteSessionsOfUser(std::string_view name) {
  int64_t n = 0;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.user == name) {
      it = sessions_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

}  // namespace wott::store
