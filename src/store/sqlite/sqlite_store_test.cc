// SQLite-only behaviour: persistence, migrations, file mode, refusal of bad files, and
// several Store objects (as several processes would) sharing one database file.
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "store/migrations/sqlite_migrations.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrate.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

constexpr int kLatestVersion = std::size(kSqliteMigrations);

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  std::string DbPath() const { return (dir_.path() / "registry.db").string(); }
  Result<std::unique_ptr<Store>> Open() { return OpenStore("sqlite:" + DbPath()); }

  // A raw connection to the database file, bypassing the store.
  std::unique_ptr<sqlite::Connection> Raw() {
    Result<std::unique_ptr<sqlite::Connection>> db = sqlite::Connection::Open(DbPath(), 1000);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  int64_t QueryInt(sqlite::Connection& db, const std::string& sql) {
    Result<sqlite::Statement> stmt = db.PrepareUncached(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status();
    if (!stmt.ok()) return -1;
    Result<bool> row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return row.ok() && *row ? stmt->Int(0) : -1;
  }

  void WriteFile(const std::string& bytes) {
    std::ofstream out(DbPath(), std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, ReopenKeepsEverything) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
    ASSERT_OK(store->CreateEnrollmentToken(TokenFor("tok1", 2, hours(24), {{"site", "lab"}}), kT0));
    ASSERT_OK(
        store->EnrollDevice("hash-tok1", DeviceFor(1), CertFor("01", DeviceIdFor(1)), "rec", kT0));
    ASSERT_OK(store->RevokeCertificate("01", RevocationReason::kSuperseded, "cli", kT0));
    ASSERT_OK_AND_ASSIGN(int64_t crl, store->NextCrlNumber());
    EXPECT_EQ(crl, 1);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store->GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(device.tags, (Tags{{"site", "lab"}}));
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord token, store->GetEnrollmentToken("tok1"));
  EXPECT_EQ(token.uses_left, 1);
  ASSERT_OK_AND_ASSIGN(auto crl_entries, store->ListRevokedCertificates(kT0));
  ASSERT_EQ(crl_entries.size(), 1u);
  EXPECT_EQ(crl_entries[0].reason, RevocationReason::kSuperseded);
  ASSERT_OK_AND_ASSIGN(int64_t next, store->NextCrlNumber());
  EXPECT_EQ(next, 2);  // the counter survives restarts
  ASSERT_OK_AND_ASSIGN(auto events, store->ListEvents({}));
  EXPECT_EQ(events.size(), 3u);
}

TEST_F(SqliteStoreTest, MigrationsRunOnceAndAreRecorded) {
  ASSERT_OK(Open());
  ASSERT_OK(Open());  // a second open finds nothing to do
  auto db = Raw();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM schema_migrations"), kLatestVersion);
  ASSERT_OK_AND_ASSIGN(int version, sqlite::SchemaVersion(*db));
  EXPECT_EQ(version, kLatestVersion);
  EXPECT_OK(sqlite::Migrate(*db, kSqliteMigrations, kT0));
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM schema_migrations"), kLatestVersion);
  EXPECT_EQ(QueryInt(*db, "SELECT value FROM counters WHERE name = 'crl_number'"), 0);
}

TEST_F(SqliteStoreTest, EmbeddedMigrationsAreNumberedFromOne) {
  ASSERT_GE(kLatestVersion, 1);
  for (int i = 0; i < kLatestVersion; ++i) {
    EXPECT_EQ(kSqliteMigrations[i].version, i + 1);
    EXPECT_FALSE(kSqliteMigrations[i].sql.empty());
  }
  EXPECT_EQ(kSqliteMigrations[0].name, "0001_init");
}

TEST_F(SqliteStoreTest, FailingMigrationRollsBackEveryStep) {
  WriteFile("");
  auto db = Raw();
  ASSERT_NE(db, nullptr);
  const Migration migrations[] = {
      {1, "0001_ok", "CREATE TABLE a (x INTEGER);"},
      {2, "0002_broken", "CREATE TABLE b (x INTEGER); THIS IS NOT SQL;"},
  };
  Status status = sqlite::Migrate(*db, migrations, kT0);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("0002_broken"), std::string::npos) << status;
  EXPECT_EQ(status.message().find("syntax"), std::string::npos) << "SQL text leaked: " << status;
  EXPECT_NE(status.detail().find("syntax"), std::string::npos) << status;
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')"), 0);
  ASSERT_OK_AND_ASSIGN(int version, sqlite::SchemaVersion(*db));
  EXPECT_EQ(version, 0);
  // Only the good one: applies.
  ASSERT_OK(sqlite::Migrate(*db, std::span(migrations, 1), kT0));
  ASSERT_OK_AND_ASSIGN(version, sqlite::SchemaVersion(*db));
  EXPECT_EQ(version, 1);
}

TEST_F(SqliteStoreTest, RefusesDatabaseFromANewerVersion) {
  ASSERT_OK(Open());
  {
    auto db = Raw();
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                       std::to_string(kLatestVersion + 1) + ", '9999_future', 0)"));
  }
  Result<std::unique_ptr<Store>> store = Open();
  EXPECT_EQ(CODE_OF(store), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer than this binary"), std::string::npos)
      << store.status();
}

TEST_F(SqliteStoreTest, CreatesTheDatabaseOwnerOnly) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(store->CreateEnrollmentToken(TokenFor("tok1"), kT0));  // makes the WAL file exist
  for (const std::string& path : {DbPath(), DbPath() + "-wal", DbPath() + "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << path;
  }
}

TEST_F(SqliteStoreTest, TightensALooseExistingFile) {
  WriteFile("");
  ASSERT_EQ(::chmod(DbPath().c_str(), 0644), 0);
  ASSERT_OK(Open());
  struct stat st {};
  ASSERT_EQ(::stat(DbPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteStoreTest, RefusesACorruptFileClearly) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>('A' + i % 26);
  WriteFile(garbage);
  Result<std::unique_ptr<Store>> store = Open();
  EXPECT_EQ(CODE_OF(store), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("corrupt or not a SQLite database"), std::string::npos)
      << store.status();
  EXPECT_NE(store.status().message().find(DbPath()), std::string::npos);
  EXPECT_FALSE(store.status().detail().empty());
  // The file is left alone.
  std::ifstream in(DbPath(), std::ios::binary);
  std::string after((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(after, garbage);
}

TEST_F(SqliteStoreTest, RefusesAnotherApplicationsDatabase) {
  WriteFile("");
  {
    auto db = Raw();
    ASSERT_NE(db, nullptr);
    ASSERT_OK(db->Exec("CREATE TABLE photos (id INTEGER PRIMARY KEY)"));
  }
  Result<std::unique_ptr<Store>> store = Open();
  EXPECT_EQ(CODE_OF(store), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("another application"), std::string::npos);
}

TEST_F(SqliteStoreTest, RefusesMissingDirectoryAndDirectories) {
  Result<std::unique_ptr<Store>> missing =
      OpenStore("sqlite:" + (dir_.path() / "no-such-dir" / "registry.db").string());
  EXPECT_EQ(CODE_OF(missing), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("data directory"), std::string::npos);
  EXPECT_FALSE(OpenStore("sqlite:" + dir_.path().string()).ok());
  EXPECT_OK(Open());  // and a proper path works
}

TEST_F(SqliteStoreTest, EventLogIsAppendOnlyInTheDatabase) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
    ASSERT_OK(store->AppendEvent({0, kT0, "cli", "x", "", ""}));
  }
  auto db = Raw();
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(db->Exec("UPDATE events SET actor = 'mallory'").ok());
  EXPECT_FALSE(db->Exec("DELETE FROM events").ok());
  EXPECT_EQ(QueryInt(*db, "SELECT count(*) FROM events WHERE actor = 'cli'"), 1);
  // Ordinary tables are writable through the same connection (the refusal is the trigger).
  EXPECT_OK(db->Exec("UPDATE counters SET value = value"));
}

TEST_F(SqliteStoreTest, SerialsAreUniqueByConstraint) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(store->CreateEnrollmentToken(TokenFor("tok1"), kT0));
  ASSERT_OK(store->EnrollDevice("hash-tok1", DeviceFor(1), CertFor("01", DeviceIdFor(1)), "", kT0));
  auto db = Raw();
  ASSERT_NE(db, nullptr);
  Status dup = db->Exec(
      "INSERT INTO certificates (serial, device_id, not_before, not_after, fingerprint, "
      "issued_at) VALUES ('01', '" +
      DeviceIdFor(1) + "', 1, 2, 'f', 3)");
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists) << dup;
}

// Two Store objects on one file stand in for two server processes: the token's uses still
// hold, via SQLite's file lock and busy_timeout.
TEST_F(SqliteStoreTest, TwoStoresOnOneFileShareTheTokenLimit) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> a, Open());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> b, Open());
  ASSERT_OK(a->CreateEnrollmentToken(TokenFor("tok1", 10), kT0));
  std::atomic<int> ok{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 1; i <= 30; ++i) {
    Store* store = i % 2 ? a.get() : b.get();
    threads.emplace_back([&, store, i] {
      Result<DeviceRecord> r = store->EnrollDevice(
          "hash-tok1", DeviceFor(i), CertFor("c" + std::to_string(i), DeviceIdFor(i)), "", kT0);
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == StatusCode::kPermissionDenied) {
        ++refused;
      } else {
        ++other;
        ADD_FAILURE() << r.status();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(refused.load(), 20);
  EXPECT_EQ(other.load(), 0);
  ASSERT_OK_AND_ASSIGN(DevicePage page, b->ListDevices({}, {}, {}));
  EXPECT_EQ(page.total, 10);
}

}  // namespace
}  // namespace wott::store
