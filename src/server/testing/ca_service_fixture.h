// CaServiceFixture: a test fixture with a fresh CA (made by pki::InitCa in a temporary
// directory), an in-memory registry and a CaService on a FakeClock, shared by the server's
// handler and domain tests. Test-only; not thread-safe beyond what CaService is.
#ifndef WOTT_SERVER_TESTING_CA_SERVICE_FIXTURE_H_
#define WOTT_SERVER_TESTING_CA_SERVICE_FIXTURE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "net/router.h"
#include "pki/ca_directory.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "server/ca_service.h"
#include "server/enrollment_tokens.h"
#include "server/routes.h"
#include "store/store.h"
#include "tests/support/test_ca.h"

namespace wott::server::testing {

// 2026-11-27T09:16:07Z: the fake clock's start.
inline const TimePoint kFixtureStart = std::chrono::system_clock::from_time_t(1795770967);

class CaServiceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    pki::CaInitOptions init;
    init.data_dir = tmp_.path() / "data";
    ASSERT_TRUE(pki::InitCa(init, clock_).ok());
    store_ = std::move(*store::OpenStore("memory:"));
    Result<pki::LoadedCa> ca = pki::LoadCa(init.data_dir);
    ASSERT_TRUE(ca.ok()) << ca.status();
    Result<std::unique_ptr<CaService>> service =
        CaService::Create(std::move(*ca), store_.get(), &clock_, service_options_);
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = std::move(*service);
  }

  // A PEM CSR for a new P-256 key (kept in keys_, so tests can renew with it later).
  std::string NewCsr() {
    keys_.push_back(*pki::GenerateKey(pki::KeyType::kP256));
    return *pki::CsrToPem(pki::CreateCsr(keys_.back().get(), "whatever")->get());
  }

  // Enrolls a device with a fresh token carrying `tags`.
  IssuedCertificate EnrollTagged(store::Tags tags = {}) {
    TokenSpec spec;
    spec.tags = std::move(tags);
    Result<CreatedToken> token = CreateEnrollmentToken(*store_, spec, "test", clock_);
    EXPECT_TRUE(token.ok()) << token.status();
    Result<IssuedCertificate> issued =
        service_->Enroll({.token = token->token, .csr = NewCsr(), .hostname = "", .os = ""});
    EXPECT_TRUE(issued.ok()) << issued.status();
    return *issued;
  }

  // The actions recorded about `subject`, oldest first, with their actors.
  std::vector<std::pair<std::string, std::string>> EventsAbout(const std::string& subject) {
    store::EventQuery query;
    query.subject = subject;
    std::vector<std::pair<std::string, std::string>> out;
    Result<std::vector<store::Event>> events = store_->ListEvents(query);
    EXPECT_TRUE(events.ok()) << events.status();
    if (!events.ok()) return out;
    for (const store::Event& e : *events) out.emplace_back(e.action, e.actor);
    std::reverse(out.begin(), out.end());
    return out;
  }

  FakeClock clock_{kFixtureStart};
  wott::testing::TempDir tmp_;
  std::unique_ptr<store::Store> store_;
  // Set before CaServiceFixture::SetUp to create the service with other options.
  CaServiceOptions service_options_;
  std::unique_ptr<CaService> service_;
  std::vector<pki::PrivateKey> keys_;
};

// CaServiceFixture with every route in router_ and an admin API token (admin_id_,
// admin_token_) for the admin API tests.
class AdminApiFixture : public CaServiceFixture {
 protected:
  void SetUp() override {
    CaServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(AddRoutes(router_, *service_).ok());
    Result<CreatedToken> admin = CreateApiToken(*store_, "tests", "test", clock_);
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_id_ = admin->id;
    admin_token_ = admin->token;
  }

  net::Router router_;
  std::string admin_id_;
  std::string admin_token_;
};

}  // namespace wott::server::testing

#endif  // WOTT_SERVER_TESTING_CA_SERVICE_FIXTURE_H_
