#include "server/posture_findings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wott::server {
namespace {

using audit::Finding;
using audit::FindingState;
using audit::Severity;
using nlohmann::json;
using ::testing::HasSubstr;

Finding F(const std::string& id, const std::string& package, FindingState state, Severity severity,
          const std::string& installed = "1.0-1") {
  Finding f;
  f.vuln_id = id;
  f.source_package = package;
  f.installed_version = installed;
  f.binary_packages = {package};
  f.release = "bookworm";
  f.state = state;
  f.severity = severity;
  f.urgency = "high";
  if (state == FindingState::kFixable) f.fixed_version = "1.0-2";
  f.description = id + " text";
  f.origin = "debian-tracker";
  return f;
}

TEST(PostureFindingsTest, StoredJsonRoundTrips) {
  std::vector<Finding> in = {F("CVE-2023-5678", "openssl", FindingState::kFixable, Severity::kHigh),
                             F("CVE-2022-1", "bash", FindingState::kNoDsa, Severity::kLow)};
  Result<std::vector<Finding>> out = FindingsFromJson(FindingsToJson(in));
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].vuln_id, "CVE-2023-5678");
  EXPECT_EQ((*out)[0].state, FindingState::kFixable);
  EXPECT_EQ((*out)[0].severity, Severity::kHigh);
  EXPECT_EQ((*out)[0].fixed_version, "1.0-2");
  EXPECT_EQ((*out)[1].state, FindingState::kNoDsa);
  EXPECT_EQ((*out)[1].fixed_version, "");
}

TEST(PostureFindingsTest, MalformedStoredJsonIsRefused) {
  EXPECT_FALSE(FindingsFromJson(json::object()).ok());
  EXPECT_FALSE(FindingsFromJson(json::array({1})).ok());
  json bad_state = FindingsToJson({F("CVE-1", "a", FindingState::kOpen, Severity::kLow)});
  bad_state[0]["state"] = "sort-of";
  EXPECT_FALSE(FindingsFromJson(bad_state).ok());
}

TEST(PostureFindingsTest, CountsCarryTheDashboardNames) {
  json counts = FindingCountsJson({F("CVE-1", "a", FindingState::kFixable, Severity::kHigh),
                                   F("CVE-2", "a", FindingState::kOpen, Severity::kLow),
                                   F("CVE-3", "b", FindingState::kIgnored, Severity::kLow)});
  EXPECT_EQ(counts["fixable"], 1);
  EXPECT_EQ(counts["vulnerable"], 1);
  EXPECT_EQ(counts["unfixed"], 2);
  EXPECT_EQ(counts["open"], 1);
  EXPECT_EQ(counts["total"], 3);
}

TEST(PostureFindingsTest, WorstFixableIgnoresUnfixedOnes) {
  std::vector<Finding> findings = {F("CVE-1", "a", FindingState::kOpen, Severity::kCritical),
                                   F("CVE-3", "a", FindingState::kFixable, Severity::kMedium),
                                   F("CVE-2", "b", FindingState::kFixable, Severity::kHigh)};
  ASSERT_NE(WorstFixable(findings), nullptr);
  EXPECT_EQ(WorstFixable(findings)->vuln_id, "CVE-2");
  EXPECT_EQ(WorstFixable({F("CVE-1", "a", FindingState::kOpen, Severity::kCritical)}), nullptr);
}

TEST(PostureFindingsTest, FleetViewGroupsSortsFiltersAndPages) {
  std::vector<DeviceFindings> devices = {
      {"aa",
       "aa.d.wott.local",
       {F("CVE-2023-1", "openssl", FindingState::kFixable, Severity::kHigh, "3.0.9-1"),
        F("CVE-2023-2", "bash", FindingState::kOpen, Severity::kLow)}},
      {"bb",
       "bb.d.wott.local",
       {F("CVE-2023-1", "openssl", FindingState::kFixable, Severity::kHigh, "3.0.8-1"),
        F("CVE-2023-3", "curl", FindingState::kFixable, Severity::kHigh),
        F("CVE-2023-4", "zlib", FindingState::kFixable, Severity::kCritical)}}};
  json all = FleetCvesJson(devices, CveQuery{});
  EXPECT_EQ(all["total"], 4);
  ASSERT_EQ(all["cves"].size(), 4u);
  EXPECT_EQ(all["cves"][0]["cve"], "CVE-2023-4");  // critical first
  EXPECT_EQ(all["cves"][1]["cve"], "CVE-2023-1");  // high, 2 devices
  EXPECT_EQ(all["cves"][2]["cve"], "CVE-2023-3");  // high, 1 device
  EXPECT_EQ(all["cves"][3]["cve"], "CVE-2023-2");
  const json& openssl = all["cves"][1];
  EXPECT_EQ(openssl["state"], "fixable");
  EXPECT_EQ(openssl["severity"], "high");
  EXPECT_EQ(openssl["description"], "CVE-2023-1 text");
  ASSERT_EQ(openssl["packages"].size(), 1u);
  EXPECT_EQ(openssl["packages"][0]["source"], "openssl");
  EXPECT_EQ(openssl["packages"][0]["fixed_version"], "1.0-2");
  ASSERT_EQ(openssl["packages"][0]["devices"].size(), 2u);
  EXPECT_EQ(openssl["packages"][0]["devices"][0],
            json({{"id", "aa"}, {"name", "aa.d.wott.local"}, {"installed", "3.0.9-1"}}));
  EXPECT_EQ(all["cves"][3]["packages"][0]["fixed_version"], nullptr);

  Result<CveQuery> high = ParseCveQuery("high", "vulnerable", "1", "1");
  ASSERT_TRUE(high.ok()) << high.status();
  json page = FleetCvesJson(devices, *high);
  EXPECT_EQ(page["total"], 2);
  ASSERT_EQ(page["cves"].size(), 1u);
  EXPECT_EQ(page["cves"][0]["cve"], "CVE-2023-3");
  Result<CveQuery> unfixed = ParseCveQuery("", "open", "", "");
  ASSERT_TRUE(unfixed.ok());
  EXPECT_EQ(FleetCvesJson(devices, *unfixed)["total"], 1);
  EXPECT_EQ(FleetCvesJson(devices, *ParseCveQuery("", "", "", "10"))["cves"], json::array());
}

TEST(PostureFindingsTest, BadQueryParametersAreNamed) {
  EXPECT_THAT(ParseCveQuery("severe", "", "", "").status().message(), HasSubstr("'severity'"));
  EXPECT_THAT(ParseCveQuery("", "broken", "", "").status().message(), HasSubstr("'state'"));
  EXPECT_THAT(ParseCveQuery("", "", "0", "").status().message(), HasSubstr("'limit'"));
  EXPECT_THAT(ParseCveQuery("", "", "1001", "").status().message(), HasSubstr("'limit'"));
  EXPECT_THAT(ParseCveQuery("", "", "", "-1").status().message(), HasSubstr("'offset'"));
  EXPECT_THAT(ParseCveQuery("", "", "5x", "").status().message(), HasSubstr("'limit'"));
  Result<CveQuery> two = ParseCveQuery("high,critical", "fixable,unfixed", "1000", "0");
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->severities.size(), 2u);
  EXPECT_EQ(two->states.size(), 2u);
  EXPECT_EQ(two->limit, 1000);
}

TEST(PostureFindingsTest, RequirementsRefuseWithAReason) {
  PostureRequirement min60{.min_trust_score = 60};
  EXPECT_EQ(RequirementFailure(min60, {}), "no audit reported");
  EXPECT_EQ(RequirementFailure(min60, {.audited = true, .trust_score = 42}), "trust score 42 < 60");
  EXPECT_EQ(RequirementFailure(min60, {.audited = true, .trust_score = 60}), std::nullopt);

  PostureRequirement high{.deny_fixable_severity = Severity::kHigh};
  PostureSummary medium{.audited = true,
                        .trust_score = 90,
                        .worst_fixable = Severity::kMedium,
                        .worst_fixable_id = "CVE-1"};
  EXPECT_EQ(RequirementFailure(high, medium), std::nullopt);
  PostureSummary critical = medium;
  critical.worst_fixable = Severity::kCritical;
  EXPECT_EQ(RequirementFailure(high, critical), "fixable critical vulnerability CVE-1");
  // Nothing known about packages: the CVE requirement has nothing to refuse.
  EXPECT_EQ(RequirementFailure(high, {}), std::nullopt);
  EXPECT_EQ(RequirementFailure({}, {}), std::nullopt);
}

}  // namespace
}  // namespace wott::server
