#include "audit/trust_score.h"

#include <gtest/gtest.h>

namespace wott::audit {
namespace {

using nlohmann::json;

// A host with nothing to criticise.
json CleanHost() {
  return json::parse(R"({
    "sshd": {"status": "read", "findings": []},
    "sockets": {"status": "read", "listening": [
      {"protocol": "tcp", "address": "0.0.0.0", "port": 22},
      {"protocol": "tcp", "address": "127.0.0.1", "port": 5432}]},
    "reboot_required": "no", "unattended_upgrades": "yes", "insecure_services": [],
    "firewall": {"state": "yes", "backend": "nftables", "rules": 3},
    "confinement": {"apparmor": "enabled", "apparmor_profiles_enforced": 20,
                    "apparmor_profiles_known": true, "selinux": "disabled"}})");
}

const std::vector<Finding> kNoFindings;

int Points(const TrustScore& s, const std::string& factor) {
  for (const ScoreFactor& f : s.factors) {
    if (f.factor == factor) return f.points;
  }
  return 1;  // absent
}

TEST(TrustScoreTest, CleanHostScores100) {
  TrustScore s = ComputeTrustScore(CleanHost(), &kNoFindings);
  EXPECT_EQ(s.score, 100);
  EXPECT_TRUE(s.factors.empty());
}

TEST(TrustScoreTest, NoAuditAndNoVulnData) {
  TrustScore s = ComputeTrustScore(json(), nullptr);
  EXPECT_EQ(Points(s, "no_audit"), -40);
  EXPECT_EQ(Points(s, "cve_data_unknown"), 0);
  EXPECT_EQ(s.score, 60);
  EXPECT_EQ(Points(ComputeTrustScore(CleanHost(), nullptr), "cve_data_unknown"), 0);
}

TEST(TrustScoreTest, FirewallOffCostsMoreThanUnknown) {
  json off = CleanHost();
  off["firewall"]["state"] = "no";
  json unknown = CleanHost();
  unknown["firewall"]["state"] = "unknown";
  json missing = CleanHost();
  missing.erase("firewall");
  EXPECT_EQ(Points(ComputeTrustScore(off, &kNoFindings), "firewall_off"), -20);
  EXPECT_EQ(Points(ComputeTrustScore(unknown, &kNoFindings), "firewall_unknown"), -5);
  EXPECT_EQ(Points(ComputeTrustScore(missing, &kNoFindings), "firewall_unknown"), -5);
  EXPECT_EQ(ComputeTrustScore(off, &kNoFindings).score, 80);
}

TEST(TrustScoreTest, Confinement) {
  json none = CleanHost();
  none["confinement"]["apparmor"] = "disabled";
  EXPECT_EQ(Points(ComputeTrustScore(none, &kNoFindings), "no_confinement"), -10);
  json selinux = none;
  selinux["confinement"]["selinux"] = "enforcing";
  EXPECT_EQ(ComputeTrustScore(selinux, &kNoFindings).score, 100);
  json no_profiles = CleanHost();
  no_profiles["confinement"]["apparmor_profiles_enforced"] = 0;
  EXPECT_EQ(Points(ComputeTrustScore(no_profiles, &kNoFindings), "no_confinement"), -10);
  json profiles_unreadable = no_profiles;
  profiles_unreadable["confinement"]["apparmor_profiles_known"] = false;
  EXPECT_EQ(ComputeTrustScore(profiles_unreadable, &kNoFindings).score, 100);
  json unknown = CleanHost();
  unknown["confinement"] = {{"apparmor", "unknown"}, {"selinux", "disabled"}};
  EXPECT_EQ(Points(ComputeTrustScore(unknown, &kNoFindings), "confinement_unknown"), -3);
}

TEST(TrustScoreTest, SshSettings) {
  json h = CleanHost();
  h["sshd"]["findings"] = json::array({
      {{"keyword", "PermitRootLogin"}, {"value", "yes"}},
      {{"keyword", "PasswordAuthentication"}, {"value", "YES"}},
      {{"keyword", "PermitEmptyPasswords"}, {"value", "yes"}},
      {{"keyword", "X11Forwarding"}, {"value", "yes"}},  // reported, not scored
  });
  TrustScore s = ComputeTrustScore(h, &kNoFindings);
  EXPECT_EQ(Points(s, "ssh_root_login"), -15);
  EXPECT_EQ(Points(s, "ssh_password_auth"), -10);
  EXPECT_EQ(Points(s, "ssh_empty_passwords"), -20);
  EXPECT_EQ(s.score, 55);
  h["sshd"]["findings"] =
      json::array({{{"keyword", "PermitRootLogin"}, {"value", "prohibit-password"}}});
  EXPECT_EQ(Points(ComputeTrustScore(h, &kNoFindings), "ssh_root_login_key"), -3);
}

TEST(TrustScoreTest, InsecureServicesCapped) {
  json h = CleanHost();
  h["insecure_services"] = json::array({{{"service", "telnet"}, {"port", 23}}});
  EXPECT_EQ(Points(ComputeTrustScore(h, &kNoFindings), "insecure_services"), -15);
  h["insecure_services"].push_back({{"service", "ftp"}, {"port", 21}});
  h["insecure_services"].push_back({{"service", "rsh"}, {"port", 514}});
  EXPECT_EQ(Points(ComputeTrustScore(h, &kNoFindings), "insecure_services"), -30);
}

TEST(TrustScoreTest, RiskyPortsOnlyOnAllInterfaces) {
  json h = CleanHost();  // postgres on 127.0.0.1 only: fine
  EXPECT_EQ(Points(ComputeTrustScore(h, &kNoFindings), "risky_ports"), 1);
  h["sockets"]["listening"].push_back({{"protocol", "tcp6"}, {"address", "::"}, {"port", 6379}});
  h["sockets"]["listening"].push_back(
      {{"protocol", "tcp"}, {"address", "0.0.0.0"}, {"port", 6379}});
  TrustScore s = ComputeTrustScore(h, &kNoFindings);
  EXPECT_EQ(Points(s, "risky_ports"), -5);  // once per port
  for (int port : {3306, 5432, 27017, 11211, 9200}) {
    h["sockets"]["listening"].push_back(
        {{"protocol", "tcp"}, {"address", "0.0.0.0"}, {"port", port}});
  }
  EXPECT_EQ(Points(ComputeTrustScore(h, &kNoFindings), "risky_ports"), -20);
}

TEST(TrustScoreTest, RebootAndUnattendedUpgrades) {
  json h = CleanHost();
  h["reboot_required"] = "yes";
  h["unattended_upgrades"] = "no";
  TrustScore s = ComputeTrustScore(h, &kNoFindings);
  EXPECT_EQ(Points(s, "reboot_required"), -5);
  EXPECT_EQ(Points(s, "unattended_upgrades_off"), -5);
  h["reboot_required"] = "unknown";
  h["unattended_upgrades"] = "unknown";
  EXPECT_EQ(ComputeTrustScore(h, &kNoFindings).score, 100);
}

Finding F(FindingState state, Severity severity) {
  Finding f;
  f.vuln_id = "CVE-2023-0001";
  f.state = state;
  f.severity = severity;
  return f;
}

TEST(TrustScoreTest, FixableWeighsMoreThanUnfixedAndBothAreCapped) {
  std::vector<Finding> one_fixable = {F(FindingState::kFixable, Severity::kHigh)};
  std::vector<Finding> one_open = {F(FindingState::kOpen, Severity::kHigh)};
  EXPECT_EQ(Points(ComputeTrustScore(CleanHost(), &one_fixable), "cve_fixable"), -10);
  EXPECT_EQ(Points(ComputeTrustScore(CleanHost(), &one_open), "cve_unfixed"), -3);
  std::vector<Finding> mixed = {F(FindingState::kFixable, Severity::kCritical),
                                F(FindingState::kFixable, Severity::kMedium),
                                F(FindingState::kFixable, Severity::kLow),
                                F(FindingState::kFixable, Severity::kUnknown),
                                F(FindingState::kFixable, Severity::kNegligible),
                                F(FindingState::kIgnored, Severity::kHigh),
                                F(FindingState::kNoDsa, Severity::kMedium)};
  TrustScore s = ComputeTrustScore(CleanHost(), &mixed);
  EXPECT_EQ(Points(s, "cve_fixable"), -15 - 4 - 1 - 2);
  EXPECT_EQ(Points(s, "cve_unfixed"), -1);  // the ignored one costs nothing
  std::vector<Finding> many(30, F(FindingState::kFixable, Severity::kCritical));
  for (int i = 0; i < 30; ++i) many.push_back(F(FindingState::kOpen, Severity::kCritical));
  s = ComputeTrustScore(CleanHost(), &many);
  EXPECT_EQ(Points(s, "cve_fixable"), -40);
  EXPECT_EQ(Points(s, "cve_unfixed"), -15);
  EXPECT_EQ(s.score, 45);
}

TEST(TrustScoreTest, ClampedAtZeroAndJsonShape) {
  json h = CleanHost();
  h["firewall"]["state"] = "no";
  h["confinement"]["apparmor"] = "disabled";
  h["sshd"]["findings"] = json::array({{{"keyword", "PermitRootLogin"}, {"value", "yes"}},
                                       {{"keyword", "PermitEmptyPasswords"}, {"value", "yes"}},
                                       {{"keyword", "PasswordAuthentication"}, {"value", "yes"}}});
  h["insecure_services"] =
      json::array({{{"service", "telnet"}, {"port", 23}}, {{"service", "ftp"}, {"port", 21}}});
  std::vector<Finding> many(10, F(FindingState::kFixable, Severity::kCritical));
  TrustScore s = ComputeTrustScore(h, &many);
  EXPECT_EQ(s.score, 0);
  json j = TrustScoreToJson(s);
  EXPECT_EQ(j["trust_score"], 0);
  ASSERT_TRUE(j["score_factors"].is_array());
  EXPECT_EQ(j["score_factors"][0]["factor"], "firewall_off");
  EXPECT_EQ(j["score_factors"][0]["points"], -20);
  EXPECT_TRUE(j["score_factors"][0]["detail"].is_string());
}

TEST(TrustScoreTest, WrongTypesAreUnknownNotACrash) {
  json h = {{"firewall", "yes"},
            {"confinement", 3},
            {"sshd", {{"findings", "x"}}},
            {"insecure_services", {{"a", 1}}},
            {"sockets", {{"listening", {1, "x", nullptr}}}},
            {"reboot_required", true}};
  TrustScore s = ComputeTrustScore(h, &kNoFindings);
  EXPECT_EQ(Points(s, "firewall_unknown"), -5);
  EXPECT_EQ(Points(s, "confinement_unknown"), -3);
  EXPECT_EQ(s.score, 92);
  EXPECT_EQ(Points(ComputeTrustScore(json::array(), nullptr), "no_audit"), -40);
}

}  // namespace
}  // namespace wott::audit
