// Schema migrations for the SQLite store: brings a database to the newest embedded schema
// version, recording each applied version in `schema_migrations`. Takes the database's
// write lock (BEGIN IMMEDIATE), so several processes opening one file at once apply each
// migration exactly once. Not thread-safe per Connection (see connection.h).
#ifndef WOTT_STORE_SQLITE_MIGRATE_H_
#define WOTT_STORE_SQLITE_MIGRATE_H_

#include <span>

#include "base/clock.h"
#include "base/result.h"
#include "store/migration.h"
#include "store/sqlite/connection.h"

namespace wott::store::sqlite {

// Applies, in one transaction and in order, every migration newer than the database's
// version; a failing migration rolls back all of them. Succeeds without change when the
// database is current. kFailedPrecondition when the database has a version newer than the
// newest of `migrations` (a newer binary wrote it), or when it holds other tables but no
// schema_migrations (it is not a wott registry).
// REQUIRES: `migrations` sorted by version, numbered 1, 2, 3...; `db` not in a transaction.
Status Migrate(Connection& db, std::span<const Migration> migrations, TimePoint now);

// The highest applied version, 0 for a database never migrated.
Result<int> SchemaVersion(Connection& db);

}  // namespace wott::store::sqlite

#endif  // WOTT_STORE_SQLITE_MIGRATE_H_
