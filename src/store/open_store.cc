// OpenStore: picks a backend from the DSN's scheme.
#include <string>

#include "store/memory/memory_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace wott::store {

Result<std::unique_ptr<Store>> OpenStore(std::string_view dsn, const OpenOptions& options) {
  if (options.clock == nullptr) return InvalidArgument("store options need a clock");
  if (dsn == "memory:") return NewMemoryStore();
  constexpr std::string_view kSqlite = "sqlite:";
  if (dsn.starts_with(kSqlite)) {
    std::string path(dsn.substr(kSqlite.size()));
    if (path.empty())
      return InvalidArgument("sqlite: needs a file path, e.g. sqlite:/var/lib/wott/registry.db");
    return OpenSqliteStore(path, options);
  }
  if (dsn.starts_with("postgres://") || dsn.starts_with("postgresql://")) {
    return OpenPostgresStore(std::string(dsn), options);
  }
  // Never echo a DSN that may hold a password.
  return InvalidArgument("unknown registry database \"" + RedactDatabaseUrl(dsn.substr(0, 64)) +
                         "\" (expected sqlite:/path/registry.db, postgres://user@host/db or "
                         "memory:)");
}

}  // namespace wott::store
