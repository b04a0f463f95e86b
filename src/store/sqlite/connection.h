// Thin RAII layer over the SQLite C API for the SQLite store: a Connection owns one
// sqlite3 handle and a cache of prepared statements; a Statement binds parameters in order,
// steps and reads columns, and returns its cached handle on destruction. SQLite errors become
// Status values (the SQLite text goes in the detail, never in the message).
//
// Thread-safety: none. A Connection (and its Statements) is used by one thread at a time;
// the store guarantees it (the writer behind a mutex, readers leased from a pool).
#ifndef WOTT_STORE_SQLITE_CONNECTION_H_
#define WOTT_STORE_SQLITE_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace wott::store::sqlite {

// The Status for SQLite result code `rc` (extended codes understood): kAlreadyExists for
// uniqueness violations, kUnavailable for busy/locked, kFailedPrecondition for a corrupt or
// foreign file, kResourceExhausted for a full disk, kInternal otherwise. `what` and
// sqlite3_errmsg(db) (db may be null) go in the detail.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

class Statement {
 public:
  // Takes `stmt`; when `in_use` is non-null the statement is a cached one: it is reset and
  // *in_use cleared on destruction instead of being finalized.
  Statement(sqlite3_stmt* stmt, bool* in_use);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Binds the next parameters, left to right, starting after the last one bound. A bind
  // failure is reported by the next Step/Run.
  template <typename... Args>
  Statement& Bind(const Args&... args) {
    (BindOne(args), ...);
    return *this;
  }

  // Executes one step: true when a row is ready to read, false when the statement is done.
  Result<bool> Step();
  // Steps to completion, ignoring rows.
  Status Run();

  // Columns of the current row, 0-based.
  int64_t Int(int column) const;
  std::optional<int64_t> OptionalInt(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  void BindOne(std::string_view value);
  void BindOne(const std::string& value) { BindOne(std::string_view(value)); }
  void BindOne(const char* value) { BindOne(std::string_view(value)); }
  void BindOne(int64_t value);
  void BindOne(int value) { BindOne(static_cast<int64_t>(value)); }
  void BindOne(std::optional<int64_t> value);
  void BindOne(std::nullopt_t);
  void NoteBind(int rc);

  sqlite3_stmt* stmt_;
  bool* in_use_;
  int next_index_ = 1;
  Status bind_status_;
};

class Connection {
 public:
  // Opens an existing file (the caller creates it with the right mode) read-write, with
  // extended result codes, `busy_timeout_ms` and foreign keys on.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A prepared statement for `sql`, from the cache when it is not already in use (a nested
  // use of the same text gets a fresh, uncached one).
  Result<Statement> Prepare(std::string_view sql);
  // A fresh statement that is finalized after use (for SQL built per call).
  Result<Statement> PrepareUncached(std::string_view sql);
  // Runs one or more statements that return no rows we need (pragmas, BEGIN, DDL).
  Status Exec(const std::string& sql);

  int64_t LastInsertRowId() const;
  int64_t Changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    // Heap-allocated so the pointer handed to Statement stays valid across rehashing.
    std::unique_ptr<bool> in_use = std::make_unique<bool>(false);
  };

  sqlite3* db_;
  std::unordered_map<std::string, CachedStatement> cache_;
};

}  // namespace wott::store::sqlite

#endif  // WOTT_STORE_SQLITE_CONNECTION_H_
