// The PostgreSQL registry backend: several wott-server replicas share one database. Selected
// by OpenStore("postgres://..." or "postgresql://..."); this header is the backend's own
// entry points (no libpqxx in it).
//
// Concurrency across processes: write transactions run at READ COMMITTED and lock the rows
// they decide on (SELECT ... FOR UPDATE on the device, FOR SHARE on the presented
// certificate; an enrollment takes one use with a conditional UPDATE of its token row, as its
// last statement), so a token's uses are never exceeded and a revocation is never overtaken
// by a renewal, whichever replica serves each request. Serials, device IDs and
// recovery hashes are unique by constraint. Serialization failures and deadlocks are retried
// a bounded number of times. Thread-safe.
#ifndef WOTT_STORE_POSTGRES_POSTGRES_STORE_H_
#define WOTT_STORE_POSTGRES_POSTGRES_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/registry_dump.h"
#include "store/store.h"

namespace wott::store {

// Connects to the database named by `url` (a libpq URL, postgres://user:pass@host:port/db
// ?sslmode=...) and migrates it to this binary's schema under a transaction-scoped advisory
// lock, so replicas starting together apply each migration once. A database with a newer
// schema, or with other tables and no wott schema, is refused with kFailedPrecondition.
// kUnavailable when the server cannot be reached. The pool holds up to
// options.max_readers + 4 connections; a request waits up to options.busy_timeout_ms for one.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const OpenOptions& options);

// `url` with any password replaced by "***" (for logs and error messages).
std::string RedactDatabaseUrl(std::string_view url);

// Loads `dump` into the (migrated) PostgreSQL registry at `url` in one transaction: all or
// nothing. kFailedPrecondition when the registry already holds any token, device or event.
// Validates every record first (kInvalidArgument naming the record).
Status ImportRegistryIntoPostgres(const std::string& url, const RegistryDump& dump,
                                  const OpenOptions& options);

}  // namespace wott::store

#endif  // WOTT_STORE_POSTGRES_POSTGRES_STORE_H_
