// Migration: one numbered schema change, embedded in the binary at build time (see
// migrations/embed.cmake). Each SQL backend has its own numbered list in its own dialect,
// applied in order, each version once. Plain constant data; thread-safe.
#ifndef WOTT_STORE_MIGRATION_H_
#define WOTT_STORE_MIGRATION_H_

#include <string_view>

namespace wott::store {

struct Migration {
  int version;            // 1, 2, 3... without gaps
  std::string_view name;  // the file name without ".sql", e.g. "0001_init"
  std::string_view sql;   // one or more statements
};

}  // namespace wott::store

#endif  // WOTT_STORE_MIGRATION_H_
