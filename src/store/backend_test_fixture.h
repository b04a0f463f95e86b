// EveryBackendTest: the fixture of the store's conformance suites. Parameterised by a backend
// name ("memory", "sqlite", "postgres"), it opens a fresh, empty Store of that backend before
// each test (SQLite in a temporary directory, PostgreSQL as a new database in the throwaway
// test cluster: it fails, never skips, when PostgreSQL is not installed). Test-only.
#ifndef WOTT_STORE_BACKEND_TEST_FIXTURE_H_
#define WOTT_STORE_BACKEND_TEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/postgres/testing/pg_cluster.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store::testing {

class EveryBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string dsn = "memory:";
    if (GetParam() == "sqlite") {
      ASSERT_FALSE(dir_.path().empty());
      dsn = "sqlite:" + (dir_.path() / "registry.db").string();
    }
    if (GetParam() == "postgres") {
      ASSERT_OK_AND_ASSIGN(dsn, NewPostgresDatabaseUrl());
    }
    ASSERT_OK_AND_ASSIGN(store_, OpenStore(dsn));
  }

  Store& store() { return *store_; }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace wott::store::testing

#endif  // WOTT_STORE_BACKEND_TEST_FIXTURE_H_
