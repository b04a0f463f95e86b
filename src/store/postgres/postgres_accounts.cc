// Dashboard users, sessions and fleet counts of the PostgreSQL registry (issue 6; see
// postgres_store_impl.h and store.h).
#include <optional>
#include <pqxx/row>
#include <string>

#include "store/account_rules.h"
#include "store/expiry_segments.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/rules.h"
#include "store/validate.h"

namespace wott::store::postgres {
namespace {

constexpr char kUserColumns[] = "name, password_hash, created_at, password_changed_at";
constexpr char kSessionColumns[] =
    "secret_hash, user_name, csrf_token, created_at, expires_at, last_used_at";

UserRecord ReadUser(const pqxx::row& row) {
  UserRecord u;
  u.name = row[0].as<std::string>();
  u.password_hash = row[1].as<std::string>();
  u.created_at = FromUnixSeconds(row[2].as<int64_t>());
  u.password_changed_at = FromUnixSeconds(row[3].as<int64_t>());
  return u;
}

SessionRecord ReadSession(const pqxx::row& row) {
  SessionRecord s;
  s.secret_hash = row[0].as<std::string>();
  s.user = row[1].as<std::string>();
  s.csrf_token = row[2].as<std::string>();
  s.created_at = FromUnixSeconds(row[3].as<int64_t>());
  s.expires_at = FromUnixSeconds(row[4].as<int64_t>());
  s.last_used_at = FromUnixSeconds(row[5].as<int64_t>());
  return s;
}

std::optional<UserRecord> LoadUser(pqxx::transaction_base& tx, std::string_view name) {
  pqxx::result r =
      Exec(tx, std::string("SELECT ") + kUserColumns + " FROM users WHERE name = $1", {P(name)});
  if (r.empty()) return std::nullopt;
  return ReadUser(r[0]);
}

std::optional<SessionRecord> LoadSession(pqxx::transaction_base& tx, std::string_view hash) {
  pqxx::result r =
      Exec(tx, std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE secret_hash = $1",
           {P(hash)});
  if (r.empty()) return std::nullopt;
  return ReadSession(r[0]);
}

int64_t DeleteUserSessions(pqxx::transaction_base& tx, std::string_view name) {
  return Exec(tx, "DELETE FROM sessions WHERE user_name = $1", {P(name)}).affected_rows();
}

}  // namespace

Result<UserRecord> PostgresStore::CreateUser(const NewUser& user, std::string_view actor,
                                             TimePoint now) {
  RETURN_IF_ERROR(ValidateNewUser(user));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Result<UserRecord> {
    // A concurrent insert of the same name fails on the primary key: kAlreadyExists too.
    pqxx::result inserted = Exec(tx,
                                 "INSERT INTO users (name, password_hash, created_at, "
                                 "password_changed_at) VALUES ($1, $2, $3, $3) "
                                 "ON CONFLICT (name) DO NOTHING",
                                 {P(user.name), P(user.password_hash), P(ToUnixSeconds(now))});
    if (inserted.affected_rows() == 0) return AlreadyExists("a user with this name exists");
    InsertEvent(tx, MakeEvent(now, actor, "user.create", user.name, ""));
    return std::move(*LoadUser(tx, user.name));
  });
}

Result<UserRecord> PostgresStore::GetUser(std::string_view name) {
  RETURN_IF_ERROR(ValidateUserName(name));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<UserRecord> {
    std::optional<UserRecord> user = LoadUser(tx, name);
    if (!user) return UnknownUser();
    return std::move(*user);
  });
}

Result<std::vector<UserRecord>> PostgresStore::ListUsers() {
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<UserRecord>> {
    std::vector<UserRecord> out;
    for (const pqxx::row& row :
         Exec(tx, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY name")) {
      out.push_back(ReadUser(row));
    }
    return out;
  });
}

Status PostgresStore::DeleteUser(std::string_view name, std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateUserName(name));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    // The sessions go with it (ON DELETE CASCADE).
    if (Exec(tx, "DELETE FROM users WHERE name = $1", {P(name)}).affected_rows() == 0) {
      return UnknownUser();
    }
    InsertEvent(tx, MakeEvent(now, actor, "user.delete", name, ""));
    return Status::Ok();
  });
}

Status PostgresStore::SetUserPassword(std::string_view name, std::string_view password_hash,
                                      std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateUserName(name));
  RETURN_IF_ERROR(ValidatePasswordHash(password_hash));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    if (Exec(tx, "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE name = $3",
             {P(password_hash), P(ToUnixSeconds(now)), P(name)})
            .affected_rows() == 0) {
      return UnknownUser();
    }
    DeleteUserSessions(tx, name);
    InsertEvent(tx, MakeEvent(now, actor, "user.password", name, ""));
    return Status::Ok();
  });
}

Result<SessionRecord> PostgresStore::CreateSession(const NewSession& session, TimePoint now) {
  RETURN_IF_ERROR(ValidateNewSession(session, now));
  return Write([&](pqxx::transaction_base& tx) -> Result<SessionRecord> {
    // Share-lock the user so a concurrent DeleteUser cannot leave an orphan session.
    if (!Exists(tx, "SELECT 1 FROM users WHERE name = $1 FOR SHARE", {P(session.user)})) {
      return UnknownUser();
    }
    Exec(tx, "DELETE FROM sessions WHERE expires_at <= $1", {P(ToUnixSeconds(now))});
    pqxx::result inserted =
        Exec(tx,
             "INSERT INTO sessions (secret_hash, user_name, csrf_token, created_at, expires_at, "
             "last_used_at) VALUES ($1, $2, $3, $4, $5, $4) ON CONFLICT (secret_hash) DO NOTHING",
             {P(session.secret_hash), P(session.user), P(session.csrf_token), P(ToUnixSeconds(now)),
              P(ToUnixSeconds(session.expires_at))});
    if (inserted.affected_rows() == 0) return AlreadyExists("this session exists");
    InsertEvent(tx, MakeEvent(now, UserActor(session.user), "user.login", session.user,
                              session.client.empty() ? "" : "from=" + session.client));
    return std::move(*LoadSession(tx, session.secret_hash));
  });
}

Result<SessionRecord> PostgresStore::FindSession(std::string_view secret_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<SessionRecord> {
    std::optional<SessionRecord> session = LoadSession(tx, secret_hash);
    RETURN_IF_ERROR(CheckSessionUsable(session ? &*session : nullptr, now));
    return std::move(*session);
  });
}

Status PostgresStore::TouchSession(std::string_view secret_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    if (Exec(tx,
             "UPDATE sessions SET last_used_at = GREATEST(last_used_at, $1) "
             "WHERE secret_hash = $2",
             {P(ToUnixSeconds(now)), P(secret_hash)})
            .affected_rows() == 0) {
      return NoSession();
    }
    return Status::Ok();
  });
}

Status PostgresStore::DeleteSession(std::string_view secret_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    pqxx::result deleted = Exec(
        tx, "DELETE FROM sessions WHERE secret_hash = $1 RETURNING user_name", {P(secret_hash)});
    if (deleted.empty()) return NoSession();
    const std::string user = deleted[0][0].as<std::string>();
    InsertEvent(tx, MakeEvent(now, UserActor(user), "user.logout", user, ""));
    return Status::Ok();
  });
}

Result<int64_t> PostgresStore::DeleteSessionsOfUser(std::string_view name) {
  RETURN_IF_ERROR(ValidateUserName(name));
  return Write(
      [&](pqxx::transaction_base& tx) -> Result<int64_t> { return DeleteUserSessions(tx, name); });
}

Result<FleetCounts> PostgresStore::CountFleet(const FleetCountsQuery& query) {
  RETURN_IF_ERROR(ValidateFleetCountsQuery(query));
  return Read([&](pqxx::transaction_base& tx) -> Result<FleetCounts> {
    FleetCounts out;
    for (const pqxx::row& row : Exec(tx, "SELECT status, count(*) FROM devices GROUP BY status")) {
      const std::string status = row[0].as<std::string>();
      const int64_t n = row[1].as<int64_t>();
      if (status == "active") out.by_status.active = n;
      if (status == "revoked") out.by_status.revoked = n;
      if (status == "deleted") out.by_status.deleted = n;
    }
    out.stale = Exec(tx,
                     "SELECT count(*) FROM devices WHERE status = 'active' AND "
                     "(last_seen IS NULL OR last_seen < $1)",
                     {P(ToUnixSeconds(query.seen_before))})[0][0]
                    .as<int64_t>();
    // Each disjoint segment of the (overlapping) ranges once; see expiry_segments.h.
    const ExpirySegments segments(query.expiry_ranges);
    std::vector<int64_t> segment_counts;
    for (const auto& [from, until] : segments.segments()) {
      segment_counts.push_back(Exec(tx,
                                    "SELECT count(*) FROM devices WHERE status = 'active' AND "
                                    "cert_not_after >= $1 AND cert_not_after < $2",
                                    {P(from), P(until)})[0][0]
                                   .as<int64_t>());
    }
    out.expiring = segments.RangeCounts(segment_counts);
    return out;
  });
}

}  // namespace wott::store::postgres
