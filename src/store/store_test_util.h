// Test helpers shared by the store tests: status assertions, a temporary directory, and
// builders for valid records. Test-only; not part of wott_store.
#ifndef WOTT_STORE_STORE_TEST_UTIL_H_
#define WOTT_STORE_STORE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>

#include "base/status.h"
#include "store/records.h"

namespace wott {

inline void PrintTo(StatusCode code, std::ostream* os) { *os << StatusCodeName(code); }

}  // namespace wott

#define STORE_TEST_CONCAT_INNER_(a, b) a##b
#define STORE_TEST_CONCAT_(a, b) STORE_TEST_CONCAT_INNER_(a, b)

// ASSERT_OK(status_or_result): fails the test (and returns) when not OK.
#define ASSERT_OK(expr)                                        \
  do {                                                         \
    const auto& store_test_s_ = (expr);                        \
    ASSERT_TRUE(store_test_s_.ok()) << store_test_s_.status(); \
  } while (false)
#define EXPECT_OK(expr)                                        \
  do {                                                         \
    const auto& store_test_s_ = (expr);                        \
    EXPECT_TRUE(store_test_s_.ok()) << store_test_s_.status(); \
  } while (false)

// ASSERT_OK_AND_ASSIGN(lhs, result): asserts OK, then moves the value into lhs.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(STORE_TEST_CONCAT_(store_test_r_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()

// The status code of a Status or Result.
#define CODE_OF(expr) ((expr).status().code())

namespace wott::store::testing {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// 2027-01-15T08:00:00Z: a fixed, whole-second "now".
inline const TimePoint kT0 = FromUnixSeconds(1'800'000'000);

// A directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/wott-store-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Device number n -> a 32-hex device ID.
inline std::string DeviceIdFor(int n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", n);
  return buf;
}

inline NewDevice DeviceFor(int n) {
  NewDevice device;
  device.id = DeviceIdFor(n);
  device.name = device.id + ".d.wott.local";
  return device;
}

// A valid certificate record for `device_id`, valid [not_before, not_before + lifetime].
inline CertificateRecord CertFor(std::string serial, std::string device_id,
                                 TimePoint not_before = kT0, Duration lifetime = hours(24 * 7)) {
  CertificateRecord c;
  c.serial = std::move(serial);
  c.device_id = std::move(device_id);
  c.not_before = not_before;
  c.not_after = not_before + lifetime;
  c.fingerprint = std::string(64, 'a');
  c.pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  return c;
}

inline NewEnrollmentToken TokenFor(std::string id, int64_t uses = 1, Duration ttl = hours(24),
                                   Tags tags = {}) {
  NewEnrollmentToken t;
  t.token_hash = "hash-" + id;
  t.id = std::move(id);
  t.max_uses = uses;
  t.expires_at = kT0 + ttl;
  t.tags = std::move(tags);
  t.created_by = "cli";
  return t;
}

}  // namespace wott::store::testing

#endif  // WOTT_STORE_STORE_TEST_UTIL_H_
