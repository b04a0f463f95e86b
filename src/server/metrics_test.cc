#include "server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "net/https_client.h"
#include "pki/ca_directory.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "server/app.h"
#include "tests/support/test_ca.h"

namespace wott::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---- Text format ----

TEST(MetricsFormatTest, CounterAndHistogramRenderExactly) {
  MetricsRegistry registry;
  CounterFamily& counter =
      registry.AddCounter("demo_total", "Help with \\ and\nnewline.", {"kind"});
  counter.WithLabels({"b"}).Increment(3);
  counter.WithLabels({"a\"q\\\nz"}).Increment();
  HistogramFamily& histogram =
      registry.AddHistogram("demo_seconds", "Latency.", {"route"}, {0.1, 1});
  Histogram& h = histogram.WithLabels({"/x/{id}"});
  for (double v : {0.05, 0.1, 0.5, 7.0}) h.Observe(v);  // 0.1 lands in le="0.1"

  EXPECT_EQ(registry.Render(),
            "# HELP demo_total Help with \\\\ and\\nnewline.\n"
            "# TYPE demo_total counter\n"
            "demo_total{kind=\"a\\\"q\\\\\\nz\"} 1\n"
            "demo_total{kind=\"b\"} 3\n"
            "# HELP demo_seconds Latency.\n"
            "# TYPE demo_seconds histogram\n"
            "demo_seconds_bucket{route=\"/x/{id}\",le=\"0.1\"} 2\n"
            "demo_seconds_bucket{route=\"/x/{id}\",le=\"1\"} 3\n"
            "demo_seconds_bucket{route=\"/x/{id}\",le=\"+Inf\"} 4\n"
            "demo_seconds_sum{route=\"/x/{id}\"} 7.65\n"
            "demo_seconds_count{route=\"/x/{id}\"} 4\n");
}

TEST(MetricsFormatTest, FamiliesWithoutLabelsHaveNoBraces) {
  MetricsRegistry registry;
  registry.AddCounter("plain_total", "Plain.", {}).WithLabels({}).Increment(2);
  registry.AddHistogram("plain_seconds", "Plain.", {}, {1}).WithLabels({}).Observe(2);
  EXPECT_EQ(registry.Render(),
            "# HELP plain_total Plain.\n# TYPE plain_total counter\nplain_total 2\n"
            "# HELP plain_seconds Plain.\n# TYPE plain_seconds histogram\n"
            "plain_seconds_bucket{le=\"1\"} 0\nplain_seconds_bucket{le=\"+Inf\"} 1\n"
            "plain_seconds_sum 2\nplain_seconds_count 1\n");
}

TEST(MetricsFormatTest, CollectedGaugeIsReadAtRenderAndLeftOutOnFailure) {
  MetricsRegistry registry;
  int64_t value = 1;
  bool fail = false;
  registry.AddCollectedGauge(
      "demo_things", "Things.", {"status"}, [&]() -> Result<std::vector<GaugeSample>> {
        if (fail) return Unavailable("db down");
        return std::vector<GaugeSample>{{{"z"}, 0}, {{"a"}, static_cast<double>(value)}};
      });
  EXPECT_EQ(registry.Render(),
            "# HELP demo_things Things.\n# TYPE demo_things gauge\n"
            "demo_things{status=\"a\"} 1\ndemo_things{status=\"z\"} 0\n");
  value = 42;
  EXPECT_THAT(registry.Render(), HasSubstr("demo_things{status=\"a\"} 42\n"));
  fail = true;
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsFormatTest, SampleValues) {
  EXPECT_EQ(FormatSampleValue(0.005), "0.005");
  EXPECT_EQ(FormatSampleValue(2.5), "2.5");
  EXPECT_EQ(FormatSampleValue(10), "10");
  EXPECT_EQ(FormatSampleValue(100000), "100000");
  EXPECT_EQ(FormatSampleValue(-3), "-3");
  EXPECT_EQ(FormatSampleValue(1.5e-7), "1.5e-07");
  EXPECT_EQ(FormatSampleValue(1e300), "1e+300");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
}

TEST(MetricsFormatTest, EscapesOnlyWhatTheFormatRequires) {
  EXPECT_EQ(EscapeLabelValue("plain /v1/{id} é"), "plain /v1/{id} é");
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(MetricsFormatTest, AcceptsValidNames) {
  EXPECT_TRUE(IsValidMetricName("wott_http_requests_total"));
  EXPECT_TRUE(IsValidMetricName("ns:sub_total2"));
  EXPECT_TRUE(IsValidLabelName("route"));
  EXPECT_TRUE(IsValidLabelName("_private1"));
}

TEST(MetricsFormatTest, RejectsInvalidNames) {
  for (std::string_view bad : {"", "1abc", "a-b", "a b", "é"}) {
    EXPECT_FALSE(IsValidMetricName(bad)) << bad;
  }
  for (std::string_view bad : {"", "1abc", "a:b", "__reserved", "le-x"}) {
    EXPECT_FALSE(IsValidLabelName(bad)) << bad;
  }
}

// ---- Concurrency ----

TEST(MetricsConcurrencyTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry registry;
  CounterFamily& counters = registry.AddCounter("c_total", "C.", {"k"});
  HistogramFamily& histograms = registry.AddHistogram("h_seconds", "H.", {"k"}, {0.5, 1});
  constexpr int kThreads = 8;
  constexpr int kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; ++i) {
        // Shared label sets (created by whichever thread comes first) and private ones.
        counters.WithLabels({"shared"}).Increment();
        counters.WithLabels({"t" + std::to_string(t % 4)}).Increment();
        histograms.WithLabels({"shared"}).Observe(i % 2 == 0 ? 0.25 : 2.0);
      }
    });
  }
  // Render while writers run: must not crash and must stay self-consistent.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(registry.Render().empty());
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(counters.WithLabels({"shared"}).value(), uint64_t{kThreads} * kIterations);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(counters.WithLabels({"t" + std::to_string(k)}).value(), 2u * kIterations);
  }
  Histogram::Snapshot s = histograms.WithLabels({"shared"}).Read();
  const uint64_t total = uint64_t{kThreads} * kIterations;
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{total / 2, total / 2, total}));
  EXPECT_DOUBLE_EQ(s.sum, (total / 2) * 0.25 + (total / 2) * 2.0);
}

// ---- ServerMetrics ----

std::string Line(std::string_view name, std::string_view labels, std::string_view value) {
  return std::string(name) + "{" + std::string(labels) + "} " + std::string(value) + "\n";
}

TEST(ServerMetricsTest, BoundsRouteAndMethodLabels) {
  ServerMetrics metrics(nullptr);
  net::RequestRecord record;
  record.method = "GET";
  record.target = "/v1/devices/abc/certificate";
  record.route = "/v1/devices/{id}/certificate";
  record.status = 200;
  record.latency = std::chrono::microseconds(1500);
  metrics.ObserveRequest(record);
  record.method = "BREW";
  record.target = "/teapot/123";
  record.route = "";
  record.status = 404;
  metrics.ObserveRequest(record);

  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr(Line("wott_http_requests_total",
                                   "route=\"/v1/devices/{id}/certificate\",method=\"GET\","
                                   "status=\"200\"",
                                   "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_http_requests_total",
                                   "route=\"unmatched\",method=\"other\",status=\"404\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_http_request_duration_seconds_bucket",
                                   "route=\"/v1/devices/{id}/certificate\",le=\"0.001\"", "0")));
  EXPECT_THAT(text, HasSubstr(Line("wott_http_request_duration_seconds_bucket",
                                   "route=\"/v1/devices/{id}/certificate\",le=\"0.0025\"", "1")));
  EXPECT_THAT(text, Not(HasSubstr("abc")));
  EXPECT_THAT(text, Not(HasSubstr("teapot")));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
  // No registry: no device gauge; build info always.
  EXPECT_THAT(text, Not(HasSubstr("wott_devices")));
  EXPECT_THAT(text, HasSubstr("# TYPE wott_build_info gauge\nwott_build_info{version=\""));
}

TEST(ServerMetricsTest, CountsIssuedAndRefusedByReason) {
  ServerMetrics metrics(nullptr);
  metrics.CountIssuance(IssuanceKind::kEnroll, Status::Ok());
  metrics.CountIssuance(IssuanceKind::kRenew, Status::Ok());
  metrics.CountIssuance(IssuanceKind::kRenew, Status::Ok());
  metrics.CountIssuance(IssuanceKind::kRenew, PermissionDenied("revoked"));
  metrics.CountIssuance(IssuanceKind::kEnroll, InvalidArgument("bad csr"));
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr(Line("wott_certificates_issued_total", "kind=\"enroll\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_certificates_issued_total", "kind=\"renew\"", "2")));
  // Every kind is exported from the start, so rate() works before the first issuance.
  EXPECT_THAT(text, HasSubstr(Line("wott_certificates_issued_total", "kind=\"recover\"", "0")));
  EXPECT_THAT(text, HasSubstr(Line("wott_certificate_requests_refused_total",
                                   "kind=\"renew\",reason=\"permission_denied\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_certificate_requests_refused_total",
                                   "kind=\"enroll\",reason=\"invalid_argument\"", "1")));
  EXPECT_THAT(text, Not(HasSubstr("reason=\"ok\"")));
}

// ---- GET /metrics on a real server ----

class MetricsEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki::CaInitOptions init;
    init.data_dir = tmp_.path() / "data";
    ASSERT_TRUE(pki::InitCa(init, RealClock::Instance()).ok());
    AppOptions options;
    options.data_dir = init.data_dir;
    options.listen = "127.0.0.1:0";
    options.db = "memory:";
    Result<std::unique_ptr<App>> app = App::Start(options, &RealClock::Instance());
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = std::move(*app);
    net::HttpsClientOptions client;
    client.ca_bundle_pem = app_->ca().ca_bundle();
    Result<net::HttpsClient> c = net::HttpsClient::Create(client);
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = std::make_unique<net::HttpsClient>(std::move(*c));
    base_ = "https://127.0.0.1:" + std::to_string(app_->port());
  }

  net::HttpResponse Get(const std::string& path) {
    Result<net::HttpResponse> r = client_->Request("GET", base_ + path);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : net::HttpResponse{};
  }

  int Enroll(const std::string& token) {
    pki::PrivateKey key = *pki::GenerateKey(pki::KeyType::kP256);
    std::string csr = *pki::CsrToPem(pki::CreateCsr(key.get(), "")->get());
    nlohmann::json body = {{"token", token}, {"csr", csr}};
    Result<net::HttpResponse> r = client_->PostJson(base_ + "/v1/enroll", body.dump());
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->status : 0;
  }

  // The server counts a request after its last byte is sent, so the client may see the
  // response first: scrape until `line` appears (bounded number of tries, no timing).
  std::string ScrapeUntil(const std::string& line) {
    std::string text;
    for (int i = 0; i < 200; ++i) {
      text = Get("/metrics").body;
      if (text.find(line) != std::string::npos) break;
      std::this_thread::yield();
    }
    return text;
  }

  wott::testing::TempDir tmp_;
  std::unique_ptr<App> app_;
  std::unique_ptr<net::HttpsClient> client_;
  std::string base_;
};

TEST_F(MetricsEndpointTest, ServesPrometheusTextWithContentType) {
  net::HttpResponse response = Get("/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(response.body, HasSubstr("# TYPE wott_http_requests_total counter\n"));
  EXPECT_THAT(response.body, HasSubstr(Line("wott_devices", "status=\"active\"", "0")));
}

TEST_F(MetricsEndpointTest, RejectsOtherMethods) {
  Result<net::HttpResponse> r = client_->Request("POST", base_ + "/metrics", "x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 405);
}

TEST_F(MetricsEndpointTest, RouteLabelIsThePatternNotTheRawPath) {
  const std::string a(32, 'a'), b(32, 'b');
  EXPECT_EQ(Get("/v1/devices/" + a + "/certificate").status, 404);
  EXPECT_EQ(Get("/v1/devices/" + b + "/certificate").status, 404);
  EXPECT_EQ(Get("/no/such/" + a).status, 404);

  std::string text = ScrapeUntil(
      Line("wott_http_requests_total", "route=\"unmatched\",method=\"GET\",status=\"404\"", "1"));
  EXPECT_THAT(text, HasSubstr(Line("wott_http_requests_total",
                                   "route=\"/v1/devices/{id}/certificate\",method=\"GET\","
                                   "status=\"404\"",
                                   "2")));
  EXPECT_THAT(text, HasSubstr(Line("wott_http_request_duration_seconds_count",
                                   "route=\"/v1/devices/{id}/certificate\"", "2")));
  EXPECT_THAT(text, HasSubstr(Line("wott_http_requests_total",
                                   "route=\"unmatched\",method=\"GET\",status=\"404\"", "1")));
  EXPECT_THAT(text, Not(HasSubstr(a)));
  EXPECT_THAT(text, Not(HasSubstr(b)));
  EXPECT_THAT(text, Not(HasSubstr("/no/such")));
}

TEST_F(MetricsEndpointTest, CountsIssuedRefusedAndDevices) {
  store::NewEnrollmentToken token;
  token.id = "tok";
  token.token_hash = CaService::HashToken("secret-token");
  token.max_uses = 1;
  token.expires_at = RealClock::Instance().Now() + std::chrono::hours(1);
  token.created_by = "test";
  ASSERT_TRUE(app_->ca().registry().CreateEnrollmentToken(token, RealClock::Instance().Now()).ok());

  EXPECT_EQ(Enroll("secret-token"), 201);
  EXPECT_EQ(Enroll("secret-token"), 403);  // used up
  EXPECT_EQ(Enroll("unknown-token"), 401);

  std::string text = Get("/metrics").body;
  EXPECT_THAT(text, HasSubstr(Line("wott_certificates_issued_total", "kind=\"enroll\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_certificate_requests_refused_total",
                                   "kind=\"enroll\",reason=\"permission_denied\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_certificate_requests_refused_total",
                                   "kind=\"enroll\",reason=\"unauthenticated\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_devices", "status=\"active\"", "1")));
  EXPECT_THAT(text, HasSubstr(Line("wott_devices", "status=\"revoked\"", "0")));
}

}  // namespace
}  // namespace wott::server
