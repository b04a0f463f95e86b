#include "store/sqlite/migrate.h"

#include <string>

#include "store/records.h"

namespace wott::store::sqlite {
namespace {

Result<int64_t> QueryInt(Connection& db, std::string_view sql) {
  ASSIGN_OR_RETURN(Statement stmt, db.PrepareUncached(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Internal("registry database error", "no row from " + std::string(sql));
  return stmt.Int(0);
}

Result<bool> HasMigrationsTable(Connection& db) {
  ASSIGN_OR_RETURN(int64_t n, QueryInt(db,
                                       "SELECT count(*) FROM sqlite_schema "
                                       "WHERE type = 'table' AND name = 'schema_migrations'"));
  return n > 0;
}

Status MigrateInTransaction(Connection& db, std::span<const Migration> migrations, TimePoint now) {
  ASSIGN_OR_RETURN(bool has_table, HasMigrationsTable(db));
  if (!has_table) {
    ASSIGN_OR_RETURN(int64_t others, QueryInt(db,
                                              "SELECT count(*) FROM sqlite_schema "
                                              "WHERE name NOT LIKE 'sqlite_%'"));
    if (others > 0) {
      return FailedPrecondition(
          "the registry database file holds another application's data (no wott schema)");
    }
    RETURN_IF_ERROR(
        db.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"));
  }
  ASSIGN_OR_RETURN(int64_t current,
                   QueryInt(db, "SELECT coalesce(max(version), 0) FROM schema_migrations"));
  int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    return FailedPrecondition("the registry database has schema version " +
                              std::to_string(current) + ", newer than this binary supports (" +
                              std::to_string(latest) +
                              "); upgrade wott-server or restore a backup");
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= current) continue;
    Status applied = db.Exec(std::string(migration.sql));
    if (!applied.ok()) {
      return applied.WithContext("applying migration " + std::string(migration.name));
    }
    ASSIGN_OR_RETURN(Statement insert,
                     db.PrepareUncached("INSERT INTO schema_migrations (version, name, "
                                        "applied_at) VALUES (?, ?, ?)"));
    RETURN_IF_ERROR(insert.Bind(migration.version, migration.name, ToUnixSeconds(now)).Run());
  }
  return Status::Ok();
}

}  // namespace

Status Migrate(Connection& db, std::span<const Migration> migrations, TimePoint now) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status status = MigrateInTransaction(db, migrations, now);
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok()) (void)db.Exec("ROLLBACK");
  return status;
}

Result<int> SchemaVersion(Connection& db) {
  ASSIGN_OR_RETURN(bool has_table, HasMigrationsTable(db));
  if (!has_table) return 0;
  ASSIGN_OR_RETURN(int64_t version,
                   QueryInt(db, "SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(version);
}

}  // namespace wott::store::sqlite
