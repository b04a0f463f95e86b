// enroll_load: the load client of issue 3's issuance benchmark. N threads, each with one
// blocking Beast client, post enrollment requests built from pre-generated P-256 CSRs for
// a bounded time and count, and the result is printed as one JSON line: req/s, p50/p99
// latency, errors and, with --server-pid, the server's CPU time per issued certificate
// (utime + stime from /proc/PID/stat before and after the run).
//
//   enroll_load --generate-csrs 1000 --csr-file csrs.pem
//   enroll_load --mode wott --url https://127.0.0.1:8443/v1/enroll --ca-file ca.crt
//       --token T --csr-file csrs.pem --concurrency 8 --duration 10 [--new-connection]
//   enroll_load --mode cfssl --url http://127.0.0.1:8888/api/v1/cfssl/sign ...
//
// wott mode posts {"token", "csr"} over HTTPS and expects 201; cfssl mode posts
// {"certificate_request"} over plain HTTP and expects 200 with "success": true.
// Only loopback targets are accepted. A watchdog closes the sockets of threads still
// blocked 10 s after the deadline, so a stalled server cannot hang the benchmark.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pki/csr.h"
#include "pki/key.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

struct Config {
  std::string mode = "wott";
  std::string url;
  std::string ca_file;
  std::string token;
  std::string csr_file;
  std::string label;
  int concurrency = 1;
  double duration_s = 10;
  int64_t max_requests = 1'000'000;
  bool new_connection = false;
  int server_pid = 0;
  int generate_csrs = 0;
};

struct Target {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string path;
};

// Parses "scheme://host:port/path"; only 127.0.0.1 and localhost are accepted.
std::optional<Target> ParseTarget(const std::string& url, std::string* error) {
  Target t;
  std::string rest;
  if (url.starts_with("https://")) {
    t.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    *error = "url must start with http:// or https://";
    return std::nullopt;
  }
  size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  t.path = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos) {
    *error = "url needs an explicit port";
    return std::nullopt;
  }
  t.host = authority.substr(0, colon);
  int port = std::atoi(authority.c_str() + colon + 1);
  if (port <= 0 || port > 65535) {
    *error = "bad port in url";
    return std::nullopt;
  }
  t.port = static_cast<uint16_t>(port);
  if (t.host != "127.0.0.1" && t.host != "localhost") {
    *error = "only 127.0.0.1 or localhost targets are allowed";
    return std::nullopt;
  }
  return t;
}

std::vector<std::string> ReadCsrs(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  const std::string end = "-----END CERTIFICATE REQUEST-----";
  std::vector<std::string> csrs;
  size_t start = 0;
  for (size_t pos; (pos = text.find(end, start)) != std::string::npos;) {
    size_t begin = text.find("-----BEGIN", start);
    csrs.push_back(text.substr(begin, pos + end.size() - begin) + "\n");
    start = pos + end.size();
  }
  return csrs;
}

int GenerateCsrs(const Config& config) {
  std::ofstream out(config.csr_file, std::ios::trunc);
  for (int i = 0; i < config.generate_csrs; ++i) {
    auto key = wott::pki::GenerateKey(wott::pki::KeyType::kP256);
    if (!key.ok()) return std::fprintf(stderr, "keygen: %s\n", key.status().ToString().c_str()), 1;
    auto csr = wott::pki::CreateCsr(key->get(), "bench-device");
    if (!csr.ok()) return std::fprintf(stderr, "csr: %s\n", csr.status().ToString().c_str()), 1;
    out << *wott::pki::CsrToPem(csr->get());
  }
  out.close();
  if (!out) return std::fprintf(stderr, "cannot write %s\n", config.csr_file.c_str()), 1;
  return 0;
}

// utime + stime of `pid` in microseconds, from /proc/PID/stat; -1 when unreadable.
int64_t ProcessCpuMicros(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');  // the command name may contain spaces
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  // Fields after "(comm)": state is #3; utime #14 and stime #15.
  int64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return (utime + stime) * 1'000'000 / sysconf(_SC_CLK_TCK);
}

int64_t SelfCpuMicros() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1'000'000LL + u.ru_utime.tv_usec +
         u.ru_stime.tv_usec;
}

// State shared by the workers.
struct Shared {
  const Config* config = nullptr;
  Target target;
  ssl::context* tls = nullptr;
  std::vector<std::string> bodies;  // one request body per CSR
  SteadyClock::time_point deadline;
  std::atomic<int64_t> started{0};
  std::atomic<bool> stop{false};
};

// What one worker saw.
struct WorkerResult {
  std::vector<uint32_t> latencies_us;  // successful requests only
  int64_t errors = 0;
  int64_t connections = 0;
  std::string first_error;
  std::atomic<int> fd{-1};  // the socket in use, for the watchdog
  std::atomic<bool> done{false};
};

bool ResponseOk(const Config& config, const http::response<http::string_body>& res) {
  if (config.mode == "wott") {
    return res.result_int() == 201 && res.body().find("\"certificate\"") != std::string::npos;
  }
  return res.result_int() == 200 && res.body().find("\"success\":true") != std::string::npos;
}

// One connection at a time over Stream (tcp::socket or ssl::stream<tcp::socket>).
template <typename Stream>
class Client {
 public:
  Client(Shared& shared, WorkerResult& result) : shared_(shared), result_(result) {}

  void Run() {
    const Config& config = *shared_.config;
    while (!shared_.stop.load(std::memory_order_relaxed)) {
      if (SteadyClock::now() >= shared_.deadline) break;
      int64_t n = shared_.started.fetch_add(1, std::memory_order_relaxed);
      if (n >= config.max_requests) break;
      const std::string& body = shared_.bodies[n % shared_.bodies.size()];
      auto t0 = SteadyClock::now();
      std::string error;
      bool ok = OneRequest(body, &error);
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0);
      if (ok) {
        result_.latencies_us.push_back(static_cast<uint32_t>(us.count()));
      } else {
        ++result_.errors;
        if (result_.first_error.empty()) result_.first_error = error;
        Disconnect();
      }
    }
    Disconnect();
  }

 private:
  bool OneRequest(const std::string& body, std::string* error) {
    const Config& config = *shared_.config;
    beast::error_code ec;
    if (!stream_ && !Connect(error)) return false;
    http::request<http::string_body> req{http::verb::post, shared_.target.path, 11};
    req.set(http::field::host, shared_.target.host);
    req.set(http::field::content_type, "application/json");
    req.keep_alive(!config.new_connection);
    req.body() = body;
    req.prepare_payload();
    http::write(*stream_, req, ec);
    if (ec) return *error = "write: " + ec.message(), false;
    http::response<http::string_body> res;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    http::read(*stream_, buffer_, parser, ec);
    if (ec) return *error = "read: " + ec.message(), false;
    res = parser.release();
    bool ok = ResponseOk(config, res);
    if (!ok) *error = "HTTP " + std::to_string(res.result_int()) + ": " + res.body().substr(0, 200);
    if (config.new_connection || !res.keep_alive()) Disconnect();
    return ok;
  }

  bool Connect(std::string* error) {
    beast::error_code ec;
    tcp::socket socket(io_);
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), shared_.target.port);
    socket.connect(endpoint, ec);
    if (ec) return *error = "connect: " + ec.message(), false;
    socket.set_option(tcp::no_delay(true), ec);
    result_.fd.store(socket.native_handle());
    ++result_.connections;
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      stream_.emplace(std::move(socket));
    } else {
      stream_.emplace(std::move(socket), *shared_.tls);
      SSL* ssl_handle = stream_->native_handle();
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
      const std::string& host = shared_.target.host;
      if (host == "localhost") {
        SSL_set_tlsext_host_name(ssl_handle, host.c_str());
        X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
      } else {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
      }
      stream_->handshake(ssl::stream_base::client, ec);
      if (ec) {
        stream_.reset();
        return *error = "handshake: " + ec.message(), false;
      }
    }
    buffer_.clear();
    return true;
  }

  void Disconnect() {
    if (!stream_) return;
    beast::error_code ec;
    if constexpr (!std::is_same_v<Stream, tcp::socket>) {
      stream_->shutdown(ec);  // close_notify both ways; errors do not matter here
      beast::get_lowest_layer(*stream_).close(ec);
    } else {
      stream_->shutdown(tcp::socket::shutdown_both, ec);
      stream_->close(ec);
    }
    result_.fd.store(-1);
    stream_.reset();
  }

  Shared& shared_;
  WorkerResult& result_;
  asio::io_context io_;
  std::optional<Stream> stream_;
  beast::flat_buffer buffer_;
};

double Percentile(const std::vector<uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)] / 1000.0;
}

int RunLoad(const Config& config) {
  std::string error;
  std::optional<Target> target = ParseTarget(config.url, &error);
  if (!target) return std::fprintf(stderr, "enroll_load: %s\n", error.c_str()), 2;
  if (config.mode != "wott" && config.mode != "cfssl") {
    return std::fprintf(stderr, "enroll_load: --mode must be wott or cfssl\n"), 2;
  }
  std::vector<std::string> csrs = ReadCsrs(config.csr_file);
  if (csrs.empty())
    return std::fprintf(stderr, "enroll_load: no CSRs in %s\n", config.csr_file.c_str()), 2;

  Shared shared;
  shared.config = &config;
  shared.target = *target;
  for (const std::string& csr : csrs) {
    nlohmann::json body = config.mode == "wott"
                              ? nlohmann::json{{"token", config.token}, {"csr", csr}}
                              : nlohmann::json{{"certificate_request", csr}};
    shared.bodies.push_back(body.dump());
  }
  ssl::context tls(ssl::context::tls_client);
  if (target->tls) {
    beast::error_code ec;
    tls.set_verify_mode(ssl::verify_peer, ec);
    tls.load_verify_file(config.ca_file, ec);
    if (ec) return std::fprintf(stderr, "enroll_load: CA file: %s\n", ec.message().c_str()), 2;
    shared.tls = &tls;
  }

  std::vector<WorkerResult> results(config.concurrency);
  const int64_t server_cpu_before =
      config.server_pid > 0 ? ProcessCpuMicros(config.server_pid) : -1;
  const int64_t self_cpu_before = SelfCpuMicros();
  const auto start = SteadyClock::now();
  shared.deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                                std::chrono::duration<double>(config.duration_s));
  std::vector<std::thread> threads;
  for (int i = 0; i < config.concurrency; ++i) {
    threads.emplace_back([&shared, &result = results[i]] {
      if (shared.target.tls) {
        Client<ssl::stream<tcp::socket>>(shared, result).Run();
      } else {
        Client<tcp::socket>(shared, result).Run();
      }
      result.done.store(true);
    });
  }
  // Watchdog: 10 s after the deadline, unblock threads stuck on a silent server.
  const auto hard_stop = shared.deadline + std::chrono::seconds(10);
  for (;;) {
    bool all_done = std::all_of(results.begin(), results.end(),
                                [](const WorkerResult& r) { return r.done.load(); });
    if (all_done) break;
    if (SteadyClock::now() >= hard_stop) {
      shared.stop.store(true);
      for (WorkerResult& r : results) {
        int fd = r.fd.load();
        if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const int64_t server_cpu_after = config.server_pid > 0 ? ProcessCpuMicros(config.server_pid) : -1;
  const int64_t self_cpu = SelfCpuMicros() - self_cpu_before;

  std::vector<uint32_t> latencies;
  int64_t errors = 0, connections = 0;
  std::string first_error;
  for (const WorkerResult& r : results) {
    latencies.insert(latencies.end(), r.latencies_us.begin(), r.latencies_us.end());
    errors += r.errors;
    connections += r.connections;
    if (first_error.empty()) first_error = r.first_error;
  }
  std::sort(latencies.begin(), latencies.end());
  const auto ok = static_cast<int64_t>(latencies.size());
  nlohmann::json out = {
      {"label", config.label},
      {"mode", config.mode},
      {"concurrency", config.concurrency},
      {"keep_alive", !config.new_connection},
      {"seconds", std::round(elapsed * 1000) / 1000},
      {"ok", ok},
      {"errors", errors},
      {"connections", connections},
      {"req_per_s", std::round(ok / elapsed * 10) / 10},
      {"p50_ms", Percentile(latencies, 0.50)},
      {"p99_ms", Percentile(latencies, 0.99)},
      {"client_cpu_us_per_req", ok > 0 ? std::round(10.0 * self_cpu / ok) / 10 : 0.0},
  };
  if (server_cpu_before >= 0 && server_cpu_after >= 0) {
    const int64_t cpu = server_cpu_after - server_cpu_before;
    out["server_cpu_s"] = cpu / 1e6;
    out["server_cpu_us_per_cert"] = ok > 0 ? std::round(10.0 * cpu / ok) / 10 : 0.0;
  }
  if (!first_error.empty()) out["first_error"] = first_error;
  std::printf("%s\n", out.dump().c_str());
  return ok > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"enroll_load: bounded enrollment load against wott-server or cfssl (loopback only)"};
  Config config;
  app.add_option("--mode", config.mode,
                 "wott (HTTPS /v1/enroll) or cfssl (HTTP /api/v1/cfssl/sign)")
      ->capture_default_str();
  app.add_option("--url", config.url, "Target URL, 127.0.0.1 or localhost only");
  app.add_option("--ca-file", config.ca_file, "CA bundle that verifies the HTTPS server");
  app.add_option("--token", config.token, "Enrollment token (wott mode)");
  app.add_option("--csr-file", config.csr_file,
                 "PEM file of CSRs (read, or written by --generate-csrs)")
      ->required();
  app.add_option("--concurrency", config.concurrency, "Client threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--duration", config.duration_s, "Seconds to run")
      ->check(CLI::Range(0.1, 300.0))
      ->capture_default_str();
  app.add_option("--max-requests", config.max_requests, "Stop after this many requests")
      ->check(CLI::Range(int64_t{1}, int64_t{10'000'000}))
      ->capture_default_str();
  app.add_flag("--new-connection", config.new_connection,
               "Open a new (TLS) connection per request instead of keep-alive");
  app.add_option("--server-pid", config.server_pid, "Report this process's CPU per certificate");
  app.add_option("--label", config.label, "Copied into the JSON output");
  app.add_option("--generate-csrs", config.generate_csrs,
                 "Write this many P-256 CSRs to --csr-file and exit")
      ->check(CLI::Range(1, 100'000));
  CLI11_PARSE(app, argc, argv);
  if (config.generate_csrs > 0) return GenerateCsrs(config);
  if (config.url.empty()) return std::fprintf(stderr, "enroll_load: --url is required\n"), 2;
  return RunLoad(config);
}
