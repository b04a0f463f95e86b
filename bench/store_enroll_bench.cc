// store_enroll_bench: the registry's share of issuance, without TLS, HTTP or signing.
// T threads each call Store::EnrollDevice N times (one token, fresh device IDs and serials,
// hostname/os metadata as a device sends them) on a new SQLite registry in DIR, then one
// JSON line: enrollments/s, process CPU per enrollment (getrusage), bytes and write
// syscalls per enrollment (/proc/self/io), and the group-commit batches.
//
//   store_enroll_bench DIR [THREADS=8] [PER_THREAD=500] [PRELOAD=0]
//
// PRELOAD devices are enrolled first (not measured), so the indexes have a realistic size.
// Bounded: THREADS <= 256, PER_THREAD <= 100000. DIR must exist; registry.db* in it are
// replaced.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store_impl.h"
#include "store/store.h"

namespace {

using wott::store::CertificateRecord;
using wott::store::NewDevice;
using wott::store::NewEnrollmentToken;

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto sec = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  return sec(usage.ru_utime) + sec(usage.ru_stime);
}

// wchar and syscw from /proc/self/io.
std::pair<long long, long long> WriteCounters() {
  std::ifstream io("/proc/self/io");
  std::string key;
  long long value = 0, wchar = 0, syscw = 0;
  while (io >> key >> value) {
    if (key == "wchar:") wchar = value;
    if (key == "syscw:") syscw = value;
  }
  return {wchar, syscw};
}

// A pseudo-random 32-hex ID for n (IDs are random in the server: index inserts land on
// random pages, which is what this bench must reproduce).
std::string RandomishId(long long n) {
  unsigned long long x = static_cast<unsigned long long>(n) * 0x9E3779B97F4A7C15ull;
  x ^= x >> 29;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", x, x * 0xBF58476D1CE4E5B9ull);
  return buf;
}

wott::Status Enroll(wott::store::Store& store, long long n, wott::TimePoint now) {
  NewDevice device;
  device.id = RandomishId(n);
  device.name = device.id + ".d.wott.local";
  device.metadata = {{"hostname", "host-" + std::to_string(n)}, {"os", "Linux"}};
  CertificateRecord cert;
  cert.serial = RandomishId(n + (1ll << 40)).substr(0, 32);
  cert.device_id = device.id;
  cert.not_before = now;
  cert.not_after = now + std::chrono::hours(24 * 7);
  cert.fingerprint = std::string(64, 'a');
  cert.pem =
      "-----BEGIN CERTIFICATE-----\n" + std::string(700, 'A') + "\n-----END CERTIFICATE-----\n";
  return store.EnrollDevice("bench-token-hash", device, cert, "rec-" + device.id, now).status();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_enroll_bench DIR [THREADS] [PER_THREAD] [PRELOAD]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int threads = argc > 2 ? std::atoi(argv[2]) : 8;
  const int per_thread = argc > 3 ? std::atoi(argv[3]) : 500;
  const long long preload = argc > 4 ? std::atoll(argv[4]) : 0;
  if (threads < 1 || threads > 256 || per_thread < 1 || per_thread > 100000 || preload < 0 ||
      preload > 1000000) {
    std::fprintf(stderr, "THREADS 1-256, PER_THREAD 1-100000, PRELOAD 0-1000000\n");
    return 2;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(dir + "/registry.db" + suffix);
  }
  auto opened = wott::store::OpenStore("sqlite:" + dir + "/registry.db");
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  wott::store::Store& store = **opened;
  const wott::TimePoint now = wott::store::FromUnixSeconds(1'800'000'000);
  NewEnrollmentToken token;
  token.id = "bench";
  token.token_hash = "bench-token-hash";
  token.max_uses = 1'000'000;
  token.expires_at = now + std::chrono::hours(1);
  if (auto t = store.CreateEnrollmentToken(token, now); !t.ok()) {
    std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
    return 1;
  }
  // Preload from several threads too, so it goes at group-commit speed.
  std::atomic<long long> next{1};
  std::atomic<int> errors{0};
  auto worker = [&](long long until) {
    for (long long n = next++; n <= until; n = next++) {
      if (!Enroll(store, n, now).ok()) ++errors;
    }
  };
  {
    std::vector<std::thread> pool;
    for (int i = 0; i < 16; ++i) pool.emplace_back(worker, preload);
    for (auto& t : pool) t.join();
  }
  next = preload + 1;
  auto* sqlite = dynamic_cast<wott::store::sqlite::SqliteStore*>(&store);
  auto stats0 = sqlite->write_stats();
  auto [wchar0, syscw0] = WriteCounters();
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  const long long total = static_cast<long long>(threads) * per_thread;
  {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker, preload + total);
    for (auto& t : pool) t.join();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  auto [wchar1, syscw1] = WriteCounters();
  auto stats1 = sqlite->write_stats();
  const long long batches = stats1.batches - stats0.batches;
  std::printf(
      "{\"threads\":%d,\"enrollments\":%lld,\"preload\":%lld,\"errors\":%d,\"per_s\":%.1f,"
      "\"cpu_us_per_enroll\":%.1f,\"write_bytes_per_enroll\":%.0f,\"write_calls_per_enroll\":%.1f,"
      "\"batches\":%lld,\"avg_batch\":%.2f,\"max_batch\":%lld}\n",
      threads, total, preload, errors.load(), total / seconds, cpu * 1e6 / total,
      static_cast<double>(wchar1 - wchar0) / total, static_cast<double>(syscw1 - syscw0) / total,
      batches, batches ? static_cast<double>(stats1.ops - stats0.ops) / batches : 0.0,
      static_cast<long long>(stats1.max_batch));
  return errors.load() == 0 ? 0 : 1;
}
