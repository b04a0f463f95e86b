// Fuzzes the device-facing request paths as a whole: arbitrary bytes as the JSON body of
// POST /v1/enroll, /v1/renew and /v1/recover, dispatched through the real router, CA service
// and an in-memory registry, with a valid enrollment token in the dictionary. Checks that
// every answer is a well-formed response: a known status and, for errors, the JSON error
// body. (No TLS: the transport has its own tests; this is the parsing and domain logic.)
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "net/router.h"
#include "pki/ca_directory.h"
#include "server/ca_service.h"
#include "server/routes.h"
#include "store/store.h"

namespace {

// The token the dictionary and seed corpus use, with more uses than a run can spend.
constexpr char kToken[] = "etfuzz.fuzz-token-secret";

struct Fixture {
  Fixture() {
    char dir[] = "/tmp/wott-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) abort();
    wott::pki::CaInitOptions init;
    init.data_dir = std::filesystem::path(dir) / "data";
    if (!wott::pki::InitCa(init, clock).ok()) abort();
    store = std::move(*wott::store::OpenStore("memory:"));
    ca = std::move(*wott::server::CaService::Create(*wott::pki::LoadCa(init.data_dir),
                                                    store.get(), &clock));
    std::filesystem::remove_all(dir);
    wott::store::NewEnrollmentToken token;
    token.id = "etfuzz";
    token.token_hash = wott::server::CaService::HashToken(kToken);
    token.max_uses = 1000000;
    token.expires_at = clock.Now() + std::chrono::hours(24 * 365);
    token.created_by = "fuzz";
    if (!store->CreateEnrollmentToken(token, clock.Now()).ok()) abort();
    if (!wott::server::AddRoutes(router, *ca).ok()) abort();
  }
  wott::RealClock clock;
  std::unique_ptr<wott::store::Store> store;
  std::unique_ptr<wott::server::CaService> ca;
  wott::net::Router router;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  if (size == 0) return 0;
  static const char* kPaths[] = {"/v1/enroll", "/v1/recover", "/v1/renew"};
  wott::net::HttpRequest request;
  request.method = "POST";
  request.path = request.target = kPaths[data[0] % 3];
  request.headers.Set("Content-Type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  wott::net::HttpResponse response = fixture->router.Dispatch(request);

  const int s = response.status;
  if (s != 200 && s != 201 && s != 400 && s != 401 && s != 403 && s != 404 && s != 409) {
    __builtin_trap();  // 5xx or anything unexpected is a bug
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded()) __builtin_trap();
  if (s >= 400 && !(body.contains("error") && body["error"].contains("code") &&
                    body["error"]["code"].is_string() && body["error"]["message"].is_string())) {
    __builtin_trap();
  }
  return 0;
}
