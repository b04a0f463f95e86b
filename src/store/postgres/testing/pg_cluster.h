// A throwaway PostgreSQL cluster for tests: started on first use (initdb + pg_ctl on
// 127.0.0.1 and a free port, as the `postgres` user when the test runs as root, since initdb
// refuses root), stopped and deleted when the test binary ends (a gtest Environment).
// Each caller gets a fresh, empty database. Never touches the machine's own cluster.
// Test-only. Thread-safe.
#ifndef WOTT_STORE_POSTGRES_TESTING_PG_CLUSTER_H_
#define WOTT_STORE_POSTGRES_TESTING_PG_CLUSTER_H_

#include <string>

#include "base/result.h"

namespace wott::store::testing {

// postgres://postgres@127.0.0.1:PORT/wott_test_N for a new empty database. Starts the
// cluster the first time. kFailedPrecondition with a message saying what to install when
// the PostgreSQL server binaries are missing (tests must fail, not skip: CI installs them),
// kInternal when the cluster does not start (the detail has the server log's tail).
Result<std::string> NewPostgresDatabaseUrl();

// Runs `sql` (one or more statements, outside any transaction) on the database at `url`,
// e.g. to plant another application's table.
Status ExecPostgresSql(const std::string& url, const std::string& sql);

}  // namespace wott::store::testing

#endif  // WOTT_STORE_POSTGRES_TESTING_PG_CLUSTER_H_
