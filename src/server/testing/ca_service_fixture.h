// CaServiceFixture: a test fixture with a fresh CA (made by pki::InitCa in a temporary
// directory), an in-memory registry and a CaService on a FakeClock, shared by the server's
// handler and domain tests. Test-only; not thread-safe beyond what CaService is.
#ifndef WOTT_SERVER_TESTING_CA_SERVICE_FIXTURE_H_
#define WOTT_SERVER_TESTING_CA_SERVICE_FIXTURE_H_

#include <memory>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "pki/ca_directory.h"
#include "server/ca_service.h"
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
    service_ = std::move(*CaService::Create(std::move(*ca), store_.get(), &clock_));
  }

  FakeClock clock_{kFixtureStart};
  wott::testing::TempDir tmp_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<CaService> service_;
};

}  // namespace wott::server::testing

#endif  // WOTT_SERVER_TESTING_CA_SERVICE_FIXTURE_H_
