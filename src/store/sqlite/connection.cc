#include "store/sqlite/connection.h"

#include <sqlite3.h>

#include <utility>

namespace wott::store::sqlite {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string detail = std::string(what) + ": " + sqlite3_errstr(rc);
  if (db != nullptr) {
    detail += " (";
    detail += sqlite3_errmsg(db);
    detail += ")";
  }
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return AlreadyExists("a record with the same key already exists", std::move(detail));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable("the registry database is busy; try again", std::move(detail));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return FailedPrecondition("the registry database is corrupt or not a SQLite database",
                                std::move(detail));
    case SQLITE_FULL:
      return ResourceExhausted("the registry database's disk is full", std::move(detail));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return FailedPrecondition("the registry database cannot be opened for writing",
                                std::move(detail));
  }
  switch (rc & 0xff) {  // primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable("the registry database is busy; try again", std::move(detail));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return FailedPrecondition("the registry database is corrupt or not a SQLite database",
                                std::move(detail));
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return FailedPrecondition("the registry database cannot be opened for writing",
                                std::move(detail));
  }
  return Internal("registry database error", std::move(detail));
}

// ---- Statement ----

Statement::Statement(sqlite3_stmt* stmt, bool* in_use) : stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      next_index_(other.next_index_),
      bind_status_(std::move(other.bind_status_)) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

void Statement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = SqliteError(sqlite3_db_handle(stmt_), rc, "bind");
  }
  ++next_index_;
}

void Statement::BindOne(std::string_view value) {
  NoteBind(sqlite3_bind_text64(stmt_, next_index_, value.data(), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8));
}

void Statement::BindOne(int64_t value) { NoteBind(sqlite3_bind_int64(stmt_, next_index_, value)); }

void Statement::BindOne(std::optional<int64_t> value) {
  if (value) {
    BindOne(*value);
  } else {
    BindOne(std::nullopt);
  }
}

void Statement::BindOne(std::nullopt_t) { NoteBind(sqlite3_bind_null(stmt_, next_index_)); }

Result<bool> Statement::Step() {
  RETURN_IF_ERROR(bind_status_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(sqlite3_db_handle(stmt_), rc, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Connection ----

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int busy_timeout_ms) {
  // Connections are used from several threads (one at a time), which a library built with
  // SQLITE_THREADSAFE=0 cannot do safely.
  if (sqlite3_threadsafe() == 0) {
    return FailedPrecondition("this SQLite library was built without thread support");
  }
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is used by one thread at a time (see the header).
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  RETURN_IF_ERROR(connection->Exec("PRAGMA foreign_keys = ON"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

Result<Statement> Connection::PrepareUncached(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db_, rc, "prepare " + std::string(sql));
  }
  return Statement(stmt, nullptr);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return SqliteError(db_, rc, "prepare " + std::string(sql));
    }
    it = cache_.emplace(std::string(sql), CachedStatement{}).first;
    it->second.stmt = stmt;
  }
  if (*it->second.in_use) return PrepareUncached(sql);
  *it->second.in_use = true;
  return Statement(it->second.stmt, it->second.in_use.get());
}

Status Connection::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // sqlite3_errmsg still has it for SqliteError
  if (rc != SQLITE_OK) return SqliteError(db_, rc, sql.substr(0, 120));
  return Status::Ok();
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

}  // namespace wott::store::sqlite
