// One conformance suite, run against every Store backend: each operation, each refusal,
// and the concurrency guarantees (a token's uses are never exceeded).
#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "store/backend_test_fixture.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace wott::store {
namespace {

using namespace wott::store::testing;  // NOLINT: test helpers

class StoreConformanceTest : public EveryBackendTest {
 protected:
  // Creates token `id` (hash "hash-<id>").
  Result<EnrollmentTokenRecord> MakeToken(const std::string& id, int64_t uses = 1, Tags tags = {}) {
    return store().CreateEnrollmentToken(TokenFor(id, uses, hours(24), std::move(tags)), kT0);
  }

  // Enrolls device `n` with the token of hash "hash-<token_id>" and certificate `serial`.
  Result<DeviceRecord> Enroll(const std::string& token_id, int n, const std::string& serial,
                              TimePoint now = kT0, const std::string& recovery = "") {
    return store().EnrollDevice("hash-" + token_id, DeviceFor(n),
                                CertFor(serial, DeviceIdFor(n), now), recovery, now);
  }

  int64_t UsesLeft(const std::string& token_id) {
    Result<EnrollmentTokenRecord> token = store().GetEnrollmentToken(token_id);
    return token.ok() ? token->uses_left : -1;
  }

  std::vector<std::string> Actions(std::optional<std::string> subject = std::nullopt) {
    EventQuery query;
    query.subject = std::move(subject);
    query.limit = kMaxPageLimit;
    Result<std::vector<Event>> events = store().ListEvents(query);
    std::vector<std::string> out;
    if (events.ok()) {
      for (auto it = events->rbegin(); it != events->rend(); ++it) out.push_back(it->action);
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// ---- Enrollment tokens ----

TEST_P(StoreConformanceTest, CreatesAndGetsEnrollmentToken) {
  NewEnrollmentToken in = TokenFor("tok1", 3, hours(24), {{"site", "paris"}, {"env", "prod"}});
  in.description = "lab devices";
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord created,
                       store().CreateEnrollmentToken(in, kT0 + std::chrono::milliseconds(700)));
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord got, store().GetEnrollmentToken("tok1"));
  for (const EnrollmentTokenRecord& t : {created, got}) {
    EXPECT_EQ(t.id, "tok1");
    EXPECT_EQ(t.token_hash, "hash-tok1");
    EXPECT_EQ(t.description, "lab devices");
    EXPECT_EQ(t.max_uses, 3);
    EXPECT_EQ(t.uses_left, 3);
    EXPECT_EQ(t.created_at, kT0);  // sub-second part dropped
    EXPECT_EQ(t.expires_at, kT0 + hours(24));
    EXPECT_FALSE(t.revoked_at);
    EXPECT_EQ(t.tags, (Tags{{"site", "paris"}, {"env", "prod"}}));
    EXPECT_EQ(t.created_by, "cli");
  }
  EXPECT_EQ(CODE_OF(store().GetEnrollmentToken("nope")), StatusCode::kNotFound);
  EXPECT_EQ(Actions(), std::vector<std::string>{"token.create"});
}

TEST_P(StoreConformanceTest, RefusesDuplicateTokenIdOrHash) {
  ASSERT_OK(MakeToken("tok1"));
  NewEnrollmentToken same_id = TokenFor("tok1");
  same_id.token_hash = "other-hash";
  EXPECT_EQ(CODE_OF(store().CreateEnrollmentToken(same_id, kT0)), StatusCode::kAlreadyExists);
  NewEnrollmentToken same_hash = TokenFor("tok2");
  same_hash.token_hash = "hash-tok1";
  EXPECT_EQ(CODE_OF(store().CreateEnrollmentToken(same_hash, kT0)), StatusCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(auto tokens, store().ListEnrollmentTokens({}, kT0));
  EXPECT_EQ(tokens.size(), 1u);
}

TEST_P(StoreConformanceTest, RejectsInvalidTokensWithoutWriting) {
  std::vector<std::function<void(NewEnrollmentToken&)>> breakers = {
      [](auto& t) { t.max_uses = 0; },
      [](auto& t) { t.max_uses = 1'000'001; },
      [](auto& t) { t.expires_at = kT0; },
      [](auto& t) { t.expires_at = kT0 - hours(1); },
      [](auto& t) { t.id = ""; },
      [](auto& t) { t.id = "has space"; },
      [](auto& t) { t.token_hash = ""; },
      [](auto& t) { t.token_hash = "tab\there"; },
      [](auto& t) {
        t.tags = {{"", "v"}};
      },
      [](auto& t) {
        t.tags = {{"k", "bad\x01"}};
      },
      [](auto& t) {
        t.tags = {{"k", "\xc3\x28"}};
      },  // invalid UTF-8
      [](auto& t) { t.description = std::string(257, 'x'); },
  };
  for (size_t i = 0; i < breakers.size(); ++i) {
    NewEnrollmentToken t = TokenFor("tok" + std::to_string(i));
    breakers[i](t);
    Result<EnrollmentTokenRecord> r = store().CreateEnrollmentToken(t, kT0);
    EXPECT_EQ(CODE_OF(r), StatusCode::kInvalidArgument) << "case " << i;
    EXPECT_FALSE(r.status().message().empty());
  }
  ASSERT_OK_AND_ASSIGN(auto tokens, store().ListEnrollmentTokens({}, kT0));
  EXPECT_TRUE(tokens.empty());
  EXPECT_TRUE(Actions().empty());
  // The same token with nothing broken is accepted.
  EXPECT_OK(store().CreateEnrollmentToken(TokenFor("tok0"), kT0));
}

TEST_P(StoreConformanceTest, FindEnrollmentTokenChecksWithoutConsuming) {
  ASSERT_OK(MakeToken("good", 2));
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord found,
                       store().FindEnrollmentToken("hash-good", kT0 + hours(1)));
  EXPECT_EQ(found.id, "good");
  EXPECT_EQ(UsesLeft("good"), 2);

  Result<EnrollmentTokenRecord> unknown = store().FindEnrollmentToken("hash-nope", kT0);
  EXPECT_EQ(CODE_OF(unknown), StatusCode::kUnauthenticated);
  Result<EnrollmentTokenRecord> expired = store().FindEnrollmentToken("hash-good", kT0 + hours(24));
  EXPECT_EQ(CODE_OF(expired), StatusCode::kPermissionDenied);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);

  ASSERT_OK(store().RevokeEnrollmentToken("good", "cli", kT0));
  Result<EnrollmentTokenRecord> revoked = store().FindEnrollmentToken("hash-good", kT0);
  EXPECT_EQ(CODE_OF(revoked), StatusCode::kPermissionDenied);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);

  ASSERT_OK(MakeToken("once", 1));
  ASSERT_OK(Enroll("once", 1, "01"));
  Result<EnrollmentTokenRecord> used = store().FindEnrollmentToken("hash-once", kT0);
  EXPECT_EQ(CODE_OF(used), StatusCode::kPermissionDenied);
  EXPECT_NE(used.status().message().find("no uses left"), std::string::npos);
}

TEST_P(StoreConformanceTest, ListsTokensNewestFirstAndFiltersInactive) {
  ASSERT_OK(store().CreateEnrollmentToken(TokenFor("a", 1, hours(48)), kT0));
  ASSERT_OK(store().CreateEnrollmentToken(TokenFor("b", 1, hours(48)), kT0 + seconds(1)));
  ASSERT_OK(store().CreateEnrollmentToken(TokenFor("c", 1, hours(2)), kT0 + seconds(2)));
  ASSERT_OK(store().CreateEnrollmentToken(TokenFor("d", 1, hours(48)), kT0 + seconds(3)));
  ASSERT_OK(store().RevokeEnrollmentToken("b", "cli", kT0 + seconds(4)));
  ASSERT_OK(Enroll("d", 1, "0d", kT0 + seconds(5)));  // d is used up

  auto ids = [](const std::vector<EnrollmentTokenRecord>& tokens) {
    std::vector<std::string> out;
    for (const auto& t : tokens) out.push_back(t.id);
    return out;
  };
  TimePoint later = kT0 + hours(3);  // c has expired
  ASSERT_OK_AND_ASSIGN(auto all, store().ListEnrollmentTokens({}, later));
  EXPECT_EQ(ids(all), (std::vector<std::string>{"d", "c", "b", "a"}));
  TokenListOptions active;
  active.include_inactive = false;
  ASSERT_OK_AND_ASSIGN(auto usable, store().ListEnrollmentTokens(active, later));
  EXPECT_EQ(ids(usable), (std::vector<std::string>{"a"}));
  TokenListOptions paged;
  paged.page = {1, 2};
  ASSERT_OK_AND_ASSIGN(auto page, store().ListEnrollmentTokens(paged, later));
  EXPECT_EQ(ids(page), (std::vector<std::string>{"c", "b"}));
  paged.page.limit = 0;
  EXPECT_EQ(CODE_OF(store().ListEnrollmentTokens(paged, later)), StatusCode::kInvalidArgument);
}

TEST_P(StoreConformanceTest, RevokesTokenOnceAndRefusesUnknown) {
  ASSERT_OK(MakeToken("tok1"));
  ASSERT_OK(store().RevokeEnrollmentToken("tok1", "admin:alice", kT0 + hours(1)));
  ASSERT_OK(store().RevokeEnrollmentToken("tok1", "admin:alice", kT0 + hours(2)));
  ASSERT_OK_AND_ASSIGN(EnrollmentTokenRecord t, store().GetEnrollmentToken("tok1"));
  EXPECT_EQ(t.revoked_at, kT0 + hours(1));
  EXPECT_EQ(CODE_OF(store().RevokeEnrollmentToken("nope", "cli", kT0)), StatusCode::kNotFound);
  EXPECT_EQ(Actions(), (std::vector<std::string>{"token.create", "token.revoke"}));
}

// ---- Enrollment ----

TEST_P(StoreConformanceTest, EnrollCreatesDeviceWithTokenTagsAndCertificate) {
  ASSERT_OK(MakeToken("tok1", 2, {{"site", "paris"}}));
  NewDevice in = DeviceFor(7);
  in.metadata = {{"hostname", "pi-7"}};
  CertificateRecord cert = CertFor("abc123", DeviceIdFor(7));
  ASSERT_OK_AND_ASSIGN(DeviceRecord device,
                       store().EnrollDevice("hash-tok1", in, cert, "recovery-7", kT0));
  EXPECT_EQ(device.id, DeviceIdFor(7));
  EXPECT_EQ(device.name, DeviceIdFor(7) + ".d.wott.local");
  EXPECT_EQ(device.status, DeviceStatus::kActive);
  EXPECT_EQ(device.tags, (Tags{{"site", "paris"}}));
  EXPECT_EQ(device.metadata, (Metadata{{"hostname", "pi-7"}}));
  EXPECT_EQ(device.created_at, kT0);
  EXPECT_FALSE(device.last_seen);
  EXPECT_EQ(device.enrollment_token_id, "tok1");
  EXPECT_EQ(device.current_serial, "abc123");
  EXPECT_EQ(device.current_not_after, cert.not_after);
  EXPECT_EQ(UsesLeft("tok1"), 1);

  ASSERT_OK_AND_ASSIGN(DeviceRecord got, store().GetDevice(DeviceIdFor(7)));
  EXPECT_EQ(got.tags, device.tags);
  ASSERT_OK_AND_ASSIGN(CertificateRecord stored, store().GetCertificate("abc123"));
  EXPECT_EQ(stored.device_id, DeviceIdFor(7));
  EXPECT_EQ(stored.not_before, cert.not_before);
  EXPECT_EQ(stored.not_after, cert.not_after);
  EXPECT_EQ(stored.fingerprint, cert.fingerprint);
  EXPECT_EQ(stored.pem, cert.pem);
  EXPECT_EQ(stored.issued_at, kT0);
  EXPECT_FALSE(stored.revoked_at);
  ASSERT_OK_AND_ASSIGN(CertificateRecord current, store().CurrentCertificate(DeviceIdFor(7)));
  EXPECT_EQ(current.serial, "abc123");
  ASSERT_OK_AND_ASSIGN(DeviceRecord by_recovery, store().FindDeviceByRecoveryToken("recovery-7"));
  EXPECT_EQ(by_recovery.id, DeviceIdFor(7));
  EXPECT_EQ(Actions(DeviceIdFor(7)), std::vector<std::string>{"device.enroll"});
}

TEST_P(StoreConformanceTest, EnrollRefusesEveryTokenProblem) {
  ASSERT_OK(MakeToken("expired", 5));
  ASSERT_OK(MakeToken("revoked", 5));
  ASSERT_OK(store().RevokeEnrollmentToken("revoked", "cli", kT0));
  ASSERT_OK(MakeToken("once", 1));
  ASSERT_OK(Enroll("once", 1, "01"));

  struct Case {
    std::string token;
    TimePoint now;
    StatusCode code;
    std::string words;
  };
  for (const Case& c : std::vector<Case>{
           {"unknown", kT0, StatusCode::kUnauthenticated, "not valid"},
           {"expired", kT0 + hours(24), StatusCode::kPermissionDenied, "expired"},
           {"revoked", kT0, StatusCode::kPermissionDenied, "revoked"},
           {"once", kT0, StatusCode::kPermissionDenied, "no uses left"},
       }) {
    Result<DeviceRecord> r = Enroll(c.token, 2, "02", c.now);
    EXPECT_EQ(CODE_OF(r), c.code) << c.token;
    EXPECT_NE(r.status().message().find(c.words), std::string::npos) << r.status();
  }
  EXPECT_EQ(CODE_OF(store().GetDevice(DeviceIdFor(2))), StatusCode::kNotFound);
  EXPECT_EQ(CODE_OF(store().GetCertificate("02")), StatusCode::kNotFound);
  EXPECT_EQ(UsesLeft("expired"), 5);
  // One second before expiry the same token still works.
  EXPECT_OK(Enroll("expired", 3, "03", kT0 + hours(24) - seconds(1)));
}

TEST_P(StoreConformanceTest, EnrollRefusesDuplicateSerialOrDeviceAndKeepsTheUse) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "aa01"));
  Result<DeviceRecord> same_serial = Enroll("tok1", 2, "aa01");
  EXPECT_EQ(CODE_OF(same_serial), StatusCode::kAlreadyExists);
  EXPECT_EQ(CODE_OF(store().GetDevice(DeviceIdFor(2))), StatusCode::kNotFound);
  Result<DeviceRecord> same_device = Enroll("tok1", 1, "aa02");
  EXPECT_EQ(CODE_OF(same_device), StatusCode::kAlreadyExists);
  EXPECT_EQ(CODE_OF(store().GetCertificate("aa02")), StatusCode::kNotFound);
  EXPECT_EQ(UsesLeft("tok1"), 4);
  EXPECT_EQ(Actions(), (std::vector<std::string>{"token.create", "device.enroll"}));
}

TEST_P(StoreConformanceTest, EnrollRefusesRecoveryHashInUse) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "rec"));
  EXPECT_EQ(CODE_OF(Enroll("tok1", 2, "02", kT0, "rec")), StatusCode::kAlreadyExists);
  EXPECT_OK(Enroll("tok1", 2, "02", kT0, "rec2"));
}

TEST_P(StoreConformanceTest, EnrollRejectsMalformedInputWithoutConsuming) {
  ASSERT_OK(MakeToken("tok1", 5));
  std::vector<std::function<void(NewDevice&, CertificateRecord&)>> breakers = {
      [](auto& d, auto&) { d.id = "ABCDEF0123456789ABCDEF0123456789"; },
      [](auto& d, auto&) { d.id = "abc"; },
      [](auto& d, auto&) { d.name = ""; },
      [](auto& d, auto&) {
        d.metadata = {{"k", std::string(1025, 'x')}};
      },
      [](auto&, auto& c) { c.device_id = DeviceIdFor(99); },
      [](auto&, auto& c) { c.serial = "ABC"; },
      [](auto&, auto& c) { c.serial = ""; },
      [](auto&, auto& c) { c.not_after = c.not_before; },
      [](auto&, auto& c) { c.fingerprint = "AB:CD"; },
      [](auto&, auto& c) { c.revoked_at = kT0; },
  };
  for (size_t i = 0; i < breakers.size(); ++i) {
    NewDevice d = DeviceFor(1);
    CertificateRecord c = CertFor("01", d.id);
    breakers[i](d, c);
    EXPECT_EQ(CODE_OF(store().EnrollDevice("hash-tok1", d, c, "", kT0)),
              StatusCode::kInvalidArgument)
        << "case " << i;
  }
  EXPECT_EQ(CODE_OF(store().EnrollDevice("", DeviceFor(1), CertFor("01", DeviceIdFor(1)), "", kT0)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(UsesLeft("tok1"), 5);
  ASSERT_OK_AND_ASSIGN(DevicePage page, store().ListDevices({}, {}, {}));
  EXPECT_EQ(page.total, 0);
}

// The guarantee the server relies on: N uses, many racers, exactly N devices.
TEST_P(StoreConformanceTest, ConcurrentEnrollmentsNeverExceedUses) {
  struct Race {
    std::string token;
    int uses;
    int threads;
  };
  int next_device = 0;
  for (const Race& race : {Race{"ten", 10, 40}, Race{"single", 1, 50}}) {
    ASSERT_OK(MakeToken(race.token, race.uses));
    std::atomic<int> ok{0}, used_up{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < race.threads; ++i) {
      int n = ++next_device;
      threads.emplace_back([&, n] {
        Result<DeviceRecord> r = Enroll(race.token, n, "c0" + DeviceIdFor(n).substr(24));
        if (r.ok()) {
          ++ok;
        } else if (r.status().code() == StatusCode::kPermissionDenied) {
          ++used_up;
        } else {
          ++other;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(ok.load(), race.uses) << race.token;
    EXPECT_EQ(used_up.load(), race.threads - race.uses) << race.token;
    EXPECT_EQ(other.load(), 0) << race.token;
    EXPECT_EQ(UsesLeft(race.token), 0);
  }
  ASSERT_OK_AND_ASSIGN(DevicePage page, store().ListDevices({}, {}, {}));
  EXPECT_EQ(page.total, 11);
}

// ---- Renewal ----

TEST_P(StoreConformanceTest, RenewRecordsNewCurrentCertificateAndRotatesRecovery) {
  ASSERT_OK(MakeToken("tok1"));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "rec-1"));
  TimePoint later = kT0 + hours(100);
  ASSERT_OK_AND_ASSIGN(DeviceRecord device,
                       store().RenewDevice(DeviceIdFor(1), "01",
                                           CertFor("02", DeviceIdFor(1), later), "rec-2", later));
  EXPECT_EQ(device.current_serial, "02");
  EXPECT_EQ(device.current_not_after, later + hours(24 * 7));
  ASSERT_OK_AND_ASSIGN(auto certs, store().ListCertificates(DeviceIdFor(1), 100));
  ASSERT_EQ(certs.size(), 2u);
  EXPECT_EQ(certs[0].serial, "02");
  EXPECT_EQ(certs[1].serial, "01");
  EXPECT_FALSE(certs[1].revoked_at);  // the old one stays valid until it expires
  ASSERT_OK_AND_ASSIGN(auto one, store().ListCertificates(DeviceIdFor(1), 1));
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(CODE_OF(store().ListCertificates(DeviceIdFor(1), 0)), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto none, store().ListCertificates(DeviceIdFor(2), 100));
  EXPECT_TRUE(none.empty());
  // The previous hash stays valid for one rotation (see the Recovery section).
  EXPECT_OK(store().FindDeviceByRecoveryToken("rec-1"));
  EXPECT_OK(store().FindDeviceByRecoveryToken("rec-2"));
  EXPECT_EQ(device.recovery_token_hash, "rec-2");
  EXPECT_EQ(device.previous_recovery_token_hash, "rec-1");
  EXPECT_EQ(Actions(DeviceIdFor(1)), (std::vector<std::string>{"device.enroll", "device.renew"}));
  // Keeping the same recovery hash, and renewing with the older (still valid) certificate,
  // both work: an agent that lost the new certificate can retry. The same hash rotates nothing.
  ASSERT_OK_AND_ASSIGN(
      device, store().RenewDevice(DeviceIdFor(1), "01", CertFor("03", DeviceIdFor(1), later),
                                  "rec-2", later));
  EXPECT_EQ(device.recovery_token_hash, "rec-2");
  EXPECT_EQ(device.previous_recovery_token_hash, "rec-1");
  EXPECT_OK(store().FindDeviceByRecoveryToken("rec-1"));
  // An empty hash drops recovery, both generations.
  ASSERT_OK_AND_ASSIGN(
      device,
      store().RenewDevice(DeviceIdFor(1), "03", CertFor("04", DeviceIdFor(1), later), "", later));
  EXPECT_EQ(device.recovery_token_hash, "");
  EXPECT_EQ(device.previous_recovery_token_hash, "");
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("rec-2")), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("rec-1")), StatusCode::kUnauthenticated);
}

TEST_P(StoreConformanceTest, RenewRefusesUnknownRevokedOrDeletedDevices) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "01"));
  ASSERT_OK(Enroll("tok1", 2, "02"));
  ASSERT_OK(Enroll("tok1", 3, "03"));
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(2), RevocationReason::kKeyCompromise, "cli", kT0));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(3), "cli", kT0));
  TimePoint t = kT0 + hours(1);
  auto renew = [&](int n, const std::string& presented, const std::string& serial) {
    return store().RenewDevice(DeviceIdFor(n), presented, CertFor(serial, DeviceIdFor(n), t), "",
                               t);
  };
  EXPECT_EQ(CODE_OF(renew(9, "01", "90")), StatusCode::kNotFound);
  Result<DeviceRecord> revoked = renew(2, "02", "91");
  EXPECT_EQ(CODE_OF(revoked), StatusCode::kPermissionDenied);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  Result<DeviceRecord> deleted = renew(3, "03", "92");
  EXPECT_EQ(CODE_OF(deleted), StatusCode::kPermissionDenied);
  EXPECT_NE(deleted.status().message().find("deleted"), std::string::npos);
  for (const char* serial : {"90", "91", "92"}) {
    EXPECT_EQ(CODE_OF(store().GetCertificate(serial)), StatusCode::kNotFound) << serial;
  }
  EXPECT_OK(renew(1, "01", "93"));  // the healthy device still renews
}

TEST_P(StoreConformanceTest, RenewRefusesBadPresentedCertificates) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "01"));
  ASSERT_OK(Enroll("tok1", 2, "02"));
  ASSERT_OK(store().RenewDevice(DeviceIdFor(1), "01", CertFor("11", DeviceIdFor(1)), "", kT0));
  ASSERT_OK(store().RevokeCertificate("11", RevocationReason::kKeyCompromise, "cli", kT0));
  TimePoint t = kT0 + hours(1);
  auto renew = [&](const std::string& presented, const std::string& serial, TimePoint now) {
    return store().RenewDevice(DeviceIdFor(1), presented, CertFor(serial, DeviceIdFor(1), now), "",
                               now);
  };
  EXPECT_EQ(CODE_OF(renew("02", "a1", t)), StatusCode::kPermissionDenied);  // another device's
  EXPECT_EQ(CODE_OF(renew("ff", "a2", t)), StatusCode::kPermissionDenied);  // unknown serial
  Result<DeviceRecord> revoked = renew("11", "a3", t);
  EXPECT_EQ(CODE_OF(revoked), StatusCode::kPermissionDenied);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  TimePoint after_expiry = kT0 + hours(24 * 7) + seconds(1);
  Result<DeviceRecord> expired = renew("01", "a4", after_expiry);
  EXPECT_EQ(CODE_OF(expired), StatusCode::kPermissionDenied);
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  EXPECT_EQ(CODE_OF(renew("01", "02", t)), StatusCode::kAlreadyExists);  // taken serial
  EXPECT_EQ(
      CODE_OF(store().RenewDevice(DeviceIdFor(1), "01", CertFor("a5", DeviceIdFor(2), t), "", t)),
      StatusCode::kInvalidArgument);  // certificate for another device
  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(device.current_serial, "11");
  // not_after is inclusive: the last second of validity still renews.
  EXPECT_OK(renew("01", "a6", kT0 + hours(24 * 7)));
}

// ---- Recovery ----

TEST_P(StoreConformanceTest, RecoversDeviceExpiredWithinGrace) {
  ASSERT_OK(MakeToken("tok1"));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "rec-1"));
  TimePoint t = kT0 + hours(24 * 7) + hours(5);  // expired 5 h ago
  ASSERT_OK_AND_ASSIGN(DeviceRecord pre, store().FindDeviceByRecoveryToken("rec-1"));
  EXPECT_EQ(pre.id, DeviceIdFor(1));
  ASSERT_OK_AND_ASSIGN(
      DeviceRecord device,
      store().RecoverDevice("rec-1", CertFor("02", DeviceIdFor(1), t), "rec-2", hours(24), t));
  EXPECT_EQ(device.current_serial, "02");
  EXPECT_EQ(device.recovery_token_hash, "rec-2");
  EXPECT_EQ(device.previous_recovery_token_hash, "rec-1");
  // The used token is now the previous one: it cannot recover again while the recovered
  // certificate is valid (the device renews instead).
  EXPECT_EQ(CODE_OF(store().RecoverDevice("rec-1", CertFor("03", DeviceIdFor(1), t), "rec-3",
                                          hours(24), t)),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Actions(DeviceIdFor(1)), (std::vector<std::string>{"device.enroll", "device.recover"}));
}

// The agent's kill -9 case: the server rotated the token, the agent kept the old one.
TEST_P(StoreConformanceTest, PreviousRecoveryTokenRecoversAfterOneRotationNotTwo) {
  ASSERT_OK(MakeToken("tok1", 2));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "rec-1"));
  ASSERT_OK(Enroll("tok1", 2, "21", kT0, "dev2-1"));
  const TimePoint renewed_at = kT0 + hours(100);
  for (int n : {1, 2}) {
    ASSERT_OK(store().RenewDevice(DeviceIdFor(n), n == 1 ? "01" : "21",
                                  CertFor(n == 1 ? "02" : "22", DeviceIdFor(n), renewed_at),
                                  n == 1 ? "rec-2" : "dev2-2", renewed_at));
  }
  // Device 2 rotates once more: its first token is two rotations old.
  ASSERT_OK(store().RenewDevice(DeviceIdFor(2), "22", CertFor("23", DeviceIdFor(2), renewed_at),
                                "dev2-3", renewed_at));
  const TimePoint t = renewed_at + hours(24 * 7) + hours(1);  // the newest certificates expired
  ASSERT_OK_AND_ASSIGN(DeviceRecord found, store().FindDeviceByRecoveryToken("rec-1"));
  EXPECT_EQ(found.id, DeviceIdFor(1));
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("dev2-1")), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().RecoverDevice("dev2-1", CertFor("24", DeviceIdFor(2), t), "dev2-4",
                                          hours(24), t)),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().GetCertificate("24")), StatusCode::kNotFound);

  // The previous token recovers, and rotates as any issuance: previous := current.
  ASSERT_OK_AND_ASSIGN(
      DeviceRecord device,
      store().RecoverDevice("rec-1", CertFor("03", DeviceIdFor(1), t), "rec-3", hours(24), t));
  EXPECT_EQ(device.current_serial, "03");
  EXPECT_EQ(device.recovery_token_hash, "rec-3");
  EXPECT_EQ(device.previous_recovery_token_hash, "rec-2");
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("rec-1")), StatusCode::kUnauthenticated);
  EXPECT_OK(store().FindDeviceByRecoveryToken("rec-2"));
  ASSERT_OK_AND_ASSIGN(DeviceRecord stored, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(stored.recovery_token_hash, "rec-3");
  EXPECT_EQ(stored.previous_recovery_token_hash, "rec-2");
  EXPECT_EQ(Actions(DeviceIdFor(1)),
            (std::vector<std::string>{"device.enroll", "device.renew", "device.recover"}));
}

TEST_P(StoreConformanceTest, RevokedOrDeletedDevicesRecoverWithNeitherToken) {
  ASSERT_OK(MakeToken("tok1", 3));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "a-1"));
  ASSERT_OK(Enroll("tok1", 2, "21", kT0, "b-1"));
  ASSERT_OK(store().RenewDevice(DeviceIdFor(1), "01", CertFor("02", DeviceIdFor(1)), "a-2", kT0));
  ASSERT_OK(store().RenewDevice(DeviceIdFor(2), "21", CertFor("22", DeviceIdFor(2)), "b-2", kT0));
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(1), RevocationReason::kKeyCompromise, "cli", kT0));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(2), "cli", kT0));
  const TimePoint t = kT0 + hours(24 * 7) + hours(1);
  for (const char* hash : {"a-1", "a-2", "b-1", "b-2"}) {
    EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken(hash)), StatusCode::kUnauthenticated)
        << hash;
    const int n = hash[0] == 'a' ? 1 : 2;
    EXPECT_EQ(CODE_OF(store().RecoverDevice(
                  hash, CertFor(std::string("9") + hash[2], DeviceIdFor(n), t), "", hours(24), t)),
              StatusCode::kUnauthenticated)
        << hash;
  }
  for (int n : {1, 2}) {
    ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(n)));
    EXPECT_EQ(device.recovery_token_hash, "");
    EXPECT_EQ(device.previous_recovery_token_hash, "");
  }
  // Dropped hashes are free again: nothing holds them.
  EXPECT_OK(Enroll("tok1", 3, "31", kT0, "a-1"));
  ASSERT_OK_AND_ASSIGN(DeviceRecord holder, store().FindDeviceByRecoveryToken("a-1"));
  EXPECT_EQ(holder.id, DeviceIdFor(3));
}

// A hash is held once, as one device's current or previous: issuing it to another device
// is refused whichever column holds it, and nothing of the refused operation is kept.
TEST_P(StoreConformanceTest, RecoveryHashHeldAsAnotherDevicesPreviousIsTaken) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "old-1"));
  ASSERT_OK(store().RenewDevice(DeviceIdFor(1), "01", CertFor("02", DeviceIdFor(1)), "new-1", kT0));
  ASSERT_OK(Enroll("tok1", 2, "21", kT0, "new-2"));
  EXPECT_EQ(CODE_OF(Enroll("tok1", 3, "31", kT0, "old-1")), StatusCode::kAlreadyExists);
  EXPECT_EQ(UsesLeft("tok1"), 3);
  EXPECT_EQ(CODE_OF(store().RenewDevice(DeviceIdFor(2), "21", CertFor("22", DeviceIdFor(2)),
                                        "old-1", kT0)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CODE_OF(store().RenewDevice(DeviceIdFor(2), "21", CertFor("23", DeviceIdFor(2)),
                                        "new-1", kT0)),
            StatusCode::kAlreadyExists);
  const TimePoint t = kT0 + hours(24 * 7) + hours(1);
  EXPECT_EQ(CODE_OF(store().RecoverDevice("new-2", CertFor("24", DeviceIdFor(2), t), "old-1",
                                          hours(24), t)),
            StatusCode::kAlreadyExists);
  for (const char* serial : {"31", "22", "23", "24"}) {
    EXPECT_EQ(CODE_OF(store().GetCertificate(serial)), StatusCode::kNotFound) << serial;
  }
  ASSERT_OK_AND_ASSIGN(DeviceRecord two, store().GetDevice(DeviceIdFor(2)));
  EXPECT_EQ(two.current_serial, "21");
  EXPECT_EQ(two.recovery_token_hash, "new-2");
  EXPECT_EQ(two.previous_recovery_token_hash, "");
  ASSERT_OK_AND_ASSIGN(DeviceRecord one, store().FindDeviceByRecoveryToken("old-1"));
  EXPECT_EQ(one.id, DeviceIdFor(1));
  // A device may take its own previous hash back as its current one.
  ASSERT_OK_AND_ASSIGN(
      one, store().RenewDevice(DeviceIdFor(1), "02", CertFor("03", DeviceIdFor(1)), "old-1", kT0));
  EXPECT_EQ(one.recovery_token_hash, "old-1");
  EXPECT_EQ(one.previous_recovery_token_hash, "new-1");
}

TEST_P(StoreConformanceTest, RecoverRefusesOutsideTheRules) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "01", kT0, "rec-1"));
  ASSERT_OK(Enroll("tok1", 2, "02", kT0, "rec-2"));
  ASSERT_OK(Enroll("tok1", 3, "03", kT0, "rec-3"));
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(2), RevocationReason::kUnspecified, "cli", kT0));
  ASSERT_OK(store().RevokeCertificate("03", RevocationReason::kKeyCompromise, "cli", kT0));
  const TimePoint expiry = kT0 + hours(24 * 7);
  auto recover = [&](const std::string& hash, int n, const std::string& serial, TimePoint now) {
    return store().RecoverDevice(hash, CertFor(serial, DeviceIdFor(n), now), "new-" + serial,
                                 hours(24), now);
  };
  EXPECT_EQ(CODE_OF(recover("nope", 1, "90", expiry + hours(1))), StatusCode::kUnauthenticated);
  Result<DeviceRecord> early = recover("rec-1", 1, "91", expiry);
  EXPECT_EQ(CODE_OF(early), StatusCode::kFailedPrecondition);
  EXPECT_NE(early.status().message().find("renew"), std::string::npos);
  Result<DeviceRecord> late = recover("rec-1", 1, "92", expiry + hours(24) + seconds(1));
  EXPECT_EQ(CODE_OF(late), StatusCode::kPermissionDenied);
  EXPECT_NE(late.status().message().find("1d"), std::string::npos) << late.status();
  // A revoked device has no recovery token any more.
  EXPECT_EQ(CODE_OF(recover("rec-2", 2, "93", expiry + hours(1))), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(recover("rec-3", 3, "94", expiry + hours(1))), StatusCode::kPermissionDenied);
  EXPECT_EQ(CODE_OF(recover("rec-1", 2, "95", expiry + hours(1))), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().RecoverDevice("rec-1", CertFor("96", DeviceIdFor(1), expiry), "",
                                          -hours(1), expiry + hours(1))),
            StatusCode::kInvalidArgument);
  for (const char* serial : {"90", "91", "92", "93", "94", "95", "96"}) {
    EXPECT_EQ(CODE_OF(store().GetCertificate(serial)), StatusCode::kNotFound) << serial;
  }
  // At the edge of the grace window it still works.
  EXPECT_OK(recover("rec-1", 1, "97", expiry + hours(24)));
}

// ---- Revocation and deletion ----

TEST_P(StoreConformanceTest, RevokeDeviceRevokesAllItsCertificatesForTheCrl) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "0a", kT0, "rec"));
  ASSERT_OK(store().RenewDevice(DeviceIdFor(1), "0a", CertFor("0b", DeviceIdFor(1)), "rec2", kT0));
  ASSERT_OK(Enroll("tok1", 2, "0c"));
  TimePoint t = kT0 + hours(2);
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(1), RevocationReason::kKeyCompromise, "admin:a", t));
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(1), RevocationReason::kSuperseded, "admin:a",
                                 t + hours(1)));  // no change the second time

  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(device.status, DeviceStatus::kRevoked);
  EXPECT_EQ(device.revoked_at, t);
  EXPECT_EQ(device.revocation_reason, RevocationReason::kKeyCompromise);
  ASSERT_OK_AND_ASSIGN(auto crl, store().ListRevokedCertificates(t));
  ASSERT_EQ(crl.size(), 2u);
  EXPECT_EQ(crl[0].serial, "0a");
  EXPECT_EQ(crl[1].serial, "0b");
  for (const RevokedCertificate& entry : crl) {
    EXPECT_EQ(entry.revoked_at, t);
    EXPECT_EQ(entry.reason, RevocationReason::kKeyCompromise);
  }
  ASSERT_OK_AND_ASSIGN(CertificateRecord other, store().GetCertificate("0c"));
  EXPECT_FALSE(other.revoked_at);
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("rec2")), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("rec")), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().TouchLastSeen(DeviceIdFor(1), t, {})), StatusCode::kPermissionDenied);
  // Once expired, a revoked certificate leaves the CRL.
  ASSERT_OK_AND_ASSIGN(auto later, store().ListRevokedCertificates(kT0 + hours(24 * 8)));
  EXPECT_TRUE(later.empty());
  EXPECT_EQ(CODE_OF(store().RevokeDevice(DeviceIdFor(9), RevocationReason::kUnspecified, "cli", t)),
            StatusCode::kNotFound);
  EXPECT_EQ(
      CODE_OF(store().RevokeDevice(DeviceIdFor(2), static_cast<RevocationReason>(7), "cli", t)),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Actions(DeviceIdFor(1)),
            (std::vector<std::string>{"device.enroll", "device.renew", "device.revoke"}));
}

TEST_P(StoreConformanceTest, DeleteKeepsTheRowAndRevokesCertificates) {
  ASSERT_OK(MakeToken("tok1", 5));
  ASSERT_OK(Enroll("tok1", 1, "0a"));
  ASSERT_OK(store().RevokeCertificate("0a", RevocationReason::kKeyCompromise, "cli", kT0));
  EXPECT_EQ(
      CODE_OF(store().RenewDevice(DeviceIdFor(1), "0a", CertFor("0b", DeviceIdFor(1)), "", kT0)),
      StatusCode::kPermissionDenied);
  ASSERT_OK(Enroll("tok1", 2, "0c"));
  ASSERT_OK(store().RenewDevice(DeviceIdFor(2), "0c", CertFor("0d", DeviceIdFor(2)), "", kT0));
  TimePoint t = kT0 + hours(1);
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(1), "admin:a", t));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(2), "admin:a", t));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(2), "admin:a", t + hours(1)));  // no change

  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(2)));
  EXPECT_EQ(device.status, DeviceStatus::kDeleted);
  ASSERT_OK_AND_ASSIGN(auto crl, store().ListRevokedCertificates(t));
  ASSERT_EQ(crl.size(), 3u);
  EXPECT_EQ(crl[0].serial, "0a");
  EXPECT_EQ(crl[0].reason, RevocationReason::kKeyCompromise);  // earlier reason kept
  EXPECT_EQ(crl[0].revoked_at, kT0);
  EXPECT_EQ(crl[1].reason, RevocationReason::kCessationOfOperation);
  EXPECT_EQ(crl[2].serial, "0d");
  EXPECT_EQ(crl[2].revoked_at, t);

  EXPECT_EQ(CODE_OF(store().RevokeDevice(DeviceIdFor(2), RevocationReason::kUnspecified, "cli", t)),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CODE_OF(store().SetTags(DeviceIdFor(2), {{"a", "b"}}, "cli", t)),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CODE_OF(store().SetMetadata(DeviceIdFor(2), {{"a", "b"}}, "cli", t)),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CODE_OF(store().DeleteDevice(DeviceIdFor(9), "cli", t)), StatusCode::kNotFound);
  EXPECT_EQ(Actions(DeviceIdFor(2)),
            (std::vector<std::string>{"device.enroll", "device.renew", "device.delete"}));
}

TEST_P(StoreConformanceTest, RevokeCertificateListsItAndIsIdempotent) {
  ASSERT_OK(MakeToken("tok1"));
  ASSERT_OK(Enroll("tok1", 1, "0a"));
  ASSERT_OK(store().RevokeCertificate("0a", RevocationReason::kSuperseded, "cli", kT0));
  ASSERT_OK(
      store().RevokeCertificate("0a", RevocationReason::kKeyCompromise, "cli", kT0 + hours(1)));
  ASSERT_OK_AND_ASSIGN(CertificateRecord c, store().GetCertificate("0a"));
  EXPECT_EQ(c.revoked_at, kT0);
  EXPECT_EQ(c.revocation_reason, RevocationReason::kSuperseded);
  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(device.status, DeviceStatus::kActive);
  ASSERT_OK_AND_ASSIGN(auto crl, store().ListRevokedCertificates(kT0));
  ASSERT_EQ(crl.size(), 1u);
  EXPECT_EQ(CODE_OF(store().RevokeCertificate("ff", RevocationReason::kUnspecified, "cli", kT0)),
            StatusCode::kNotFound);
  EXPECT_EQ(CODE_OF(store().RevokeCertificate("XYZ", RevocationReason::kUnspecified, "cli", kT0)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Actions("0a"), std::vector<std::string>{"certificate.revoke"});
}

// ---- Tags, metadata, heartbeats ----

TEST_P(StoreConformanceTest, SetsTagsAndMetadataAndRejectsBadOnes) {
  ASSERT_OK(MakeToken("tok1", 1, {{"site", "paris"}}));
  ASSERT_OK(Enroll("tok1", 1, "01"));
  ASSERT_OK(
      store().SetTags(DeviceIdFor(1), {{"env", "prod"}, {"k8s.io/role", "edge"}}, "cli", kT0));
  ASSERT_OK(
      store().SetMetadata(DeviceIdFor(1), {{"hostname", "pi \xc3\xa9t\xc3\xa9"}}, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(device.tags, (Tags{{"env", "prod"}, {"k8s.io/role", "edge"}}));
  EXPECT_EQ(device.metadata, (Metadata{{"hostname", "pi \xc3\xa9t\xc3\xa9"}}));

  Tags too_many;
  for (int i = 0; i < 33; ++i) too_many["k" + std::to_string(i)] = "v";
  for (const Tags& bad :
       {Tags{{"bad key", "v"}}, Tags{{"k", "line\nbreak"}}, Tags{{std::string(65, 'k'), "v"}},
        Tags{{"k", std::string(257, 'v')}}, too_many}) {
    EXPECT_EQ(CODE_OF(store().SetTags(DeviceIdFor(1), bad, "cli", kT0)),
              StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(CODE_OF(store().SetMetadata(DeviceIdFor(1), {{"k", "\xff"}}, "cli", kT0)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().SetTags(DeviceIdFor(9), {}, "cli", kT0)), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(DeviceRecord unchanged, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(unchanged.tags, device.tags);
  ASSERT_OK(store().SetTags(DeviceIdFor(1), {}, "cli", kT0));  // clearing is allowed
  ASSERT_OK_AND_ASSIGN(DeviceRecord cleared, store().GetDevice(DeviceIdFor(1)));
  EXPECT_TRUE(cleared.tags.empty());
  EXPECT_EQ(Actions(DeviceIdFor(1)), (std::vector<std::string>{"device.enroll", "device.tags",
                                                               "device.metadata", "device.tags"}));
}

TEST_P(StoreConformanceTest, TouchLastSeenRecordsHeartbeatsMonotonically) {
  ASSERT_OK(MakeToken("tok1"));
  ASSERT_OK(Enroll("tok1", 1, "01"));
  AgentInfo agent{"0.1.0", "Debian GNU/Linux 12 (bookworm)", "pi", 60};
  ASSERT_OK(store().TouchLastSeen(DeviceIdFor(1), kT0 + hours(2), agent));
  ASSERT_OK(store().TouchLastSeen(DeviceIdFor(1), kT0 + hours(1),
                                  {"0.1.1", "Debian 12", "pi-kitchen", 3600}));
  ASSERT_OK_AND_ASSIGN(DeviceRecord device, store().GetDevice(DeviceIdFor(1)));
  EXPECT_EQ(device.last_seen, kT0 + hours(2));  // an older heartbeat does not move it back
  EXPECT_EQ(device.agent.agent_version, "0.1.1");
  EXPECT_EQ(device.agent.os, "Debian 12");
  EXPECT_EQ(device.agent.hostname, "pi-kitchen");
  EXPECT_EQ(device.agent.uptime_seconds, 3600);
  EXPECT_EQ(CODE_OF(store().TouchLastSeen(DeviceIdFor(1), kT0, {"0.1", "", "", -1})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().TouchLastSeen(DeviceIdFor(9), kT0, agent)), StatusCode::kNotFound);
  EXPECT_EQ(CODE_OF(store().TouchLastSeen(DeviceIdFor(1), kT0, {"0.1\x1b[31m", "", "", 0})),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Actions(DeviceIdFor(1)), std::vector<std::string>{"device.enroll"});
}

// ---- Listing ----

class StoreListTest : public StoreConformanceTest {
 protected:
  // 25 devices: created one second apart; even ones tagged env=prod, odd env=dev; every
  // third also tagged gpu=yes; devices 1-10 seen (device n at kT0 + n h); 20-24 revoked.
  void SetUp() override {
    StoreConformanceTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK(MakeToken("tok1", 100));
    for (int n = 0; n < 25; ++n) {
      TimePoint created = kT0 + seconds(n);
      // Names run in the opposite order to IDs, certificates expire in a third order.
      NewDevice d = DeviceFor(n);
      d.name = "dev-" + std::string(1, static_cast<char>('z' - n)) + ".wott.local";
      ASSERT_OK(store().EnrollDevice(
          "hash-tok1", d,
          CertFor("5e" + std::to_string(n), d.id, created, hours(24 + (n * 7) % 25)), "", created));
      Tags tags{{"env", n % 2 == 0 ? "prod" : "dev"}};
      if (n % 3 == 0) tags["gpu"] = "yes";
      ASSERT_OK(store().SetTags(d.id, tags, "cli", created));
      if (n >= 1 && n <= 10) {
        ASSERT_OK(store().TouchLastSeen(d.id, kT0 + hours(n), {}));
      }
      if (n >= 20) {
        ASSERT_OK(store().RevokeDevice(d.id, RevocationReason::kUnspecified, "cli", created));
      }
    }
  }

  std::vector<std::string> ListIds(const DeviceFilter& filter, const DeviceSort& sort,
                                   int limit = kMaxPageLimit, int64_t* total = nullptr) {
    Result<DevicePage> page = store().ListDevices(filter, sort, {0, limit});
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> ids;
    if (!page.ok()) return ids;
    for (const DeviceRecord& d : page->devices) ids.push_back(d.id);
    if (total) *total = page->total;
    return ids;
  }

  static std::vector<std::string> Ids(std::vector<int> ns) {
    std::vector<std::string> out;
    for (int n : ns) out.push_back(DeviceIdFor(n));
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreListTest, ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(StoreListTest, PagesCoverEveryDeviceOnceWithTotal) {
  std::set<std::string> seen;
  for (int64_t offset = 0; offset < 30; offset += 10) {
    ASSERT_OK_AND_ASSIGN(DevicePage page, store().ListDevices({}, {}, {offset, 10}));
    EXPECT_EQ(page.total, 25);
    EXPECT_EQ(page.devices.size(), offset < 20 ? 10u : 5u);
    for (const DeviceRecord& d : page.devices) {
      EXPECT_TRUE(seen.insert(d.id).second) << d.id << " on two pages";
      EXPECT_FALSE(d.tags.empty());  // pages carry tags
    }
  }
  EXPECT_EQ(seen.size(), 25u);
  ASSERT_OK_AND_ASSIGN(DevicePage past_end, store().ListDevices({}, {}, {100, 10}));
  EXPECT_TRUE(past_end.devices.empty());
  EXPECT_EQ(past_end.total, 25);
}

TEST_P(StoreListTest, RejectsBadPagesAndFilters) {
  for (PageRequest bad :
       {PageRequest{0, 0}, PageRequest{0, kMaxPageLimit + 1}, PageRequest{-1, 10}}) {
    EXPECT_EQ(CODE_OF(store().ListDevices({}, {}, bad)), StatusCode::kInvalidArgument);
  }
  DeviceFilter bad_tag;
  bad_tag.tags = {{"bad key", std::nullopt}};
  EXPECT_EQ(CODE_OF(store().ListDevices(bad_tag, {}, {})), StatusCode::kInvalidArgument);
  DeviceFilter too_many;
  too_many.tags.assign(17, TagMatch{"env", std::nullopt});
  EXPECT_EQ(CODE_OF(store().ListDevices(too_many, {}, {})), StatusCode::kInvalidArgument);
  EXPECT_OK(store().ListDevices({}, {}, {0, kMaxPageLimit}));
}

TEST_P(StoreListTest, SortsByEveryFieldBothWays) {
  std::vector<int> by_created(25);
  for (int n = 0; n < 25; ++n) by_created[n] = n;
  std::vector<int> reversed(by_created.rbegin(), by_created.rend());

  EXPECT_EQ(ListIds({}, {DeviceSortField::kCreatedAt, false}), Ids(by_created));
  EXPECT_EQ(ListIds({}, {DeviceSortField::kCreatedAt, true}), Ids(reversed));
  EXPECT_EQ(ListIds({}, {DeviceSortField::kId, false}), Ids(by_created));
  EXPECT_EQ(ListIds({}, {DeviceSortField::kName, false}), Ids(reversed));  // names run z..a
  EXPECT_EQ(ListIds({}, {DeviceSortField::kName, true}), Ids(by_created));

  // Never-seen devices (0, 11-24) are the oldest, ordered by ID among themselves.
  std::vector<int> seen_asc = {0,  11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                               23, 24, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10};
  EXPECT_EQ(ListIds({}, {DeviceSortField::kLastSeen, false}), Ids(seen_asc));
  std::vector<int> seen_desc(seen_asc.rbegin(), seen_asc.rend());
  EXPECT_EQ(ListIds({}, {DeviceSortField::kLastSeen, true}), Ids(seen_desc));

  std::vector<int> by_expiry = by_created;
  auto expiry = [](int n) { return kT0 + seconds(n) + hours(24 + (n * 7) % 25); };
  std::sort(by_expiry.begin(), by_expiry.end(), [&](int a, int b) {
    return std::make_pair(expiry(a), a) < std::make_pair(expiry(b), b);
  });
  EXPECT_EQ(ListIds({}, {DeviceSortField::kCertificateExpiry, false}), Ids(by_expiry));

  // Paging in a sort order continues where the previous page stopped.
  std::vector<std::string> first = ListIds({}, {DeviceSortField::kName, false}, 7);
  ASSERT_OK_AND_ASSIGN(DevicePage second,
                       store().ListDevices({}, {DeviceSortField::kName, false}, {7, 7}));
  ASSERT_EQ(first.size(), 7u);
  ASSERT_EQ(second.devices.size(), 7u);
  EXPECT_EQ(second.devices[0].id, DeviceIdFor(17));
}

TEST_P(StoreListTest, FiltersByStatusTagsAndPrefix) {
  int64_t total = 0;
  DeviceFilter revoked;
  revoked.status = DeviceStatus::kRevoked;
  EXPECT_EQ(ListIds(revoked, {DeviceSortField::kId, false}, 2, &total), Ids({20, 21}));
  EXPECT_EQ(total, 5);

  DeviceFilter prod;
  prod.tags = {{"env", std::string("prod")}};
  ListIds(prod, {}, 1, &total);
  EXPECT_EQ(total, 13);

  DeviceFilter gpu_dev;
  gpu_dev.tags = {{"gpu", std::nullopt}, {"env", std::string("dev")}};  // AND
  EXPECT_EQ(ListIds(gpu_dev, {DeviceSortField::kId, false}), Ids({3, 9, 15, 21}));

  DeviceFilter active_gpu = gpu_dev;
  active_gpu.status = DeviceStatus::kActive;
  EXPECT_EQ(ListIds(active_gpu, {DeviceSortField::kId, false}), Ids({3, 9, 15}));

  DeviceFilter no_match;
  no_match.tags = {{"env", std::string("staging")}};
  EXPECT_TRUE(ListIds(no_match, {}, 10, &total).empty());
  EXPECT_EQ(total, 0);

  DeviceFilter id_prefix;
  id_prefix.prefix = DeviceIdFor(16).substr(0, 31);  // ...001x: devices 16-24 (0x10-0x18)
  EXPECT_EQ(ListIds(id_prefix, {DeviceSortField::kId, false}),
            Ids({16, 17, 18, 19, 20, 21, 22, 23, 24}));
  DeviceFilter name_prefix;
  name_prefix.prefix = "dev-z";
  EXPECT_EQ(ListIds(name_prefix, {}), Ids({0}));
  name_prefix.prefix = "dev-y";  // not "dev-z..." right after it
  EXPECT_EQ(ListIds(name_prefix, {}), Ids({1}));
  name_prefix.prefix = DeviceIdFor(5);  // a whole ID
  EXPECT_EQ(ListIds(name_prefix, {}), Ids({5}));
  name_prefix.prefix = "DEV-Z";  // bytewise: case matters
  EXPECT_TRUE(ListIds(name_prefix, {}).empty());
  name_prefix.prefix = "dev-%";  // no LIKE wildcards
  EXPECT_TRUE(ListIds(name_prefix, {}).empty());
}

// A page of a tag or prefix filter can be found two ways (SQLite walks the sort order's
// index when many devices match the page's size, and sorts the matches when few do): small
// pages, which take the walk, must list exactly what one large page, which sorts, lists.
TEST_P(StoreListTest, SmallPagesOfATagOrPrefixFilterMatchOneLargePage) {
  DeviceFilter prod;
  prod.tags = {{"env", std::string("prod")}};
  DeviceFilter active_gpu;
  active_gpu.tags = {{"gpu", std::nullopt}};
  active_gpu.status = DeviceStatus::kActive;
  DeviceFilter revoked_dev;
  revoked_dev.tags = {{"env", std::string("dev")}};
  revoked_dev.status = DeviceStatus::kRevoked;
  DeviceFilter named;
  named.prefix = "dev-";  // every name
  DeviceFilter active_prod_named = prod;
  active_prod_named.prefix = "dev-";
  active_prod_named.status = DeviceStatus::kActive;
  for (const DeviceFilter& filter : {prod, active_gpu, revoked_dev, named, active_prod_named}) {
    for (DeviceSortField field :
         {DeviceSortField::kCreatedAt, DeviceSortField::kName, DeviceSortField::kId,
          DeviceSortField::kLastSeen, DeviceSortField::kCertificateExpiry}) {
      for (bool descending : {false, true}) {
        const DeviceSort sort{field, descending};
        int64_t total = 0;
        const std::vector<std::string> whole = ListIds(filter, sort, kMaxPageLimit, &total);
        ASSERT_EQ(static_cast<int64_t>(whole.size()), total);
        ASSERT_FALSE(whole.empty());
        std::vector<std::string> paged;
        for (int64_t offset = 0; offset < total; offset += 2) {
          ASSERT_OK_AND_ASSIGN(DevicePage page, store().ListDevices(filter, sort, {offset, 2}));
          EXPECT_EQ(page.total, total);
          for (const DeviceRecord& d : page.devices) paged.push_back(d.id);
        }
        EXPECT_EQ(paged, whole) << "sort field " << static_cast<int>(field) << " descending "
                                << descending;
      }
    }
  }
}

TEST_P(StoreListTest, CountsByStatus) {
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(0), "cli", kT0));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(24), "cli", kT0));
  ASSERT_OK_AND_ASSIGN(DeviceCounts counts, store().CountDevicesByStatus());
  EXPECT_EQ(counts.active, 19);
  EXPECT_EQ(counts.revoked, 4);
  EXPECT_EQ(counts.deleted, 2);
}

TEST_P(StoreListTest, ListsExpiringCurrentCertificatesOfActiveDevices) {
  // Device n's certificate expires at kT0 + n s + (24 + 7n mod 25) h; take a window of
  // hours [30, 40) after kT0.
  TimePoint from = kT0 + hours(30), until = kT0 + hours(40);
  std::vector<std::pair<TimePoint, int>> expected;
  for (int n = 0; n < 20; ++n) {  // 20-24 are revoked
    TimePoint expiry = kT0 + seconds(n) + hours(24 + (n * 7) % 25);
    if (expiry >= from && expiry < until) expected.emplace_back(expiry, n);
  }
  std::sort(expected.begin(), expected.end());
  ASSERT_OK_AND_ASSIGN(CertificatePage page, store().ListExpiringCertificates(from, until, {}));
  EXPECT_EQ(page.total, static_cast<int64_t>(expected.size()));
  ASSERT_EQ(page.certificates.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(page.certificates[i].device_id, DeviceIdFor(expected[i].second));
  }
  ASSERT_FALSE(expected.empty());
  // A renewed device is listed by its new certificate only; a revoked certificate not at all.
  std::string renewed = DeviceIdFor(expected[0].second);
  ASSERT_OK(store().RenewDevice(renewed, page.certificates[0].serial,
                                CertFor("ee01", renewed, kT0, hours(100)), "", kT0 + hours(1)));
  std::string revoked_serial = page.certificates.back().serial;
  ASSERT_OK(store().RevokeCertificate(revoked_serial, RevocationReason::kUnspecified, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(CertificatePage after, store().ListExpiringCertificates(from, until, {}));
  EXPECT_EQ(after.total, page.total - 2);
  ASSERT_OK_AND_ASSIGN(CertificatePage renewed_window,
                       store().ListExpiringCertificates(kT0 + hours(100), kT0 + hours(101), {}));
  ASSERT_EQ(renewed_window.certificates.size(), 1u);
  EXPECT_EQ(renewed_window.certificates[0].serial, "ee01");
}

// ---- CRL numbers, API tokens, events ----

TEST_P(StoreConformanceTest, CrlNumbersStrictlyIncreaseAcrossThreads) {
  ASSERT_OK_AND_ASSIGN(int64_t first, store().NextCrlNumber());
  EXPECT_EQ(first, 1);
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> got(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 25; ++k) {
        Result<int64_t> n = store().NextCrlNumber();
        if (n.ok()) got[i].push_back(*n);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& v : got) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(*all.begin(), 2);
  EXPECT_EQ(*all.rbegin(), 101);
}

TEST_P(StoreConformanceTest, ApiTokensAuthenticateOnlyWhileUsable) {
  NewApiToken in{"adm1", "alice laptop", "api-hash-1", kT0 + hours(24), "cli"};
  ASSERT_OK_AND_ASSIGN(ApiTokenRecord created, store().CreateApiToken(in, kT0));
  EXPECT_EQ(created.name, "alice laptop");
  EXPECT_EQ(created.expires_at, kT0 + hours(24));
  ASSERT_OK(
      store().CreateApiToken({"adm2", "ci", "api-hash-2", std::nullopt, "cli"}, kT0 + seconds(1)));

  ASSERT_OK_AND_ASSIGN(ApiTokenRecord found, store().FindApiTokenByHash("api-hash-1", kT0));
  EXPECT_EQ(found.id, "adm1");
  EXPECT_EQ(CODE_OF(store().FindApiTokenByHash("api-hash-x", kT0)), StatusCode::kUnauthenticated);
  EXPECT_EQ(CODE_OF(store().FindApiTokenByHash("api-hash-1", kT0 + hours(24))),
            StatusCode::kUnauthenticated);
  EXPECT_OK(store().FindApiTokenByHash("api-hash-2", kT0 + hours(24 * 365)));  // no expiry
  ASSERT_OK(store().RevokeApiToken("adm2", "cli", kT0));
  ASSERT_OK(store().RevokeApiToken("adm2", "cli", kT0));
  Result<ApiTokenRecord> revoked = store().FindApiTokenByHash("api-hash-2", kT0);
  EXPECT_EQ(CODE_OF(revoked), StatusCode::kUnauthenticated);
  EXPECT_EQ(revoked.status().message(), "API token is not valid");  // no hint which problem

  EXPECT_EQ(CODE_OF(store().CreateApiToken({"adm1", "x", "api-hash-3", std::nullopt, ""}, kT0)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CODE_OF(store().CreateApiToken({"adm3", "x", "api-hash-1", std::nullopt, ""}, kT0)),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CODE_OF(store().CreateApiToken({"adm3", "", "api-hash-3", std::nullopt, ""}, kT0)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().CreateApiToken({"adm3", "x", "api-hash-3", kT0, ""}, kT0)),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().RevokeApiToken("nope", "cli", kT0)), StatusCode::kNotFound);

  ASSERT_OK_AND_ASSIGN(auto tokens, store().ListApiTokens());
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].id, "adm2");
  EXPECT_TRUE(tokens[0].revoked_at);
  EXPECT_EQ(Actions(),
            (std::vector<std::string>{"api_token.create", "api_token.create", "api_token.revoke"}));
}

TEST_P(StoreConformanceTest, EventLogAppendsAndPagesNewestFirst) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    Event e{0,
            kT0 + seconds(i),
            "admin:alice",
            "user.login",
            i % 2 ? "odd" : "even",
            "attempt " + std::to_string(i) + "\nfrom 127.0.0.1"};
    ASSERT_OK_AND_ASSIGN(int64_t id, store().AppendEvent(e));
    ids.push_back(id);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 5u);

  ASSERT_OK_AND_ASSIGN(auto newest, store().ListEvents({std::nullopt, 0, 2}));
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, ids[4]);
  EXPECT_EQ(newest[0].time, kT0 + seconds(4));
  EXPECT_EQ(newest[0].actor, "admin:alice");
  EXPECT_EQ(newest[0].detail, "attempt 4\nfrom 127.0.0.1");
  ASSERT_OK_AND_ASSIGN(auto older, store().ListEvents({std::nullopt, newest[1].id, 10}));
  ASSERT_EQ(older.size(), 3u);
  EXPECT_EQ(older[0].id, ids[2]);
  ASSERT_OK_AND_ASSIGN(auto odd, store().ListEvents({std::string("odd"), 0, 10}));
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_EQ(odd[0].id, ids[3]);
  EXPECT_EQ(odd[1].id, ids[1]);

  for (const Event& bad :
       {Event{0, kT0, "cli", "", "", ""}, Event{0, kT0, "cli", "Bad Action", "", ""},
        Event{0, kT0, "cli\x07", "x", "", ""},
        Event{0, kT0, "cli", "x", "", std::string(4097, 'd')}}) {
    EXPECT_EQ(CODE_OF(store().AppendEvent(bad)), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(CODE_OF(store().ListEvents({std::nullopt, 0, 0})), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().ListEvents({std::nullopt, -1, 10})), StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListEvents({}));
  EXPECT_EQ(all.size(), 5u);
}

TEST_P(StoreConformanceTest, RejectsMalformedIdsEverywhere) {
  const std::string bad_id = "not-a-device";
  EXPECT_EQ(CODE_OF(store().GetDevice(bad_id)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().ListCertificates(bad_id, 100)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().CurrentCertificate(bad_id)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().TouchLastSeen(bad_id, kT0, {})), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().DeleteDevice(bad_id, "cli", kT0)), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().GetCertificate("0x12")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().GetEnrollmentToken("a b")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().FindDeviceByRecoveryToken("")), StatusCode::kInvalidArgument);
  EXPECT_EQ(CODE_OF(store().CurrentCertificate(DeviceIdFor(1))), StatusCode::kNotFound);
}

// ---- Trust policies (issue 5) ----

NewPolicy PolicyFor(std::string name, std::vector<std::string> devices,
                    std::vector<std::string> tags, std::string description = "") {
  NewPolicy p;
  p.name = std::move(name);
  p.description = std::move(description);
  p.allow_devices = std::move(devices);
  p.allow_tags = std::move(tags);
  return p;
}

std::string NameFor(int n) { return DeviceFor(n).name; }

TEST_P(StoreConformanceTest, CreatesReplacesListsAndDeletesPolicies) {
  EXPECT_EQ(CODE_OF(store().GetPolicy("web-app")), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(
      PolicyRecord created,
      store().PutPolicy(PolicyFor("web-app", {DeviceIdFor(2), DeviceIdFor(1), DeviceIdFor(2)},
                                  {"site=paris", "env=prod"}, "the demo web app"),
                        "admin:a", kT0));
  EXPECT_EQ(created.name, "web-app");
  EXPECT_EQ(created.version, 1);
  EXPECT_EQ(created.description, "the demo web app");
  // Sorted, duplicates dropped.
  EXPECT_EQ(created.allow_devices, (std::vector<std::string>{DeviceIdFor(1), DeviceIdFor(2)}));
  EXPECT_EQ(created.allow_tags, (std::vector<std::string>{"env=prod", "site=paris"}));
  EXPECT_EQ(created.updated_at, kT0);
  EXPECT_EQ(created.updated_by, "admin:a");
  ASSERT_OK_AND_ASSIGN(PolicyRecord got, store().GetPolicy("web-app"));
  EXPECT_EQ(got.allow_devices, created.allow_devices);
  EXPECT_EQ(got.allow_tags, created.allow_tags);
  EXPECT_EQ(got.version, 1);

  // A replacement is whole: the old rules go, the version goes up.
  const TimePoint t = kT0 + hours(1);
  ASSERT_OK_AND_ASSIGN(PolicyRecord replaced,
                       store().PutPolicy(PolicyFor("web-app", {}, {"a.b=x=y"}), "cli", t));
  EXPECT_EQ(replaced.version, 2);
  EXPECT_TRUE(replaced.allow_devices.empty());
  EXPECT_EQ(replaced.allow_tags, (std::vector<std::string>{"a.b=x=y"}));  // split at first '='
  EXPECT_EQ(replaced.description, "");
  EXPECT_EQ(replaced.updated_at, t);
  EXPECT_EQ(replaced.updated_by, "cli");
  ASSERT_OK(store().PutPolicy(PolicyFor("api", {DeviceIdFor(3)}, {}), "cli", t));

  ASSERT_OK_AND_ASSIGN(std::vector<PolicyRecord> all, store().ListPolicies());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "api");
  EXPECT_EQ(all[0].allow_devices, (std::vector<std::string>{DeviceIdFor(3)}));
  EXPECT_EQ(all[1].name, "web-app");
  EXPECT_EQ(all[1].version, 2);

  ASSERT_OK(store().DeletePolicy("web-app", "cli", t));
  EXPECT_EQ(CODE_OF(store().GetPolicy("web-app")), StatusCode::kNotFound);
  EXPECT_EQ(CODE_OF(store().ResolvePolicy("web-app")), StatusCode::kNotFound);
  EXPECT_EQ(CODE_OF(store().DeletePolicy("web-app", "cli", t)), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(std::vector<PolicyRecord> left, store().ListPolicies());
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].name, "api");
  // Created again after a delete: a new policy, version 1, no old rules.
  ASSERT_OK_AND_ASSIGN(PolicyRecord again,
                       store().PutPolicy(PolicyFor("web-app", {}, {}), "cli", t));
  EXPECT_EQ(again.version, 1);
  EXPECT_TRUE(again.allow_tags.empty());

  EXPECT_EQ(Actions("web-app"),
            (std::vector<std::string>{"policy.set", "policy.set", "policy.delete", "policy.set"}));
}

TEST_P(StoreConformanceTest, ResolvesActiveDevicesByIdOrTag) {
  ASSERT_OK(MakeToken("prod", 10, {{"env", "prod"}}));
  ASSERT_OK(MakeToken("plain", 10));
  ASSERT_OK(Enroll("prod", 1, "01"));   // env=prod
  ASSERT_OK(Enroll("plain", 2, "02"));  // listed by ID
  ASSERT_OK(Enroll("plain", 3, "03"));  // neither
  ASSERT_OK(Enroll("prod", 4, "04"));   // env=prod and listed: once
  ASSERT_OK(Enroll("plain", 5, "05"));  // site=paris, set later
  ASSERT_OK(store().SetTags(DeviceIdFor(5), {{"site", "paris"}}, "cli", kT0));
  ASSERT_OK(store().SetTags(DeviceIdFor(3), {{"env", "dev"}}, "cli", kT0));  // wrong value
  ASSERT_OK(store().PutPolicy(
      PolicyFor("web", {DeviceIdFor(2), DeviceIdFor(4), DeviceIdFor(99)},  // 99: not enrolled
                {"env=prod", "site=paris"}),
      "cli", kT0));

  ASSERT_OK_AND_ASSIGN(ResolvedPolicy resolved, store().ResolvePolicy("web"));
  EXPECT_EQ(resolved.policy.version, 1);
  EXPECT_EQ(resolved.allowed_devices,
            (std::vector<std::string>{NameFor(1), NameFor(2), NameFor(4), NameFor(5)}));

  // Revoked and deleted devices are excluded, whether listed or tagged.
  ASSERT_OK(store().RevokeDevice(DeviceIdFor(1), RevocationReason::kUnspecified, "cli", kT0));
  ASSERT_OK(store().DeleteDevice(DeviceIdFor(2), "cli", kT0));
  ASSERT_OK_AND_ASSIGN(ResolvedPolicy after, store().ResolvePolicy("web"));
  EXPECT_EQ(after.allowed_devices, (std::vector<std::string>{NameFor(4), NameFor(5)}));
  EXPECT_EQ(after.policy.version, 1);  // membership changed, the policy did not

  // A tag change moves a device in or out.
  ASSERT_OK(store().SetTags(DeviceIdFor(5), {{"site", "lyon"}}, "cli", kT0));
  ASSERT_OK(store().SetTags(DeviceIdFor(3), {{"env", "prod"}}, "cli", kT0));
  ASSERT_OK_AND_ASSIGN(ResolvedPolicy moved, store().ResolvePolicy("web"));
  EXPECT_EQ(moved.allowed_devices, (std::vector<std::string>{NameFor(3), NameFor(4)}));

  // A policy with no rules allows nobody.
  ASSERT_OK(store().PutPolicy(PolicyFor("empty", {}, {}), "cli", kT0));
  ASSERT_OK_AND_ASSIGN(ResolvedPolicy empty, store().ResolvePolicy("empty"));
  EXPECT_TRUE(empty.allowed_devices.empty());
}

TEST_P(StoreConformanceTest, RefusesBadPoliciesWithoutWriting) {
  ASSERT_OK(store().PutPolicy(PolicyFor("web", {DeviceIdFor(1)}, {"env=prod"}), "cli", kT0));
  std::vector<std::string> too_many_devices;
  for (int i = 0; i <= 10'000; ++i) too_many_devices.push_back(DeviceIdFor(i + 1));
  std::vector<std::string> too_many_tags;
  for (int i = 0; i <= 64; ++i) too_many_tags.push_back("k=" + std::to_string(i));
  const NewPolicy bad[] = {
      PolicyFor("", {}, {}),
      PolicyFor("Web", {}, {}),
      PolicyFor("-web", {}, {}),
      PolicyFor("web_app", {}, {}),
      PolicyFor(std::string(64, 'a'), {}, {}),
      PolicyFor("web", {"not-a-device"}, {}),
      PolicyFor("web", {DeviceIdFor(1) + ".d.wott.local"}, {}),  // names are the caller's job
      PolicyFor("web", {}, {"env"}),
      PolicyFor("web", {}, {"=prod"}),
      PolicyFor("web", {}, {"bad key=v"}),
      PolicyFor("web", {}, {"k=line\nbreak"}),
      PolicyFor("web", {}, {"k=" + std::string(257, 'v')}),
      PolicyFor("web", {}, {}, std::string(257, 'd')),
      PolicyFor("web", too_many_devices, {}),
      PolicyFor("web", {}, too_many_tags),
  };
  for (const NewPolicy& policy : bad) {
    Result<PolicyRecord> r = store().PutPolicy(policy, "cli", kT0);
    EXPECT_EQ(CODE_OF(r), StatusCode::kInvalidArgument) << policy.name;
    EXPECT_FALSE(r.status().message().empty());
  }
  EXPECT_EQ(CODE_OF(store().PutPolicy(PolicyFor("web", {}, {}), "bad\nactor", kT0)),
            StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(PolicyRecord unchanged, store().GetPolicy("web"));
  EXPECT_EQ(unchanged.version, 1);
  EXPECT_EQ(unchanged.allow_devices, (std::vector<std::string>{DeviceIdFor(1)}));
  EXPECT_EQ(Actions("web"), (std::vector<std::string>{"policy.set"}));
  for (const char* name : {"", "Web", "a b", "../x"}) {
    EXPECT_EQ(CODE_OF(store().GetPolicy(name)), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(CODE_OF(store().ResolvePolicy(name)), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(CODE_OF(store().DeletePolicy(name, "cli", kT0)), StatusCode::kInvalidArgument);
  }
  // The limits themselves are accepted.
  too_many_devices.pop_back();
  too_many_tags.pop_back();
  ASSERT_OK_AND_ASSIGN(
      PolicyRecord big,
      store().PutPolicy(PolicyFor("big", too_many_devices, too_many_tags, std::string(256, 'd')),
                        "cli", kT0));
  EXPECT_EQ(big.allow_devices.size(), 10'000u);
  EXPECT_EQ(big.allow_tags.size(), 64u);
}

// ---- OpenStore ----

TEST(OpenStoreTest, PicksBackendsAndRefusesUnknownSchemes) {
  EXPECT_OK(OpenStore("memory:"));
  // Nothing listens on port 1: the PostgreSQL backend is picked and reports the server down,
  // without echoing the password.
  Result<std::unique_ptr<Store>> postgres = OpenStore("postgres://u:secret@127.0.0.1:1/wott");
  EXPECT_EQ(CODE_OF(postgres), StatusCode::kUnavailable);
  EXPECT_EQ(postgres.status().ToString().find("secret"), std::string::npos);
  for (const char* bad :
       {"", "mysql://x", "sqlite:", "memory", "/var/lib/wott/registry.db", "postgres:wott"}) {
    Result<std::unique_ptr<Store>> r = OpenStore(bad);
    EXPECT_EQ(CODE_OF(r), StatusCode::kInvalidArgument) << bad;
    EXPECT_FALSE(r.status().message().empty());
  }
  OpenOptions no_clock;
  no_clock.clock = nullptr;
  EXPECT_EQ(CODE_OF(OpenStore("memory:", no_clock)), StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, MemoryStoresAreIndependent) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> a, OpenStore("memory:"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> b, OpenStore("memory:"));
  ASSERT_OK(a->CreateEnrollmentToken(TokenFor("tok1"), kT0));
  EXPECT_EQ(CODE_OF(b->GetEnrollmentToken("tok1")), StatusCode::kNotFound);
}

}  // namespace
}  // namespace wott::store
