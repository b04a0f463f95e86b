// The SQLite backend of store::Store: one database file in WAL mode. One writer connection
// runs every change in a BEGIN IMMEDIATE transaction (so other processes on the same file
// wait up to busy_timeout); concurrent changes share one transaction and one fsync (group
// commit, each in its own savepoint: see sqlite/group_commit.h); reads run on a small pool
// of reader connections, each in its own snapshot, concurrently with the writer.
// Thread-safe: see store.h.
#ifndef WOTT_STORE_SQLITE_SQLITE_STORE_H_
#define WOTT_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "store/store.h"

namespace wott::store {

// Opens the registry at `path`, creating the file with mode 0600 when missing (and
// tightening a looser mode on an existing file), then migrates it to the embedded schema.
// kNotFound when the directory does not exist; kFailedPrecondition for a file that is not
// a SQLite database, holds another application's tables, or has a newer schema.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const OpenOptions& options);

}  // namespace wott::store

#endif  // WOTT_STORE_SQLITE_SQLITE_STORE_H_
