// Scale check for the SQLite registry (a measurement, not a test): enrolls N devices
// (default 100,000) through the Store API, then lists page 1000 in several orders and
// filters, and prints wall times and the process's peak RSS.
//   store_scale_check DIR [N]      (DIR must exist; DIR/registry.db is created)
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/store.h"

namespace {

using wott::store::CertificateRecord;
using wott::store::DeviceFilter;
using wott::store::DevicePage;
using wott::store::DeviceSort;
using wott::store::DeviceSortField;
using wott::store::NewDevice;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

std::string Hex32(int n) {
  // Spread IDs over all 32 digits, as random ones would be.
  uint64_t hi = static_cast<uint64_t>(n + 1) * 0x9e3779b97f4a7c15ull;
  uint64_t lo = static_cast<uint64_t>(n + 1) * 0xc2b2ae3d27d4eb4full;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

int Fail(const wott::Status& status) {
  std::fprintf(stderr, "error: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [N]\n", argv[0]);
    return 2;
  }
  const int n = argc > 2 ? std::atoi(argv[2]) : 100'000;
  const wott::TimePoint t0 = wott::store::FromUnixSeconds(1'800'000'000);
  auto opened = wott::store::OpenStore(std::string("sqlite:") + argv[1] + "/registry.db");
  if (!opened.ok()) return Fail(opened.status());
  wott::store::Store& store = **opened;

  wott::store::NewEnrollmentToken token;
  token.id = "scale";
  token.token_hash = "scale-hash";
  token.max_uses = n;
  token.expires_at = t0 + std::chrono::hours(24 * 365);
  token.tags = {{"fleet", "scale"}};
  // A registry left by an earlier run is reused, to time the queries again.
  const bool fresh = !store.GetEnrollmentToken(token.id).ok();
  if (fresh) {
    if (auto r = store.CreateEnrollmentToken(token, t0); !r.ok()) return Fail(r.status());
  }

  auto start = Clock::now();
  for (int i = 0; fresh && i < n; ++i) {
    NewDevice device{
        Hex32(i), Hex32(i) + ".d.wott.local", {{"hostname", "host-" + std::to_string(i)}}};
    CertificateRecord cert;
    cert.serial = "5e" + Hex32(i);
    cert.device_id = device.id;
    cert.not_before = t0 + std::chrono::seconds(i);
    cert.not_after = cert.not_before + std::chrono::hours(24 * 7);
    cert.fingerprint = std::string(64, 'b');
    auto r = store.EnrollDevice("scale-hash", device, cert, "rec-" + std::to_string(i),
                                t0 + std::chrono::seconds(i));
    if (!r.ok()) return Fail(r.status());
    if (i % 10 == 0) {
      auto s = store.SetTags(
          device.id, {{"fleet", "scale"}, {"site", "site-" + std::to_string(i % 7)}}, "scale", t0);
      if (!s.ok()) return Fail(s);
    }
  }
  if (fresh) {
    std::printf("enrolled %d devices in %.1f s (%.0f/s); peak RSS %ld KiB\n", n, Seconds(start),
                n / Seconds(start), PeakRssKib());
  } else {
    std::printf("reusing the registry in %s\n", argv[1]);
  }

  struct Query {
    const char* what;
    DeviceFilter filter;
    DeviceSort sort;
  };
  DeviceFilter by_tag;
  by_tag.tags = {{"site", std::string("site-3")}};
  DeviceFilter by_prefix;
  by_prefix.prefix = Hex32(12345).substr(0, 4);
  const Query queries[] = {
      {"page 1000, newest first", {}, {}},
      {"page 1000, by name", {}, {DeviceSortField::kName, false}},
      {"page 1000, by last seen", {}, {DeviceSortField::kLastSeen, true}},
      {"page 1000, by expiry", {}, {DeviceSortField::kCertificateExpiry, false}},
      {"tag site=site-3, page 1", by_tag, {}},
      {"ID prefix, page 1", by_prefix, {}},
  };
  for (const Query& q : queries) {
    bool first_page = !q.filter.tags.empty() || !q.filter.prefix.empty();
    wott::store::PageRequest page{first_page ? 0 : 999 * 100, 100};
    auto qstart = Clock::now();
    auto r = store.ListDevices(q.filter, q.sort, page);
    if (!r.ok()) return Fail(r.status());
    std::printf("%-28s %3zu devices of %6lld in %6.1f ms\n", q.what, r->devices.size(),
                static_cast<long long>(r->total), Seconds(qstart) * 1000);
  }
  auto cstart = Clock::now();
  auto counts = store.CountDevicesByStatus();
  if (!counts.ok()) return Fail(counts.status());
  std::printf("%-28s %lld active in %.1f ms\n", "count by status",
              static_cast<long long>(counts->active), Seconds(cstart) * 1000);
  std::printf("peak RSS %ld KiB (%.1f MiB)\n", PeakRssKib(), PeakRssKib() / 1024.0);
  return 0;
}
