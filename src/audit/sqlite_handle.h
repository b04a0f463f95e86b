// A minimal RAII layer over SQLite for the vulnerability database (src/audit links neither
// src/store nor its connection class: the registry and the reference data are separate).
// Errors become Status values with SQLite's text in the detail only.
//
// Thread-safety: none; a Db and its Stmts are used by one thread at a time.
#ifndef WOTT_AUDIT_SQLITE_HANDLE_H_
#define WOTT_AUDIT_SQLITE_HANDLE_H_

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::audit {

// A prepared statement; finalized on destruction.
class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;

  // Binds text/integers to parameters 1..n (clearing the previous bindings and state).
  Stmt& Reset();
  Stmt& Bind(int index, std::string_view text);
  Stmt& Bind(int index, int64_t value);
  // true when a row is ready, false when done.
  Result<bool> Step();
  // Steps to completion.
  Status Run();
  std::string Text(int column) const;
  int64_t Int(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  enum class Mode { kReadOnly, kCreate };
  // Opens `path` (kCreate: creates it, mode 0644, it must not exist yet).
  static Result<Db> Open(const std::filesystem::path& path, Mode mode);
  Db() = default;
  ~Db() { (void)Close(); }
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;

  Status Exec(const std::string& sql);
  Result<Stmt> Prepare(std::string_view sql);
  // Closes the handle; reports a failure to close (a write not flushed).
  Status Close();

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// kInternal (kResourceExhausted for a full disk, kFailedPrecondition for a corrupt or
// foreign file) with `what` in the message and sqlite3_errmsg in the detail.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_SQLITE_HANDLE_H_
