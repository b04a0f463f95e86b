// PostgreSQL-specific tests: what the conformance suite cannot show with one Store object —
// several stores (as several replicas) on one database, migrations applied once, refusal of
// foreign databases, password redaction, and db import (all or nothing, empty target only;
// users, policy requirements and postures move, sessions and package lists do not).
#include "store/postgres/postgres_store.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "store/postgres/pg_db.h"
#include "store/postgres/testing/pg_cluster.h"
#include "store/registry_dump.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

TEST(RedactDatabaseUrlTest, HidesPasswordsOnly) {
  EXPECT_EQ(RedactDatabaseUrl("postgres://wott:s3cret@db.example:5432/wott?sslmode=require"),
            "postgres://wott:***@db.example:5432/wott?sslmode=require");
  EXPECT_EQ(RedactDatabaseUrl("postgresql://db/wott?user=a&password=s3cret&sslmode=require"),
            "postgresql://db/wott?user=a&password=***&sslmode=require");
  // Nothing secret: unchanged.
  EXPECT_EQ(RedactDatabaseUrl("postgres://wott@db:5432/wott"), "postgres://wott@db:5432/wott");
  EXPECT_EQ(RedactDatabaseUrl("postgres://db/wott"), "postgres://db/wott");
}

TEST(PostgresStoreTest, ReplicasStartingTogetherMigrateOnce) {
  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  std::vector<std::thread> threads;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (OpenStore(url).ok()) ++opened;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(opened.load(), 4);
  // The schema works (one set of tables, one counter row) from any of them.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(int64_t crl, store->NextCrlNumber());
  EXPECT_EQ(crl, 1);
}

TEST(PostgresStoreTest, TokenRacedAcrossReplicasNeverExceedsItsUses) {
  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> a, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> b, OpenStore(url));
  ASSERT_OK(a->CreateEnrollmentToken(TokenFor("race", 5), kT0));
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      Store& s = i % 2 == 0 ? *a : *b;
      Result<DeviceRecord> r = s.EnrollDevice(
          "hash-race", DeviceFor(i), CertFor("c0" + std::to_string(i), DeviceIdFor(i)), "", kT0);
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == StatusCode::kPermissionDenied) {
        ++refused;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(refused.load(), 15);
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord token, b->GetEnrollmentToken("race"));
  EXPECT_EQ(token.uses_left, 0);
  ASSERT_OK_AND_ASSIGN(DevicePage page, b->ListDevices({}, {}, {0, 100}));
  EXPECT_EQ(page.total, 5);
}

TEST(PostgresStoreTest, RevocationOnOneReplicaStopsRenewalOnTheOther) {
  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> a, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> b, OpenStore(url));
  ASSERT_OK(a->CreateEnrollmentToken(TokenFor("tok", 2), kT0));
  ASSERT_OK(a->EnrollDevice("hash-tok", DeviceFor(1), CertFor("a1", DeviceIdFor(1)), "", kT0));
  ASSERT_OK(a->EnrollDevice("hash-tok", DeviceFor(2), CertFor("a2", DeviceIdFor(2)), "", kT0));
  // Renewing on b works before the revocation (the refusal below is not a generic failure).
  ASSERT_OK(b->RenewDevice(DeviceIdFor(2), "a2", CertFor("b2", DeviceIdFor(2)), "", kT0));
  ASSERT_OK(a->RevokeDevice(DeviceIdFor(1), RevocationReason::kKeyCompromise, "cli", kT0));
  EXPECT_EQ(CODE_OF(b->RenewDevice(DeviceIdFor(1), "a1", CertFor("b1", DeviceIdFor(1)), "", kT0)),
            StatusCode::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(std::vector<RevokedCertificate> revoked, b->ListRevokedCertificates(kT0));
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].serial, "a1");
}

TEST(PostgresStoreTest, RecoversWhenTheServerDropsItsConnections) {
  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, OpenStore(url));
  ASSERT_OK(store->CreateEnrollmentToken(TokenFor("tok", 100), kT0));
  // Fill the pool with idle connections, then have the server end every one of them.
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] { (void)store->GetEnrollmentToken("tok"); });
  }
  for (std::thread& t : threads) t.join();
  for (int round = 0; round < 3; ++round) {
    ASSERT_OK(ExecPostgresSql(url,
                              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    // More operations than the pool has slots: each dead connection is dropped (its slot
    // freed) and the operation retried on a new one.
    for (int i = 0; i < 12; ++i) {
      int n = round * 12 + i;
      ASSERT_OK(store->EnrollDevice("hash-tok", DeviceFor(n),
                                    CertFor("d" + std::to_string(n), DeviceIdFor(n)), "", kT0));
    }
  }
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord token, store->GetEnrollmentToken("tok"));
  EXPECT_EQ(token.uses_left, 100 - 36);
}

// A pool full of connections the server has ended (a restart, a failover): one call drops
// them all and succeeds. It failed whenever the pool held as many dead connections as a
// call has attempts (8): the flaky RecoversWhenTheServerDropsItsConnections, made certain.
TEST(PostgresPoolTest, ACallDrainsAPoolOfDeadConnections) {
  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  postgres::Pool pool(url, 12, std::chrono::seconds(5));
  {
    std::vector<postgres::Pool::Lease> leases;
    leases.reserve(12);
    for (int i = 0; i < 12; ++i) {
      Result<postgres::Pool::Lease> lease = pool.Acquire();
      ASSERT_OK(lease);
      leases.push_back(std::move(*lease));
    }
  }  // all 12 back in the pool, idle
  ASSERT_OK(ExecPostgresSql(url,
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
  int64_t answer = 0;
  ASSERT_OK(postgres::RunTx(pool, postgres::TxKind::kSingle, [&](pqxx::transaction_base& tx) {
    answer = postgres::Exec(tx, "SELECT 41 + 1")[0][0].as<int64_t>();
    return Status::Ok();
  }));
  EXPECT_EQ(answer, 42);
}

TEST(PostgresStoreTest, RefusesAnotherApplicationsDatabaseOrANewerSchema) {
  ASSERT_OK_AND_ASSIGN(std::string foreign, NewPostgresDatabaseUrl());
  ASSERT_OK(ExecPostgresSql(foreign, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)"));
  Result<std::unique_ptr<Store>> r = OpenStore(foreign);
  EXPECT_EQ(CODE_OF(r), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("another application"), std::string::npos);

  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  ASSERT_OK(OpenStore(url));  // an empty database is accepted and migrated
  ASSERT_OK(ExecPostgresSql(url, "INSERT INTO schema_migrations VALUES (999, '0999_x', 0)"));
  r = OpenStore(url);
  EXPECT_EQ(CODE_OF(r), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("newer"), std::string::npos);

  // A database that does not exist is unavailable, with a clear message.
  r = OpenStore(url.substr(0, url.rfind('/')) + "/no_such_db");
  EXPECT_EQ(CODE_OF(r), StatusCode::kUnavailable);
  EXPECT_FALSE(r.status().message().empty());
}

// A registry with a little of everything, in `store`.
void Populate(Store& store) {
  ASSERT_OK(store.CreateEnrollmentToken(TokenFor("tok", 5, hours(24), {{"site", "paris"}}), kT0));
  ASSERT_OK(store.CreateEnrollmentToken(TokenFor("old", 1), kT0));
  ASSERT_OK(store.RevokeEnrollmentToken("old", "cli", kT0));
  NewApiToken api{"adm", "admin", "api-hash", std::nullopt, "cli"};
  ASSERT_OK(store.CreateApiToken(api, kT0));
  for (int n = 1; n <= 3; ++n) {
    ASSERT_OK(store.EnrollDevice("hash-tok", DeviceFor(n),
                                 CertFor("e" + std::to_string(n), DeviceIdFor(n)),
                                 "rec-" + std::to_string(n), kT0));
  }
  // Device 1 holds two recovery hashes: "rec-1b" (current) and "rec-1" (previous).
  ASSERT_OK(store.RenewDevice(DeviceIdFor(1), "e1", CertFor("f1", DeviceIdFor(1)), "rec-1b",
                              kT0 + hours(1)));
  ASSERT_OK(store.SetMetadata(DeviceIdFor(1), {{"model", "pi4"}}, "cli", kT0));
  ASSERT_OK(store.TouchLastSeen(DeviceIdFor(1), kT0 + hours(2), {"0.1", "Debian", "h1", 42}));
  ASSERT_OK(store.RevokeDevice(DeviceIdFor(2), RevocationReason::kKeyCompromise, "cli", kT0));
  ASSERT_OK(store.DeleteDevice(DeviceIdFor(3), "cli", kT0));
}

TEST(PostgresImportTest, CopiesEveryRecordFromSqlite) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> sqlite,
                       OpenStore("sqlite:" + (dir.path() / "r.db").string()));
  Populate(*sqlite);
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(RegistryDump dump, DumpRegistry(*sqlite, kT0));
  EXPECT_EQ(dump.devices.size(), 3u);
  EXPECT_EQ(dump.certificates.size(), 4u);

  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  ASSERT_OK(ImportRegistryIntoPostgres(url, dump, {}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> pg, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(RegistryDump copy, DumpRegistry(*pg, kT0));
  ASSERT_EQ(copy.devices.size(), dump.devices.size());
  for (size_t i = 0; i < dump.devices.size(); ++i) {
    const DeviceRecord& x = dump.devices[i];
    const DeviceRecord& y = copy.devices[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.status, y.status);
    EXPECT_EQ(x.tags, y.tags);
    EXPECT_EQ(x.metadata, y.metadata);
    EXPECT_EQ(x.current_serial, y.current_serial);
    EXPECT_EQ(x.last_seen, y.last_seen);
    EXPECT_EQ(x.agent.hostname, y.agent.hostname);
    EXPECT_EQ(x.revocation_reason, y.revocation_reason);
    EXPECT_EQ(x.recovery_token_hash, y.recovery_token_hash);
    EXPECT_EQ(x.previous_recovery_token_hash, y.previous_recovery_token_hash);
  }
  EXPECT_EQ(dump.devices[0].recovery_token_hash, "rec-1b");
  EXPECT_EQ(dump.devices[0].previous_recovery_token_hash, "rec-1");
  ASSERT_EQ(copy.certificates.size(), dump.certificates.size());
  for (size_t i = 0; i < dump.certificates.size(); ++i) {
    EXPECT_EQ(copy.certificates[i].serial, dump.certificates[i].serial);
    EXPECT_EQ(copy.certificates[i].revoked_at, dump.certificates[i].revoked_at);
    EXPECT_EQ(copy.certificates[i].issued_at, dump.certificates[i].issued_at);
  }
  EXPECT_EQ(copy.enrollment_tokens.size(), 2u);
  EXPECT_EQ(copy.api_tokens.size(), 1u);
  ASSERT_EQ(copy.events.size(), dump.events.size());
  EXPECT_EQ(copy.events.back().id, dump.events.back().id);
  // CRL numbers continue after the ones the old registry handed out.
  EXPECT_GT(copy.crl_number, dump.crl_number);
  // A moved device that expires while offline still recovers, with either token.
  const TimePoint expired = kT0 + hours(24 * 7) + hours(1);
  ASSERT_OK_AND_ASSIGN(DeviceRecord found, pg->FindDeviceByRecoveryToken("rec-1b"));
  EXPECT_EQ(found.id, DeviceIdFor(1));
  ASSERT_OK(pg->RecoverDevice("rec-1", CertFor("a1", DeviceIdFor(1), expired), "rec-1c", hours(24),
                              expired));
  // The revoked and the deleted device took no recovery hash along.
  EXPECT_EQ(CODE_OF(pg->FindDeviceByRecoveryToken("rec-2")), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(pg->FindDeviceByRecoveryToken("rec-3")), StatusCode::kUnauthenticated);
  // The imported registry works: the token has uses left, new events get new ids.
  ASSERT_OK(pg->EnrollDevice("hash-tok", DeviceFor(9), CertFor("99", DeviceIdFor(9)), "", kT0));
  ASSERT_OK_AND_ASSIGN(std::vector<Event> newest, pg->ListEvents({std::nullopt, 0, 1}));
  EXPECT_GT(newest[0].id, copy.events.back().id);
}

TEST(PostgresImportTest, RefusesANonEmptyTargetAndBadDumpsWithoutWriting) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> memory, OpenStore("memory:"));
  Populate(*memory);
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(RegistryDump dump, DumpRegistry(*memory, kT0));

  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  // A dump whose certificate names an unknown device is refused before anything is written.
  RegistryDump broken = dump;
  broken.certificates.push_back(CertFor("dd", DeviceIdFor(77)));
  EXPECT_EQ(CODE_OF(ImportRegistryIntoPostgres(url, broken, {})), StatusCode::kInvalidArgument);
  // So is one where two devices hold one recovery hash (current of one, previous of another).
  RegistryDump shared = dump;
  ASSERT_EQ(shared.devices[0].previous_recovery_token_hash, "rec-1");
  shared.devices[1].recovery_token_hash = "rec-1";
  EXPECT_EQ(CODE_OF(ImportRegistryIntoPostgres(url, shared, {})), StatusCode::kInvalidArgument);
  // A dump that fails half-way in the database (two tokens with one hash) leaves nothing.
  RegistryDump clash = dump;
  clash.enrollment_tokens.push_back(clash.enrollment_tokens[0]);
  clash.enrollment_tokens.back().id = "other";
  EXPECT_FALSE(ImportRegistryIntoPostgres(url, clash, {}).ok());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> pg, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(DevicePage none, pg->ListDevices({}, {}, {0, 10}));
  EXPECT_EQ(none.total, 0);
  // The good dump goes in once; a second import is refused.
  ASSERT_OK(ImportRegistryIntoPostgres(url, dump, {}));
  Status again = ImportRegistryIntoPostgres(url, dump, {});
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(DevicePage all, pg->ListDevices({}, {}, {0, 10}));
  EXPECT_EQ(all.total, 3);
}

TEST(PostgresImportTest, CarriesTrustPoliciesWithTheirVersions) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> sqlite,
                       OpenStore("sqlite:" + (dir.path() / "r.db").string()));
  ASSERT_OK(sqlite->CreateEnrollmentToken(TokenFor("tok", 5, hours(24), {{"env", "prod"}}), kT0));
  ASSERT_OK(sqlite->EnrollDevice("hash-tok", DeviceFor(1), CertFor("01", DeviceIdFor(1)), "", kT0));
  NewPolicy web{"web", "the web app", {DeviceIdFor(2), DeviceIdFor(1)}, {"env=prod", "a=b"}};
  ASSERT_OK(sqlite->PutPolicy(web, "cli", kT0));
  ASSERT_OK(sqlite->PutPolicy(web, "admin:x", kT0 + hours(1)));  // version 2
  ASSERT_OK(sqlite->PutPolicy({"empty", "", {}, {}}, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(RegistryDump dump, DumpRegistry(*sqlite, kT0));
  ASSERT_EQ(dump.policies.size(), 2u);

  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  // A bad policy in the dump is refused before anything is written.
  RegistryDump broken = dump;
  broken.policies[0].allow_tags.push_back("no-equals-sign");
  EXPECT_EQ(CODE_OF(ImportRegistryIntoPostgres(url, broken, {})), StatusCode::kInvalidArgument);
  ASSERT_OK(ImportRegistryIntoPostgres(url, dump, {}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> pg, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(PolicyRecord copy, pg->GetPolicy("web"));
  ASSERT_OK_AND_ASSIGN(PolicyRecord original, sqlite->GetPolicy("web"));
  EXPECT_EQ(copy.version, 2);
  EXPECT_EQ(copy.description, original.description);
  EXPECT_EQ(copy.allow_devices, original.allow_devices);
  EXPECT_EQ(copy.allow_tags, original.allow_tags);
  EXPECT_EQ(copy.updated_at, original.updated_at);
  EXPECT_EQ(copy.updated_by, "admin:x");
  ASSERT_OK_AND_ASSIGN(ResolvedPolicy resolved, pg->ResolvePolicy("web"));
  EXPECT_EQ(resolved.allowed_devices, (std::vector<std::string>{DeviceFor(1).name}));
  // The next change continues the version.
  ASSERT_OK_AND_ASSIGN(PolicyRecord next, pg->PutPolicy(web, "cli", kT0 + hours(2)));
  EXPECT_EQ(next.version, 3);
  ASSERT_OK_AND_ASSIGN(std::vector<PolicyRecord> all, pg->ListPolicies());
  EXPECT_EQ(all.size(), 2u);
}

// A SQLite registry with dashboard users (one with a session), a policy with posture
// requirements and devices with postures: device 1 scores 30, device 2 scores 90, device 3
// reported only a package list.
void PopulateAccountsAndPosture(Store& store) {
  ASSERT_OK(store.CreateEnrollmentToken(TokenFor("tok", 5, hours(24), {{"env", "prod"}}), kT0));
  for (int n = 1; n <= 3; ++n) {
    ASSERT_OK(store.EnrollDevice("hash-tok", DeviceFor(n),
                                 CertFor("0" + std::to_string(n), DeviceIdFor(n)), "", kT0));
  }
  ASSERT_OK(
      store.CreateUser({"alice", "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA"}, "cli", kT0));
  ASSERT_OK(store.CreateUser({"bob", "$argon2id$bob-1"}, "cli", kT0));
  ASSERT_OK(store.SetUserPassword("bob", "$argon2id$bob-2", "cli", kT0 + hours(1)));
  ASSERT_OK(store.CreateSession({"sh-alice", "alice", "csrf", kT0 + hours(12), "127.0.0.1"},
                                kT0 + hours(2)));
  NewPolicy web{"web", "", {}, {"env=prod"}};
  web.min_trust_score = 60;
  web.deny_fixable_severity = "high";
  ASSERT_OK(store.PutPolicy(web, "cli", kT0));
  for (int n = 1; n <= 2; ++n) {
    PostureUpdate u;
    u.host_audit_json = R"({"firewall":false})";
    u.inventory = InventorySnapshot{std::string(64, 'a'),      "debian", "bookworm", 1,
                                    R"([{"name":"openssl"}])", kT0};
    u.findings = FindingsSnapshot{std::string(64, 'a'), "gen-1", "[]", kT0};
    u.score = TrustScoreSnapshot{n == 1 ? 50 : 90, "[]", kT0};
    ASSERT_OK(store.UpdatePosture(DeviceIdFor(n), u, kT0));
  }
  PostureUpdate only_packages;  // device 3: nothing left to move without its package list
  only_packages.inventory =
      InventorySnapshot{std::string(64, 'b'), "debian", "bookworm", 1, R"([{"name":"zlib"}])", kT0};
  ASSERT_OK(store.UpdatePosture(DeviceIdFor(3), only_packages, kT0));
  PostureUpdate lower;  // a second history row for device 1
  lower.score = TrustScoreSnapshot{30, R"([{"factor":"firewall","points":-70}])", kT0 + hours(3)};
  ASSERT_OK(store.UpdatePosture(DeviceIdFor(1), lower, kT0 + hours(3)));
}

TEST(PostgresImportTest, CarriesUsersPolicyRequirementsAndPostures) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> sqlite,
                       OpenStore("sqlite:" + (dir.path() / "r.db").string()));
  PopulateAccountsAndPosture(*sqlite);
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(RegistryDump dump, DumpRegistry(*sqlite, kT0));
  ASSERT_EQ(dump.users.size(), 2u);
  ASSERT_EQ(dump.postures.size(), 2u);  // not device 3's: package lists never move
  EXPECT_FALSE(dump.postures[0].posture.inventory);

  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());
  ASSERT_OK(ImportRegistryIntoPostgres(url, dump, {}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> pg, OpenStore(url));

  // Users keep their hashes and times: the same password verifies against the same hash.
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> before, sqlite->ListUsers());
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> after, pg->ListUsers());
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].name, before[i].name);
    EXPECT_EQ(after[i].password_hash, before[i].password_hash);
    EXPECT_EQ(after[i].created_at, before[i].created_at);
    EXPECT_EQ(after[i].password_changed_at, before[i].password_changed_at);
  }
  EXPECT_EQ(after[1].password_hash, "$argon2id$bob-2");
  EXPECT_EQ(after[1].password_changed_at, kT0 + hours(1));
  // Sessions do not move: alice logs in again, and can.
  ASSERT_OK(sqlite->FindSession("sh-alice", kT0 + hours(2)));
  EXPECT_EQ(CODE_OF(pg->FindSession("sh-alice", kT0 + hours(2))), StatusCode::kUnauthenticated);
  ASSERT_OK(pg->CreateSession({"sh-new", "alice", "csrf", kT0 + hours(12), ""}, kT0 + hours(2)));

  // The policy keeps its requirements, and the moved scores keep device 1 below them.
  ASSERT_OK_AND_ASSIGN(PolicyRecord web, pg->GetPolicy("web"));
  EXPECT_EQ(web.min_trust_score, std::optional<int>(60));
  EXPECT_EQ(web.deny_fixable_severity, "high");
  ASSERT_OK_AND_ASSIGN(std::vector<DevicePosture> postures, pg->ListPostures({}));
  ASSERT_EQ(postures.size(), 2u);
  ASSERT_TRUE(postures[0].score && postures[1].score);
  EXPECT_EQ(postures[0].device_id, DeviceIdFor(1));
  EXPECT_LT(postures[0].score->score, *web.min_trust_score);
  EXPECT_GE(postures[1].score->score, *web.min_trust_score);
  EXPECT_EQ(postures[0].score->factors_json, R"([{"factor":"firewall","points":-70}])");
  EXPECT_EQ(postures[0].score->computed_at, kT0 + hours(3));
  EXPECT_EQ(postures[0].host_audit_json, std::optional<std::string>(R"({"firewall":false})"));
  EXPECT_EQ(postures[0].host_audit_at, std::optional<TimePoint>(kT0));
  ASSERT_TRUE(postures[0].findings);
  EXPECT_EQ(postures[0].findings->vulndb_generation, "gen-1");
  EXPECT_EQ(postures[0].findings->inventory_hash, std::string(64, 'a'));
  // No package list: the server asks the agent for it at its next heartbeat.
  ASSERT_OK_AND_ASSIGN(DevicePosture full, pg->GetPosture(DeviceIdFor(1), true));
  EXPECT_FALSE(full.inventory);
  ASSERT_OK_AND_ASSIGN(std::vector<TrustScorePoint> history,
                       pg->ListTrustScores(DeviceIdFor(1), 10));
  ASSERT_OK_AND_ASSIGN(std::vector<TrustScorePoint> old,
                       sqlite->ListTrustScores(DeviceIdFor(1), 10));
  ASSERT_EQ(history.size(), 2u);
  ASSERT_EQ(old.size(), 2u);
  for (size_t i = 0; i < old.size(); ++i) {
    EXPECT_EQ(history[i].at, old[i].at);
    EXPECT_EQ(history[i].score, old[i].score);
  }
  // The moved registry keeps recording posture.
  PostureUpdate better;
  better.score = TrustScoreSnapshot{80, "[]", kT0 + hours(4)};
  ASSERT_OK(pg->UpdatePosture(DeviceIdFor(1), better, kT0 + hours(4)));
  ASSERT_OK_AND_ASSIGN(history, pg->ListTrustScores(DeviceIdFor(1), 10));
  EXPECT_EQ(history.size(), 3u);
}

TEST(PostgresImportTest, RefusesBadUsersAndPosturesWithoutWriting) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> memory, OpenStore("memory:"));
  PopulateAccountsAndPosture(*memory);
  if (HasFatalFailure()) return;
  ASSERT_OK_AND_ASSIGN(RegistryDump dump, DumpRegistry(*memory, kT0));
  ASSERT_EQ(dump.users.size(), 2u);
  ASSERT_EQ(dump.postures.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::string url, NewPostgresDatabaseUrl());

  std::vector<std::pair<std::string, RegistryDump>> bad;
  bad.emplace_back("empty hash", dump).second.users[0].password_hash = "";
  bad.emplace_back("bad user name", dump).second.users[0].name = "Alice";
  bad.emplace_back("user twice", dump).second.users[1].name = "alice";
  bad.emplace_back("score over 100", dump).second.policies[0].min_trust_score = 101;
  bad.emplace_back("unknown severity", dump).second.policies[0].deny_fixable_severity = "low";
  bad.emplace_back("unknown device", dump).second.postures[0].posture.device_id = DeviceIdFor(7);
  bad.emplace_back("posture twice", dump).second.postures[1] = dump.postures[0];
  bad.emplace_back("posture score", dump).second.postures[0].posture.score->score = -1;
  bad.emplace_back("history score", dump).second.postures[0].history[0].score = 101;
  bad.emplace_back("history time twice", dump).second.postures[0].history[1].at =
      dump.postures[0].history[0].at;
  bad.emplace_back("inventory", dump).second.postures[0].posture.inventory = InventorySnapshot{};
  for (const auto& [what, broken] : bad) {
    Status s = ImportRegistryIntoPostgres(url, broken, {});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << what << ": " << s.ToString();
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> pg, OpenStore(url));
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> none, pg->ListUsers());
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(DevicePage no_devices, pg->ListDevices({}, {}, {0, 10}));
  EXPECT_EQ(no_devices.total, 0);

  // An older dump (no users, no postures, no requirements) still imports.
  RegistryDump older = dump;
  older.users.clear();
  older.postures.clear();
  older.policies[0].min_trust_score.reset();
  older.policies[0].deny_fixable_severity.clear();
  ASSERT_OK(ImportRegistryIntoPostgres(url, older, {}));
  ASSERT_OK_AND_ASSIGN(none, pg->ListUsers());
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(PolicyRecord web, pg->GetPolicy("web"));
  EXPECT_FALSE(web.min_trust_score);
  // A registry that holds only a user is not empty: a second import is refused.
  ASSERT_OK_AND_ASSIGN(std::string url2, NewPostgresDatabaseUrl());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> pg2, OpenStore(url2));
  ASSERT_OK(pg2->CreateUser({"carol", "$argon2id$c"}, "cli", kT0));
  EXPECT_EQ(ImportRegistryIntoPostgres(url2, dump, {}).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace wott::store
