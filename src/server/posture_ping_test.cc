// Posture through the real router: heartbeats with an `audit` (POST /v1/ping) against a
// memory registry and a small vulnerability database built in a temp dir; what the
// security view, the fleet view and inventory_wanted say, and refusals recording nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit/packages_hash.h"
#include "audit/vuln_db.h"
#include "pki/certificate.h"
#include "server/enrollment_tokens.h"
#include "server/posture_service.h"
#include "server/routes.h"
#include "server/testing/ca_service_fixture.h"

namespace wott::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

audit::Advisory Resolved(const std::string& id, const std::string& fixed) {
  audit::Advisory a;
  a.vuln_id = id;
  a.source_package = "openssl";
  a.release = "bookworm";
  a.status = "resolved";
  a.fixed_version = fixed;
  a.urgency = "high";
  a.origin = "debian-tracker";
  return a;
}

// Writes DIR/vulndb.sqlite with `advisories` (atomically replacing an older one).
void BuildVulnDb(const std::filesystem::path& path, const std::vector<audit::Advisory>& list) {
  auto writer = audit::VulnDbWriter::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (const audit::Advisory& a : list) {
    ASSERT_TRUE((*writer)
                    ->AddVulnerability({a.vuln_id, "about " + a.vuln_id, "remote", {}, a.origin})
                    .ok());
    ASSERT_TRUE((*writer)->AddAdvisory(a).ok());
  }
  ASSERT_TRUE((*writer)->AddSource({"fixture.json", "debian-tracker", 1}).ok());
  ASSERT_TRUE((*writer)->Commit("2026-11-27T12:00:00Z").ok());
}

// {"inventory": ...} with one openssl binary at `version`, hash included.
json InventoryWith(const std::string& version, bool with_packages = true) {
  std::vector<audit::InstalledPackage> list = {{"libssl3", version, "amd64", "openssl", version}};
  json inv = {{"os_id", "debian"},
              {"version_codename", "bookworm"},
              {"packages_hash", audit::PackagesHash(list)}};
  if (with_packages) {
    inv["packages"] = json::array({{{"name", "libssl3"},
                                    {"version", version},
                                    {"arch", "amd64"},
                                    {"source", "openssl"},
                                    {"source_version", version}}});
  }
  return inv;
}

const json kHost = {{"firewall", {{"state", "yes"}, {"backend", "nftables"}, {"rules", 4}}}};

class PosturePingTest : public testing::CaServiceFixture {
 protected:
  void SetUp() override {
    CaServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    vulndb_ = tmp_.path() / "data" / audit::kVulnDbFileName;
    options_.vulndb_path = vulndb_;
    Result<pki::LoadedCa> ca = pki::LoadCa(tmp_.path() / "data");
    ASSERT_TRUE(ca.ok()) << ca.status();
    service_ = std::move(*CaService::Create(std::move(*ca), store_.get(), &clock_, options_));
    ASSERT_TRUE(AddRoutes(router_, *service_).ok());
    device_ = EnrollTagged({});
  }

  net::HttpResponse Ping(const json& body, const IssuedCertificate& device) {
    net::HttpRequest request;
    request.method = "POST";
    request.target = request.path = "/v1/ping";
    request.headers.Add("Content-Type", "application/json");
    request.body = body.dump();
    request.remote_address = "127.0.0.1:40000";
    request.peer_certificate =
        std::move(pki::ParseCertificateChainPem(device.certificate_chain)->front());
    return router_.Dispatch(request);
  }
  net::HttpResponse Ping(const json& body) { return Ping(body, device_); }

  json Security() {
    Result<json> j = service_->posture().SecurityJson(device_.device_hex);
    EXPECT_TRUE(j.ok()) << j.status();
    return j.ok() ? *j : json();
  }

  std::vector<std::string> FindingIds() {
    std::vector<std::string> ids;
    const json security = Security();  // named: the loop must not outlive its temporary
    for (const json& f : security["findings"]) ids.push_back(f["id"]);
    return ids;
  }

  // GET `target` with the admin API token.
  net::HttpResponse Admin(const std::string& target) {
    if (admin_token_.empty()) {
      Result<CreatedToken> token = CreateApiToken(*store_, "tests", "test", clock_);
      EXPECT_TRUE(token.ok()) << token.status();
      admin_token_ = token->token;
    }
    net::HttpRequest request;
    request.method = "GET";
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    if (target.find('?') != std::string::npos) request.query = target.substr(target.find('?') + 1);
    request.headers.Add("Authorization", "Bearer " + admin_token_);
    request.remote_address = "127.0.0.1:40001";
    return router_.Dispatch(request);
  }

  std::string admin_token_;
  CaServiceOptions options_;  // a subclass may change it before SetUp
  std::filesystem::path vulndb_;
  net::Router router_;
  IssuedCertificate device_;
};

TEST_F(PosturePingTest, VulnerableInventoryIsListedAndAnUpgradeClearsIt) {
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2")});
  net::HttpResponse r =
      Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.9-1")}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["inventory_wanted"], false);

  json security = Security();
  EXPECT_EQ(security["findings_known"], true);
  ASSERT_EQ(security["findings"].size(), 1u);
  EXPECT_EQ(security["findings"][0]["id"], "CVE-2023-5678");
  EXPECT_EQ(security["findings"][0]["state"], "fixable");
  EXPECT_EQ(security["counts"]["vulnerable"], 1);
  EXPECT_EQ(security["inventory"]["packages"], 1);
  EXPECT_EQ(security["inventory"]["codename"], "bookworm");
  EXPECT_EQ(security["host_audit"]["firewall"]["state"], "yes");
  ASSERT_TRUE(security["trust_score"].is_number_integer());
  const int vulnerable_score = security["trust_score"];
  EXPECT_LT(vulnerable_score, 100);
  EXPECT_EQ(security["score_history"].size(), 1u);

  Result<json> fleet = service_->posture().FleetCves(CveQuery{});
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  ASSERT_EQ((*fleet)["total"], 1);
  EXPECT_EQ((*fleet)["cves"][0]["cve"], "CVE-2023-5678");
  EXPECT_EQ((*fleet)["cves"][0]["packages"][0]["devices"][0]["id"], device_.device_hex);
  EXPECT_EQ((*fleet)["cves"][0]["packages"][0]["devices"][0]["name"], device_.device_name);

  // The upgraded inventory clears it; the score rises and gets a history row.
  clock_.Advance(std::chrono::minutes(5));
  r = Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.11-1~deb12u2")}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  security = Security();
  EXPECT_EQ(security["findings"], json::array());
  EXPECT_GT(security["trust_score"].get<int>(), vulnerable_score);
  EXPECT_EQ(security["score_history"].size(), 2u);
  EXPECT_EQ((*service_->posture().FleetCves(CveQuery{}))["total"], 0);
}

TEST_F(PosturePingTest, InventoryWantedOnlyForAHashTheServerLacks) {
  // Hash only, nothing stored yet: wanted.
  net::HttpResponse r = Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1", false)}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["inventory_wanted"], true);
  r = Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1")}}}});
  EXPECT_EQ(json::parse(r.body)["inventory_wanted"], false);
  // The same hash again without packages: not wanted; another hash: wanted.
  r = Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1", false)}}}});
  EXPECT_EQ(json::parse(r.body)["inventory_wanted"], false);
  r = Ping({{"audit", {{"inventory", InventoryWith("3.0.10-1", false)}}}});
  EXPECT_EQ(json::parse(r.body)["inventory_wanted"], true);
  // No audit at all: never wanted.
  r = Ping(json::object());
  EXPECT_EQ(json::parse(r.body)["inventory_wanted"], false);
}

TEST_F(PosturePingTest, NewVulnerabilityDataIsMatchedWithoutANewInventory) {
  ASSERT_EQ(Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1")}}}}).status, 200);
  // No database yet: findings unknown, the score still computed.
  json security = Security();
  EXPECT_EQ(security["findings_known"], false);
  EXPECT_TRUE(security["trust_score"].is_number_integer());
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2")});
  EXPECT_EQ(FindingIds(), std::vector<std::string>{"CVE-2023-5678"});
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2"),
                        Resolved("CVE-2024-0727", "3.0.13-1~deb12u1")});
  std::vector<std::string> ids = FindingIds();
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"CVE-2023-5678", "CVE-2024-0727"}));
}

TEST_F(PosturePingTest, MalformedAuditIs400AndRecordsNothing) {
  json bad_version = InventoryWith("3.0.9-1");
  bad_version["packages"][0]["version"] = "not a version";
  json bad_hash = InventoryWith("3.0.9-1");
  bad_hash["packages_hash"] = std::string(64, '0');
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"audit", "x"}}, "'audit'"},
      {{{"audit", {{"host", 1}}}}, "'audit.host'"},
      {{{"audit", {{"inventory", bad_version}}}}, "'audit.inventory.packages[0].version'"},
      {{{"audit", {{"inventory", bad_hash}}}}, "'audit.inventory.packages_hash'"},
  };
  for (const auto& [body, field] : cases) {
    net::HttpResponse r = Ping(body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_THAT(r.body, HasSubstr(field));
  }
  EXPECT_FALSE(store_->GetDevice(device_.device_hex)->last_seen.has_value());
  EXPECT_EQ(service_->posture().SecurityJson(device_.device_hex).status().code(),
            StatusCode::kNotFound);
}

TEST_F(PosturePingTest, ARevokedDevicesAuditIsRefusedAndNotRecorded) {
  ASSERT_TRUE(store_
                  ->RevokeDevice(device_.device_hex, pki::RevocationReason::kKeyCompromise,
                                 "admin:test", clock_.Now())
                  .ok());
  net::HttpResponse r =
      Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.9-1")}}}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_THAT(r.body, HasSubstr("device_revoked"));
  EXPECT_EQ(service_->posture().SecurityJson(device_.device_hex).status().code(),
            StatusCode::kNotFound);
}

TEST_F(PosturePingTest, DevicesWithTheSameInventoryShareOneMatchPerDataGeneration) {
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2")});
  const IssuedCertificate twin = EnrollTagged({});
  const uint64_t before = service_->posture().matches_computed();
  ASSERT_EQ(Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1")}}}}).status, 200);
  ASSERT_EQ(Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1")}}}}, twin).status, 200);
  EXPECT_EQ(service_->posture().matches_computed(), before + 1);
  // New data: one more match for both, and both have the new finding.
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2"),
                        Resolved("CVE-2024-0727", "3.0.13-1~deb12u1")});
  json c = json::parse(Admin("/v1/admin/cves?state=fixable").body);
  EXPECT_EQ(service_->posture().matches_computed(), before + 2);
  EXPECT_EQ(c["total"], 2);
  EXPECT_EQ(c["pending_devices"], 0);
  for (const json& cve : c["cves"]) EXPECT_EQ(cve["packages"][0]["devices"].size(), 2u) << cve;
  // Another inventory is matched on its own.
  ASSERT_EQ(Ping({{"audit", {{"inventory", InventoryWith("3.0.13-1~deb12u1")}}}}, twin).status,
            200);
  EXPECT_EQ(service_->posture().matches_computed(), before + 3);
}

// A server whose fleet views may not spend any time refreshing: what they cannot refresh
// is served as stored and counted as pending.
class NoRefreshBudgetTest : public PosturePingTest {
 protected:
  void SetUp() override {
    options_.posture_refresh_budget = Duration::zero();
    PosturePingTest::SetUp();
  }
};

TEST_F(NoRefreshBudgetTest, FleetViewServesStoredFindingsAndCountsThePending) {
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2")});
  ASSERT_EQ(Ping({{"audit", {{"inventory", InventoryWith("3.0.9-1")}}}}).status, 200);
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2"),
                        Resolved("CVE-2024-0727", "3.0.13-1~deb12u1")});
  json c = json::parse(Admin("/v1/admin/cves").body);
  EXPECT_EQ(c["pending_devices"], 1);
  ASSERT_EQ(c["total"], 1);  // the previous data's findings
  EXPECT_EQ(c["cves"][0]["cve"], "CVE-2023-5678");
  // The device's own view is not budgeted: it refreshes, and the fleet view follows.
  EXPECT_EQ(FindingIds().size(), 2u);
  c = json::parse(Admin("/v1/admin/cves").body);
  EXPECT_EQ(c["pending_devices"], 0);
  EXPECT_EQ(c["total"], 2);
}

// Findings the registry refuses to store (over kMaxPostureJsonBytes: tens of thousands of
// advisories for one device) do not turn the heartbeat away, and the security view still
// answers, from the last stored state; a policy requiring a score then refuses the device
// (no score is not a good score).
TEST_F(PosturePingTest, FindingsTooLargeToStoreDoNotFailTheHeartbeat) {
  std::vector<audit::Advisory> many;
  for (int i = 0; i < 40000; ++i) {
    many.push_back(Resolved("CVE-2099-" + std::to_string(100000 + i), "3.0.11-1~deb12u2"));
  }
  BuildVulnDb(vulndb_, many);
  net::HttpResponse r =
      Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.9-1")}}}});
  EXPECT_EQ(r.status, 200) << r.body;
  net::HttpResponse security = Admin("/v1/admin/devices/" + device_.device_hex + "/security");
  ASSERT_EQ(security.status, 200) << security.body;
  json s = json::parse(security.body);
  EXPECT_EQ(s["findings_known"], false);
  EXPECT_EQ(s["trust_score"], nullptr);
  EXPECT_EQ(s["inventory"]["packages"], 1);  // the report itself was recorded
}

TEST_F(PosturePingTest, AdminEndpointsServeTheSecurityAndFleetViews) {
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2")});
  const IssuedCertificate quiet = EnrollTagged({});
  // Before any audit: 404 no_audit; an unknown device: 404 not_found.
  net::HttpResponse none = Admin("/v1/admin/devices/" + device_.device_hex + "/security");
  EXPECT_EQ(none.status, 404);
  EXPECT_THAT(none.body, HasSubstr("\"no_audit\""));
  net::HttpResponse unknown = Admin("/v1/admin/devices/" + std::string(32, 'f') + "/security");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("\"not_found\""));

  ASSERT_EQ(Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.9-1")}}}}).status,
            200);
  net::HttpResponse security = Admin("/v1/admin/devices/" + device_.device_name + "/security");
  ASSERT_EQ(security.status, 200) << security.body;
  json s = json::parse(security.body);
  EXPECT_EQ(s["findings"][0]["id"], "CVE-2023-5678");
  EXPECT_TRUE(s["trust_score"].is_number_integer());

  net::HttpResponse cves = Admin("/v1/admin/cves?severity=high&state=fixable");
  ASSERT_EQ(cves.status, 200) << cves.body;
  json c = json::parse(cves.body);
  EXPECT_EQ(c["total"], 1);
  EXPECT_EQ(c["cves"][0]["packages"][0]["devices"][0]["installed"], "3.0.9-1");
  EXPECT_EQ(json::parse(Admin("/v1/admin/cves?severity=low").body)["total"], 0);
  EXPECT_EQ(Admin("/v1/admin/cves?severity=bad").status, 400);
  EXPECT_EQ(Admin("/v1/admin/cves?limit=0").status, 400);
  EXPECT_EQ(Admin("/v1/admin/cves?colour=red").status, 400);

  // DeviceToJson carries the latest score (null for a device without one).
  json list = json::parse(Admin("/v1/admin/devices").body);
  for (const json& d : list["devices"]) {
    if (d["hex"] == device_.device_hex) {
      EXPECT_EQ(d["trust_score"], s["trust_score"]);
    } else if (d["hex"] == quiet.device_hex) {
      EXPECT_EQ(d["trust_score"], nullptr);
    }
  }
  EXPECT_EQ(json::parse(Admin("/v1/admin/devices/" + device_.device_hex).body)["trust_score"],
            s["trust_score"]);
}

TEST_F(PosturePingTest, PolicyRequirementsRefuseDevicesWithAReason) {
  BuildVulnDb(vulndb_, {Resolved("CVE-2023-5678", "3.0.11-1~deb12u2")});
  const IssuedCertificate unaudited = EnrollTagged({});
  store::NewPolicy policy;
  policy.name = "web";
  policy.allow_devices = {device_.device_hex, unaudited.device_hex};
  policy.deny_fixable_severity = "high";
  ASSERT_TRUE(store_->PutPolicy(policy, "test", clock_.Now()).ok());
  auto get = [&](const IssuedCertificate& as) {
    net::HttpRequest request;
    request.method = "GET";
    request.target = request.path = "/v1/policies/web";
    request.peer_certificate =
        std::move(pki::ParseCertificateChainPem(as.certificate_chain)->front());
    net::HttpResponse r = router_.Dispatch(request);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  };
  ASSERT_EQ(Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.9-1")}}}}).status,
            200);
  json doc = get(unaudited);
  EXPECT_EQ(doc["allowed_devices"], json::array({unaudited.device_name}));
  EXPECT_EQ(doc["refused_devices"],
            json::array({{{"name", device_.device_name},
                          {"reason", "fixable high vulnerability CVE-2023-5678"}}}));

  // A minimum score refuses the device that never reported an audit.
  policy.deny_fixable_severity.clear();
  policy.min_trust_score = 1;
  ASSERT_TRUE(store_->PutPolicy(policy, "test", clock_.Now()).ok());
  doc = get(device_);
  EXPECT_EQ(doc["allowed_devices"], json::array({device_.device_name}));
  EXPECT_EQ(doc["refused_devices"],
            json::array({{{"name", unaudited.device_name}, {"reason", "no audit reported"}}}));
  policy.min_trust_score = 100;
  ASSERT_TRUE(store_->PutPolicy(policy, "test", clock_.Now()).ok());
  doc = get(device_);
  EXPECT_EQ(doc["allowed_devices"], json::array());
  // Both are refused now; the order is not the point here: pick the audited device's entry.
  ASSERT_EQ(doc["refused_devices"].size(), 2u);
  std::string reason;
  for (const json& refused : doc["refused_devices"]) {
    if (refused["name"] == device_.device_name) reason = refused["reason"];
  }
  EXPECT_THAT(reason, HasSubstr(" < 100"));

  // The upgrade lets it through a "no fixable high" policy again.
  policy.min_trust_score.reset();
  policy.deny_fixable_severity = "high";
  ASSERT_TRUE(store_->PutPolicy(policy, "test", clock_.Now()).ok());
  ASSERT_EQ(
      Ping({{"audit", {{"host", kHost}, {"inventory", InventoryWith("3.0.11-1~deb12u2")}}}}).status,
      200);
  doc = get(device_);
  EXPECT_EQ(doc["refused_devices"], json::array());
  EXPECT_EQ(doc["allowed_devices"].size(), 2u);
}

}  // namespace
}  // namespace wott::server
