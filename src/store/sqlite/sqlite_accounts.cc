// Dashboard users, sessions and fleet counts of the SQLite registry (issue 6; see
// sqlite_store_impl.h and store.h).
#include <optional>
#include <string>

#include "store/account_rules.h"
#include "store/expiry_segments.h"
#include "store/rules.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/validate.h"

namespace wott::store::sqlite {
namespace {

constexpr char kUserColumns[] = "name, password_hash, created_at, password_changed_at";
constexpr char kSessionColumns[] =
    "secret_hash, user_name, csrf_token, created_at, expires_at, last_used_at";

UserRecord ReadUser(const Statement& stmt) {
  UserRecord u;
  u.name = stmt.Text(0);
  u.password_hash = stmt.Text(1);
  u.created_at = FromUnixSeconds(stmt.Int(2));
  u.password_changed_at = FromUnixSeconds(stmt.Int(3));
  return u;
}

SessionRecord ReadSession(const Statement& stmt) {
  SessionRecord s;
  s.secret_hash = stmt.Text(0);
  s.user = stmt.Text(1);
  s.csrf_token = stmt.Text(2);
  s.created_at = FromUnixSeconds(stmt.Int(3));
  s.expires_at = FromUnixSeconds(stmt.Int(4));
  s.last_used_at = FromUnixSeconds(stmt.Int(5));
  return s;
}

Result<std::optional<UserRecord>> LoadUser(Connection& db, std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kUserColumns +
                                              " FROM users WHERE name = ?"));
  stmt.Bind(name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<UserRecord>();
  return std::optional<UserRecord>(ReadUser(stmt));
}

Result<std::optional<SessionRecord>> LoadSession(Connection& db, std::string_view hash) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kSessionColumns +
                                              " FROM sessions WHERE secret_hash = ?"));
  stmt.Bind(hash);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(ReadSession(stmt));
}

// Removes the user's sessions; returns how many there were.
Result<int64_t> DeleteUserSessions(Connection& db, std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare("DELETE FROM sessions WHERE user_name = ?"));
  RETURN_IF_ERROR(stmt.Bind(name).Run());
  return db.Changes();
}

}  // namespace

Result<UserRecord> SqliteStore::CreateUser(const NewUser& user, std::string_view actor,
                                           TimePoint now) {
  RETURN_IF_ERROR(ValidateNewUser(user));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Result<UserRecord> {
    ASSIGN_OR_RETURN(bool taken, Exists(db, "SELECT 1 FROM users WHERE name = ?", user.name));
    if (taken) return AlreadyExists("a user with this name exists");
    {
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO users (name, password_hash, created_at, "
                                  "password_changed_at) VALUES (?1, ?2, ?3, ?3)"));
      RETURN_IF_ERROR(insert.Bind(user.name, user.password_hash, ToUnixSeconds(now)).Run());
    }
    Result<int64_t> appended = InsertEvent(db, MakeEvent(now, actor, "user.create", user.name, ""));
    if (!appended.ok()) return appended.status();
    ASSIGN_OR_RETURN(std::optional<UserRecord> record, LoadUser(db, user.name));
    return std::move(*record);
  });
}

Result<UserRecord> SqliteStore::GetUser(std::string_view name) {
  RETURN_IF_ERROR(ValidateUserName(name));
  return Read([&](Connection& db) -> Result<UserRecord> {
    ASSIGN_OR_RETURN(std::optional<UserRecord> user, LoadUser(db, name));
    if (!user) return UnknownUser();
    return std::move(*user);
  });
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers() {
  return Read([&](Connection& db) -> Result<std::vector<UserRecord>> {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kUserColumns +
                                                " FROM users ORDER BY name"));
    std::vector<UserRecord> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(ReadUser(stmt));
    }
    return out;
  });
}

Status SqliteStore::DeleteUser(std::string_view name, std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateUserName(name));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    Result<int64_t> ended = DeleteUserSessions(db, name);
    if (!ended.ok()) return ended.status();
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare("DELETE FROM users WHERE name = ?"));
    RETURN_IF_ERROR(stmt.Bind(name).Run());
    if (db.Changes() == 0) return UnknownUser();
    return InsertEvent(db, MakeEvent(now, actor, "user.delete", name, "")).status();
  });
}

Status SqliteStore::SetUserPassword(std::string_view name, std::string_view password_hash,
                                    std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateUserName(name));
  RETURN_IF_ERROR(ValidatePasswordHash(password_hash));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    {
      ASSIGN_OR_RETURN(Statement stmt, db.Prepare("UPDATE users SET password_hash = ?, "
                                                  "password_changed_at = ? WHERE name = ?"));
      RETURN_IF_ERROR(stmt.Bind(password_hash, ToUnixSeconds(now), name).Run());
    }
    if (db.Changes() == 0) return UnknownUser();
    Result<int64_t> ended = DeleteUserSessions(db, name);
    if (!ended.ok()) return ended.status();
    return InsertEvent(db, MakeEvent(now, actor, "user.password", name, "")).status();
  });
}

Result<SessionRecord> SqliteStore::CreateSession(const NewSession& session, TimePoint now) {
  RETURN_IF_ERROR(ValidateNewSession(session, now));
  return Write([&](Connection& db) -> Result<SessionRecord> {
    ASSIGN_OR_RETURN(bool known, Exists(db, "SELECT 1 FROM users WHERE name = ?", session.user));
    if (!known) return UnknownUser();
    {
      // Expired sessions are garbage; dropping them here keeps the table small (indexed).
      ASSIGN_OR_RETURN(Statement drop, db.Prepare("DELETE FROM sessions WHERE expires_at <= ?"));
      RETURN_IF_ERROR(drop.Bind(ToUnixSeconds(now)).Run());
    }
    ASSIGN_OR_RETURN(bool taken, Exists(db, "SELECT 1 FROM sessions WHERE secret_hash = ?",
                                        session.secret_hash));
    if (taken) return AlreadyExists("this session exists");
    {
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO sessions (secret_hash, user_name, csrf_token, "
                                  "created_at, expires_at, last_used_at) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?4)"));
      RETURN_IF_ERROR(insert
                          .Bind(session.secret_hash, session.user, session.csrf_token,
                                ToUnixSeconds(now), ToUnixSeconds(session.expires_at))
                          .Run());
    }
    const Event event = MakeEvent(now, UserActor(session.user), "user.login", session.user,
                                  session.client.empty() ? "" : "from=" + session.client);
    Result<int64_t> appended = InsertEvent(db, event);
    if (!appended.ok()) return appended.status();
    ASSIGN_OR_RETURN(std::optional<SessionRecord> record, LoadSession(db, session.secret_hash));
    return std::move(*record);
  });
}

Result<SessionRecord> SqliteStore::FindSession(std::string_view secret_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
  return Read([&](Connection& db) -> Result<SessionRecord> {
    ASSIGN_OR_RETURN(std::optional<SessionRecord> session, LoadSession(db, secret_hash));
    RETURN_IF_ERROR(CheckSessionUsable(session ? &*session : nullptr, now));
    return std::move(*session);
  });
}

Status SqliteStore::TouchSession(std::string_view secret_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(bool known,
                     Exists(db, "SELECT 1 FROM sessions WHERE secret_hash = ?", secret_hash));
    if (!known) return NoSession();
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("UPDATE sessions SET last_used_at = max(last_used_at, ?) "
                                "WHERE secret_hash = ?"));
    return stmt.Bind(ToUnixSeconds(now), secret_hash).Run();
  });
}

Status SqliteStore::DeleteSession(std::string_view secret_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(std::optional<SessionRecord> session, LoadSession(db, secret_hash));
    if (!session) return NoSession();
    {
      ASSIGN_OR_RETURN(Statement stmt, db.Prepare("DELETE FROM sessions WHERE secret_hash = ?"));
      RETURN_IF_ERROR(stmt.Bind(secret_hash).Run());
    }
    return InsertEvent(db,
                       MakeEvent(now, UserActor(session->user), "user.logout", session->user, ""))
        .status();
  });
}

Result<int64_t> SqliteStore::DeleteSessionsOfUser(std::string_view name) {
  RETURN_IF_ERROR(ValidateUserName(name));
  return Write([&](Connection& db) { return DeleteUserSessions(db, name); });
}

Result<FleetCounts> SqliteStore::CountFleet(const FleetCountsQuery& query) {
  RETURN_IF_ERROR(ValidateFleetCountsQuery(query));
  return Read([&](Connection& db) -> Result<FleetCounts> {
    // Only plain range counts on one index each (count(*) over a b-tree range, no row
    // reads): a GROUP BY or an OR here costs several times more at 100,000 devices.
    auto count = [&db](const char* sql, auto... args) -> Result<int64_t> {
      ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
      stmt.Bind(args...);
      return ScalarInt(stmt);
    };
    FleetCounts out;
    // devices_status_cert_not_after: each disjoint segment once; active = their sum.
    const ExpirySegments segments(query.expiry_ranges);
    std::vector<int64_t> segment_counts;
    for (const auto& [from, until] : segments.segments()) {
      ASSIGN_OR_RETURN(int64_t n, count("SELECT count(*) FROM devices WHERE status = 'active' "
                                        "AND cert_not_after >= ? AND cert_not_after < ?",
                                        from, until));
      segment_counts.push_back(n);
    }
    out.expiring = segments.RangeCounts(segment_counts);
    out.by_status.active = ExpirySegments::Total(segment_counts);
    constexpr char kByStatus[] = "SELECT count(*) FROM devices WHERE status = ?";
    ASSIGN_OR_RETURN(out.by_status.revoked, count(kByStatus, "revoked"));
    ASSIGN_OR_RETURN(out.by_status.deleted, count(kByStatus, "deleted"));
    // devices_status_last_seen: never seen, then seen before the cut-off.
    ASSIGN_OR_RETURN(int64_t never,
                     count("SELECT count(*) FROM devices WHERE status = 'active' AND "
                           "last_seen IS NULL"));
    ASSIGN_OR_RETURN(int64_t old, count("SELECT count(*) FROM devices WHERE status = 'active' "
                                        "AND last_seen < ?",
                                        ToUnixSeconds(query.seen_before)));
    out.stale = never + old;
    return out;
  });
}

}  // namespace wott::store::sqlite
