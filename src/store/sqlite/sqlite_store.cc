// Opening the SQLite registry, the reader pool, and the token, API-token, event and counter
// operations. Device and certificate operations are in sqlite_devices.cc.
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "store/migrations/sqlite_migrations.h"
#include "store/rules.h"
#include "store/sqlite/migrate.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/validate.h"

namespace wott::store {
namespace sqlite {
namespace {

// Makes sure `path` is a regular file only its owner can read: creates it empty with mode
// 0600 (SQLite takes an empty file as an empty database and gives the -wal and -shm files
// the same mode), or tightens an existing one.
Status PrepareDatabaseFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    std::string message = "cannot open registry database " + path + ": " + std::strerror(err);
    if (err == ENOENT) return NotFound(message + " (does the data directory exist?)");
    if (err == EACCES || err == EPERM || err == EROFS) return PermissionDenied(message);
    return FailedPrecondition(message);
  }
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Internal("cannot open registry database " + path, std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = FailedPrecondition("registry database " + path + " is not a regular file");
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) {
    status = PermissionDenied("cannot restrict registry database " + path + " to mode 0600",
                              std::strerror(errno));
  }
  ::close(fd);
  if (!status.ok()) return status;
  for (const char* suffix : {"-wal", "-shm"}) {
    std::string side = path + suffix;
    struct stat side_st {};
    if (::stat(side.c_str(), &side_st) == 0 && (side_st.st_mode & 077) != 0) {
      (void)::chmod(side.c_str(), 0600);
    }
  }
  return Status::Ok();
}

// WAL lets readers run while one writer commits. synchronous=FULL fsyncs the WAL at every
// commit: a CA must never hand out a certificate that a power loss could then erase from
// the registry (it could no longer be listed or revoked). NORMAL would only lose the last
// commits on power loss or an OS crash, but that is exactly the case that matters here.
Status ConfigureWriter(Connection& db) {
  ASSIGN_OR_RETURN(Statement wal, db.PrepareUncached("PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(bool row, wal.Step());
  if (!row || wal.Text(0) != "wal") {
    return FailedPrecondition("the registry database cannot use WAL mode on this filesystem",
                              row ? "journal_mode is " + wal.Text(0) : "no journal_mode row");
  }
  RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  // Statement and savepoint journals (each group-commit operation runs in a savepoint) in
  // memory: on disk they spill to a temporary file once over 64 KiB, which a batch of
  // enrollments does, doubling the bytes written per enrollment. A batch's journal is at
  // most a few MiB.
  RETURN_IF_ERROR(db.Exec("PRAGMA temp_store = MEMORY"));
  // Checkpoint every 8192 WAL pages (32 MiB) instead of 1000: a checkpoint copies each page
  // once however many commits changed it, and the random-key indexes (device IDs, serials)
  // take many commits to revisit a page. A larger page cache for the one writer keeps those
  // index pages out of pread(). Measured with bench/store_enroll_bench (64 threads, 5,000
  // devices preloaded): 500 -> 351 us CPU and 119 -> 80 KB written per enrollment.
  RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint = 8192"));
  return db.Exec("PRAGMA cache_size = -16384");  // KiB
}

template <typename T>
std::vector<T> ReadAll(Statement& stmt, T (*read)(const Statement&), Status& status) {
  std::vector<T> out;
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) {
      status = row.status();
      return out;
    }
    if (!*row) return out;
    out.push_back(read(stmt));
  }
}

}  // namespace

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  std::unique_lock lock(mu_);
  released_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
  if (!idle_.empty()) {
    std::unique_ptr<Connection> connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(connection));
  }
  ++open_;
  lock.unlock();
  Result<std::unique_ptr<Connection>> connection = Connection::Open(path_, busy_timeout_ms_);
  Status status =
      connection.ok() ? (*connection)->Exec("PRAGMA query_only = ON") : connection.status();
  if (!status.ok()) {
    lock.lock();
    --open_;
    released_.notify_one();
    return status;
  }
  return Lease(this, std::move(*connection));
}

size_t SqliteStore::MaxWriteBatch() {
  const char* env = std::getenv("WOTT_SQLITE_MAX_WRITE_BATCH");
  if (env == nullptr || *env == '\0') return kMaxWriteBatch;
  char* end = nullptr;
  long value = std::strtol(env, &end, 10);
  if (*end != '\0' || value < 1) return kMaxWriteBatch;
  return std::min(static_cast<size_t>(value), kMaxWriteBatch);
}

void ReaderPool::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(connection));
  released_.notify_one();
}

// ---- Enrollment tokens ----

Result<EnrollmentTokenRecord> SqliteStore::CreateEnrollmentToken(const NewEnrollmentToken& token,
                                                                 TimePoint now) {
  RETURN_IF_ERROR(ValidateNewEnrollmentToken(token, now));
  return Write([&](Connection& db) -> Result<EnrollmentTokenRecord> {
    ASSIGN_OR_RETURN(bool id_taken,
                     Exists(db, "SELECT 1 FROM enrollment_tokens WHERE id = ?", token.id));
    if (id_taken) return AlreadyExists("an enrollment token with this ID exists");
    ASSIGN_OR_RETURN(
        bool hash_taken,
        Exists(db, "SELECT 1 FROM enrollment_tokens WHERE token_hash = ?", token.token_hash));
    if (hash_taken) return AlreadyExists("an enrollment token with this hash exists");
    {
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO enrollment_tokens (id, token_hash, description, "
                                  "max_uses, uses_left, created_at, expires_at, created_by) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
      RETURN_IF_ERROR(insert
                          .Bind(token.id, token.token_hash, token.description, token.max_uses,
                                token.max_uses, ToUnixSeconds(now), ToUnixSeconds(token.expires_at),
                                token.created_by)
                          .Run());
    }
    RETURN_IF_ERROR(ReplaceMap(db, MapTable::kTokenTags, token.id, token.tags));
    RETURN_IF_ERROR(InsertEvent(db, MakeEvent(now, token.created_by, "token.create", token.id,
                                              "uses=" + std::to_string(token.max_uses))));
    ASSIGN_OR_RETURN(std::optional<EnrollmentTokenRecord> record, LoadTokenById(db, token.id));
    return std::move(*record);
  });
}

Result<EnrollmentTokenRecord> SqliteStore::GetEnrollmentToken(std::string_view id) {
  RETURN_IF_ERROR(ValidateTokenId(id));
  return Read([&](Connection& db) -> Result<EnrollmentTokenRecord> {
    ASSIGN_OR_RETURN(std::optional<EnrollmentTokenRecord> token, LoadTokenById(db, id));
    if (!token) return NotFound("unknown enrollment token");
    return std::move(*token);
  });
}

Result<EnrollmentTokenRecord> SqliteStore::FindEnrollmentToken(std::string_view token_hash,
                                                               TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token_hash));
  return Read([&](Connection& db) -> Result<EnrollmentTokenRecord> {
    ASSIGN_OR_RETURN(std::optional<EnrollmentTokenRecord> token, LoadTokenByHash(db, token_hash));
    if (!token) return UnknownEnrollmentToken();
    RETURN_IF_ERROR(CheckEnrollmentTokenUsable(*token, now));
    return std::move(*token);
  });
}

Result<std::vector<EnrollmentTokenRecord>> SqliteStore::ListEnrollmentTokens(
    const TokenListOptions& options, TimePoint now) {
  RETURN_IF_ERROR(ValidatePage(options.page));
  return Read([&](Connection& db) -> Result<std::vector<EnrollmentTokenRecord>> {
    std::string sql = std::string("SELECT ") + kTokenColumns + " FROM enrollment_tokens t ";
    if (!options.include_inactive) {
      sql += "WHERE t.revoked_at IS NULL AND t.expires_at > ? AND t.uses_left > 0 ";
    }
    sql += "ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?";
    std::vector<EnrollmentTokenRecord> tokens;
    {
      ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
      if (!options.include_inactive) stmt.Bind(ToUnixSeconds(now));
      stmt.Bind(options.page.limit, options.page.offset);
      Status status;
      tokens = ReadAll(stmt, ReadToken, status);
      RETURN_IF_ERROR(status);
    }
    for (EnrollmentTokenRecord& token : tokens) RETURN_IF_ERROR(LoadTokenTags(db, token));
    return tokens;
  });
}

Status SqliteStore::RevokeEnrollmentToken(std::string_view id, std::string_view actor,
                                          TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenId(id));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(std::optional<EnrollmentTokenRecord> token, LoadTokenById(db, id));
    if (!token) return NotFound("unknown enrollment token");
    if (token->revoked_at) return Status::Ok();
    {
      ASSIGN_OR_RETURN(Statement update,
                       db.Prepare("UPDATE enrollment_tokens SET revoked_at = ? WHERE id = ?"));
      RETURN_IF_ERROR(update.Bind(ToUnixSeconds(now), id).Run());
    }
    return InsertEvent(db, MakeEvent(now, actor, "token.revoke", id, "")).status();
  });
}

// ---- CRL counter ----

Result<int64_t> SqliteStore::NextCrlNumber() {
  return Write([&](Connection& db) -> Result<int64_t> {
    ASSIGN_OR_RETURN(Statement next, db.Prepare("UPDATE counters SET value = value + 1 "
                                                "WHERE name = 'crl_number' RETURNING value"));
    ASSIGN_OR_RETURN(bool row, next.Step());
    if (!row) return Internal("registry database error", "crl_number counter missing");
    int64_t value = next.Int(0);
    RETURN_IF_ERROR(next.Run());
    return value;
  });
}

// ---- Admin API tokens ----

Result<ApiTokenRecord> SqliteStore::CreateApiToken(const NewApiToken& token, TimePoint now) {
  RETURN_IF_ERROR(ValidateNewApiToken(token, now));
  return Write([&](Connection& db) -> Result<ApiTokenRecord> {
    ASSIGN_OR_RETURN(bool id_taken, Exists(db, "SELECT 1 FROM api_tokens WHERE id = ?", token.id));
    if (id_taken) return AlreadyExists("an API token with this ID exists");
    ASSIGN_OR_RETURN(bool hash_taken,
                     Exists(db, "SELECT 1 FROM api_tokens WHERE token_hash = ?", token.token_hash));
    if (hash_taken) return AlreadyExists("an API token with this hash exists");
    std::optional<int64_t> expires;
    if (token.expires_at) expires = ToUnixSeconds(*token.expires_at);
    {
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO api_tokens (id, name, token_hash, created_at, "
                                  "expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?)"));
      RETURN_IF_ERROR(insert
                          .Bind(token.id, token.name, token.token_hash, ToUnixSeconds(now), expires,
                                token.created_by)
                          .Run());
    }
    RETURN_IF_ERROR(InsertEvent(
        db, MakeEvent(now, token.created_by, "api_token.create", token.id, "name=" + token.name)));
    ASSIGN_OR_RETURN(std::optional<ApiTokenRecord> record, LoadApiTokenById(db, token.id));
    return std::move(*record);
  });
}

Result<ApiTokenRecord> SqliteStore::FindApiTokenByHash(std::string_view token_hash, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenHash("API token hash", token_hash));
  return Read([&](Connection& db) -> Result<ApiTokenRecord> {
    ASSIGN_OR_RETURN(std::optional<ApiTokenRecord> token, LoadApiTokenByHash(db, token_hash));
    RETURN_IF_ERROR(CheckApiTokenUsable(token ? &*token : nullptr, now));
    return std::move(*token);
  });
}

Result<std::vector<ApiTokenRecord>> SqliteStore::ListApiTokens() {
  return Read([&](Connection& db) -> Result<std::vector<ApiTokenRecord>> {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare(std::string("SELECT ") + kApiTokenColumns +
                                " FROM api_tokens a ORDER BY a.created_at DESC, a.id DESC"));
    Status status;
    std::vector<ApiTokenRecord> tokens = ReadAll(stmt, ReadApiToken, status);
    RETURN_IF_ERROR(status);
    return tokens;
  });
}

Status SqliteStore::RevokeApiToken(std::string_view id, std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidateTokenId(id));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    ASSIGN_OR_RETURN(std::optional<ApiTokenRecord> token, LoadApiTokenById(db, id));
    if (!token) return NotFound("unknown API token");
    if (token->revoked_at) return Status::Ok();
    {
      ASSIGN_OR_RETURN(Statement update,
                       db.Prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?"));
      RETURN_IF_ERROR(update.Bind(ToUnixSeconds(now), id).Run());
    }
    return InsertEvent(db, MakeEvent(now, actor, "api_token.revoke", id, "")).status();
  });
}

// ---- Event log ----

Result<int64_t> SqliteStore::AppendEvent(const Event& event) {
  RETURN_IF_ERROR(ValidateEvent(event));
  return Write([&](Connection& db) { return InsertEvent(db, event); });
}

Result<std::vector<Event>> SqliteStore::ListEvents(const EventQuery& query) {
  RETURN_IF_ERROR(ValidateLimit(query.limit));
  if (query.before_id < 0) return InvalidArgument("event cursor must not be negative");
  return Read([&](Connection& db) -> Result<std::vector<Event>> {
    std::string sql = "SELECT id, time, actor, action, subject, detail FROM events WHERE 1 = 1";
    if (query.before_id != 0) sql += " AND id < ?";
    if (query.subject) sql += " AND subject = ?";
    sql += " ORDER BY id DESC LIMIT ?";
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
    if (query.before_id != 0) stmt.Bind(query.before_id);
    if (query.subject) stmt.Bind(*query.subject);
    stmt.Bind(query.limit);
    std::vector<Event> events;
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return events;
      Event& e = events.emplace_back();
      e.id = stmt.Int(0);
      e.time = FromUnixSeconds(stmt.Int(1));
      e.actor = stmt.Text(2);
      e.action = stmt.Text(3);
      e.subject = stmt.Text(4);
      e.detail = stmt.Text(5);
    }
  });
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const OpenOptions& options) {
  using sqlite::Connection;
  if (path.empty()) return InvalidArgument("the registry database path is empty");
  const std::string context = "opening registry database " + path;
  RETURN_IF_ERROR(sqlite::PrepareDatabaseFile(path));
  Result<std::unique_ptr<Connection>> writer = Connection::Open(path, options.busy_timeout_ms);
  if (!writer.ok()) return writer.status().WithContext(context);
  Status status = sqlite::ConfigureWriter(**writer);
  if (status.ok()) {
    status = sqlite::Migrate(**writer, kSqliteMigrations, options.clock->Now());
  }
  if (!status.ok()) return status.WithContext(context);
  return std::unique_ptr<Store>(
      std::make_unique<sqlite::SqliteStore>(std::move(*writer), path, options));
}

}  // namespace wott::store
