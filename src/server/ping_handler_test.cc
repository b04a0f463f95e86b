// POST /v1/ping (the agent's heartbeat) driven through the real router (AddRoutes) with a
// memory registry and a CA made by pki::InitCa: what a good report leaves in the registry,
// and every refusal (401, 403 with its code, 400) leaving it untouched.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "server/enrollment_tokens.h"
#include "server/handlers.h"
#include "server/routes.h"
#include "server/testing/ca_service_fixture.h"
#include "tests/support/test_ca.h"

namespace wott::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class PingHandlerTest : public testing::CaServiceFixture {
 protected:
  void SetUp() override {
    CaServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(AddRoutes(router_, *service_).ok());
    Result<CreatedToken> token = CreateEnrollmentToken(*store_, TokenSpec{}, "test", clock_);
    ASSERT_TRUE(token.ok()) << token.status();
    key_ = *pki::GenerateKey(pki::KeyType::kP256);
    std::string csr = *pki::CsrToPem(pki::CreateCsr(key_.get(), "whatever")->get());
    Result<IssuedCertificate> issued =
        service_->Enroll({.token = token->token, .csr = csr, .hostname = "", .os = ""});
    ASSERT_TRUE(issued.ok()) << issued.status();
    device_ = *issued;
  }

  // POSTs `body` (as JSON unless empty) to /v1/ping, presenting `peer` (none when null).
  net::HttpResponse Ping(const std::string& body, X509* peer) {
    net::HttpRequest request;
    request.method = "POST";
    request.target = request.path = "/v1/ping";
    if (!body.empty()) request.headers.Add("Content-Type", "application/json");
    request.body = body;
    request.remote_address = "127.0.0.1:40000";
    if (peer) request.peer_certificate = ossl::UpRef(peer);
    return router_.Dispatch(request);
  }
  // The same, presenting the enrolled device's certificate.
  net::HttpResponse Ping(const std::string& body) { return Ping(body, Leaf(device_).get()); }

  // The leaf of an issued chain (leaf + intermediate).
  static pki::Certificate Leaf(const IssuedCertificate& issued) {
    Result<std::vector<pki::Certificate>> chain =
        pki::ParseCertificateChainPem(issued.certificate_chain);
    EXPECT_TRUE(chain.ok()) << chain.status();
    if (!chain.ok()) return nullptr;
    return std::move(chain->front());
  }

  store::DeviceRecord Device() { return *store_->GetDevice(device_.device_hex); }

  // The error code of a response ("" when there is none).
  static std::string CodeOf(const net::HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "";
    return j["error"]["code"].get<std::string>();
  }

  // Nothing was recorded: no last_seen and an empty report.
  void ExpectUntouched() {
    store::DeviceRecord d = Device();
    EXPECT_FALSE(d.last_seen.has_value());
    EXPECT_EQ(d.agent.agent_version, "");
    EXPECT_EQ(d.agent.hostname, "");
    EXPECT_EQ(d.agent.os, "");
    EXPECT_EQ(d.agent.uptime_seconds, 0);
  }

  net::Router router_;
  pki::PrivateKey key_;
  IssuedCertificate device_;
};

TEST_F(PingHandlerTest, RecordsTheReportAndLastSeenAndAnswersAboutTheCertificate) {
  clock_.Advance(std::chrono::hours(5));
  const size_t events_before = store_->ListEvents({})->size();
  json report = {{"agent_version", "0.4.0"},
                 {"hostname", "pi-kitchen"},
                 {"os", "Debian GNU/Linux 12 (bookworm)"},
                 {"uptime_seconds", 86400}};
  net::HttpResponse r = Ping(report.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["device_id"], device_.device_name);
  EXPECT_EQ(j["server_time"], FormatRfc3339(clock_.Now()));
  EXPECT_EQ(j["not_after"], FormatRfc3339(device_.not_after));
  EXPECT_EQ(j["renew_after"], FormatRfc3339(device_.renew_after));
  EXPECT_EQ(j["inventory_wanted"], false);  // no audit reported
  EXPECT_EQ(j.size(), 5u);

  store::DeviceRecord d = Device();
  EXPECT_EQ(d.agent.agent_version, "0.4.0");
  EXPECT_EQ(d.agent.hostname, "pi-kitchen");
  EXPECT_EQ(d.agent.os, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(d.agent.uptime_seconds, 86400);
  ASSERT_TRUE(d.last_seen.has_value());
  EXPECT_EQ(FormatRfc3339(*d.last_seen), FormatRfc3339(clock_.Now()));
  // A heartbeat is not an event.
  EXPECT_EQ(store_->ListEvents({})->size(), events_before);
}

TEST_F(PingHandlerTest, AnEmptyBodyOrAnEmptyObjectIsAnEmptyReport) {
  for (std::string body : {"", "{}", R"({"future_field":[1,2]})"}) {
    net::HttpResponse r = Ping(body);
    EXPECT_EQ(r.status, 200) << body << ": " << r.body;
  }
  EXPECT_TRUE(Device().last_seen.has_value());
}

TEST_F(PingHandlerTest, ANewerCertificateIsWhatTheAnswerDescribes) {
  clock_.Advance(std::chrono::hours(100));
  pki::PrivateKey next = *pki::GenerateKey(pki::KeyType::kP256);
  pki::Certificate old_cert = Leaf(device_);
  ASSERT_NE(old_cert, nullptr);
  Result<IssuedCertificate> renewed =
      service_->Renew(old_cert.get(), *pki::CsrToPem(pki::CreateCsr(next.get(), "x")->get()));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  // Still presenting the old certificate: the answer tells it about the new one.
  net::HttpResponse r = Ping("{}", old_cert.get());
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["not_after"], FormatRfc3339(renewed->not_after));
  EXPECT_EQ(j["renew_after"], FormatRfc3339(renewed->renew_after));
  EXPECT_NE(j["not_after"], FormatRfc3339(device_.not_after));
}

TEST_F(PingHandlerTest, WithoutAClientCertificateIs401) {
  net::HttpResponse r = Ping(R"({"hostname":"x"})", nullptr);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(CodeOf(r), "unauthenticated");
  ExpectUntouched();
}

TEST_F(PingHandlerTest, ACertificateFromAnotherCaIs401) {
  wott::testing::TestCa foreign(&clock_);
  wott::testing::TestCa::Leaf leaf = foreign.IssueDevice();
  net::HttpResponse r = Ping(R"({"hostname":"x"})", leaf.cert.get());
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(CodeOf(r), "unauthenticated");
  ExpectUntouched();
}

TEST_F(PingHandlerTest, OurCertificateForADeviceTheRegistryDoesNotKnowIs401) {
  // The same CA in front of an empty registry.
  std::unique_ptr<store::Store> empty = std::move(*store::OpenStore("memory:"));
  Result<pki::LoadedCa> ca = pki::LoadCa(tmp_.path() / "data");
  ASSERT_TRUE(ca.ok()) << ca.status();
  std::unique_ptr<CaService> other =
      std::move(*CaService::Create(std::move(*ca), empty.get(), &clock_));
  net::HttpRequest request;
  request.method = "POST";
  request.path = "/v1/ping";
  request.peer_certificate = Leaf(device_);
  net::HttpResponse r = HandlePing(*other, request);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_THAT(r.body, HasSubstr("not registered"));
}

TEST_F(PingHandlerTest, ARevokedDeviceIs403DeviceRevoked) {
  ASSERT_TRUE(store_
                  ->RevokeDevice(device_.device_hex, store::RevocationReason::kKeyCompromise,
                                 "test", clock_.Now())
                  .ok());
  net::HttpResponse r = Ping(R"({"hostname":"x"})");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(CodeOf(r), "device_revoked");
  EXPECT_THAT(r.body, HasSubstr(device_.device_name));
  ExpectUntouched();
}

TEST_F(PingHandlerTest, ADeletedDeviceIs403DeviceDeleted) {
  ASSERT_TRUE(store_->DeleteDevice(device_.device_hex, "test", clock_.Now()).ok());
  net::HttpResponse r = Ping(R"({"hostname":"x"})");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(CodeOf(r), "device_deleted");
  ExpectUntouched();
}

TEST_F(PingHandlerTest, MalformedReportsAre400AndRecordNothing) {
  const std::string long_string(257, 'a');
  const char* const bodies[] = {
      "{",
      "[]",
      R"("just a string")",
      R"({"agent_version":1})",
      R"({"hostname":["a"]})",
      R"({"os":{"name":"x"}})",
      R"({"uptime_seconds":"3600"})",
      R"({"uptime_seconds":1.5})",
      R"({"uptime_seconds":-1})",
      R"({"uptime_seconds":10000000001})",
      R"({"uptime_seconds":18446744073709551615})",
      R"({"uptime_seconds":true})",
      R"({"hostname":"tab\there"})",
  };
  for (const char* body : bodies) {
    net::HttpResponse r = Ping(body);
    EXPECT_EQ(r.status, 400) << body << ": " << r.body;
    EXPECT_EQ(CodeOf(r), "invalid_argument") << body;
  }
  for (const char* field : {"agent_version", "hostname", "os"}) {
    json body = {{field, long_string}};
    net::HttpResponse r = Ping(body.dump());
    EXPECT_EQ(r.status, 400) << field;
    EXPECT_THAT(r.body, HasSubstr(field));
    EXPECT_THAT(r.body, HasSubstr("too long"));
  }
  ExpectUntouched();
  // The limits themselves are accepted.
  json at_limit = {{"hostname", std::string(256, 'h')}, {"uptime_seconds", 10'000'000'000}};
  EXPECT_EQ(Ping(at_limit.dump()).status, 200);
  EXPECT_EQ(Device().agent.hostname, std::string(256, 'h'));
}

TEST_F(PingHandlerTest, ABodyThatIsNotDeclaredJsonIs400) {
  net::HttpRequest request;
  request.method = "POST";
  request.target = request.path = "/v1/ping";
  request.headers.Add("Content-Type", "text/plain");
  request.body = "{}";
  request.peer_certificate = Leaf(device_);
  net::HttpResponse r = router_.Dispatch(request);
  EXPECT_EQ(r.status, 400) << r.body;
  ExpectUntouched();
}

TEST_F(PingHandlerTest, OnlyPostIsRouted) {
  net::HttpRequest request;
  request.method = "GET";
  request.target = request.path = "/v1/ping";
  EXPECT_EQ(router_.Dispatch(request).status, 405);
}

}  // namespace
}  // namespace wott::server
