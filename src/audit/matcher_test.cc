#include "audit/matcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "audit/audit_test_util.h"
#include "audit/debian_tracker_import.h"

namespace wott::audit {
namespace {

using testing::Fixture;
using testing::ScratchDir;

DebVersion V(std::string_view text) { return ParseDebVersion(text).value(); }

Advisory Resolved(std::string fixed) {
  Advisory a;
  a.status = "resolved";
  a.fixed_version = std::move(fixed);
  return a;
}

Advisory Open(std::string urgency, std::string nodsa = "", std::string reason = "",
              std::string status = "open") {
  Advisory a;
  a.status = std::move(status);
  a.urgency = std::move(urgency);
  a.nodsa = std::move(nodsa);
  a.nodsa_reason = std::move(reason);
  return a;
}

TEST(ClassifyAdvisoryTest, ResolvedIsFixableOnlyBelowTheFixedVersion) {
  EXPECT_EQ(ClassifyAdvisory(Resolved("2.36-9+deb12u3"), V("2.36-9+deb12u1")),
            FindingState::kFixable);
  EXPECT_EQ(ClassifyAdvisory(Resolved("2.36-9+deb12u3"), V("2.36-9+deb12u3")), std::nullopt);
  EXPECT_EQ(ClassifyAdvisory(Resolved("2.36-9+deb12u3"), V("2.36-9+deb12u10")), std::nullopt);
  // Epochs and ~ in dpkg order, not string order.
  EXPECT_EQ(ClassifyAdvisory(Resolved("1:9.2p1-2+deb12u3"), V("9.9p1-1")), FindingState::kFixable);
  EXPECT_EQ(ClassifyAdvisory(Resolved("3.0.14-1~deb12u1"), V("3.0.14-1~deb12u1~pre")),
            FindingState::kFixable);
  EXPECT_EQ(ClassifyAdvisory(Resolved("3.0.14-1~deb12u1"), V("3.0.14-1")), std::nullopt);
}

TEST(ClassifyAdvisoryTest, OpenIssuesGetTheirOwnStates) {
  DebVersion any = V("1.0-1");
  EXPECT_EQ(ClassifyAdvisory(Open("high"), any), FindingState::kOpen);
  EXPECT_EQ(ClassifyAdvisory(Open("not yet assigned", "", "", "undetermined"), any),
            FindingState::kUndetermined);
  EXPECT_EQ(ClassifyAdvisory(Open("low", "Minor issue"), any), FindingState::kNoDsa);
  EXPECT_EQ(ClassifyAdvisory(Open("low", "", "postponed"), any), FindingState::kNoDsa);
  EXPECT_EQ(ClassifyAdvisory(Open("low", "Minor issue", "ignored"), any), FindingState::kIgnored);
  EXPECT_EQ(ClassifyAdvisory(Open("unimportant"), any), FindingState::kIgnored);
  EXPECT_EQ(ClassifyAdvisory(Open("end-of-life"), any), FindingState::kEndOfLife);
}

TEST(ClassifyAdvisoryTest, IntroducedVersionBoundsTheRange) {
  Advisory a = Resolved("2.0-1");
  a.introduced = "1.5-1";
  EXPECT_EQ(ClassifyAdvisory(a, V("1.4-1")), std::nullopt);
  EXPECT_EQ(ClassifyAdvisory(a, V("1.5-1")), FindingState::kFixable);
}

TEST(SeverityTest, FromUrgency) {
  EXPECT_EQ(SeverityFromUrgency("high"), Severity::kHigh);
  EXPECT_EQ(SeverityFromUrgency("high**"), Severity::kHigh);
  EXPECT_EQ(SeverityFromUrgency("medium"), Severity::kMedium);
  EXPECT_EQ(SeverityFromUrgency("low*"), Severity::kLow);
  EXPECT_EQ(SeverityFromUrgency("unimportant"), Severity::kNegligible);
  EXPECT_EQ(SeverityFromUrgency("not yet assigned"), Severity::kUnknown);
  EXPECT_EQ(SeverityFromUrgency("end-of-life"), Severity::kUnknown);
  EXPECT_EQ(SeverityFromUrgency(""), Severity::kUnknown);
  EXPECT_EQ(SeverityFromUrgency("negligible"), Severity::kUnknown);  // not a tracker word
  EXPECT_TRUE(ParseSeverity("high").ok());
  EXPECT_FALSE(ParseSeverity("severe").ok());
  EXPECT_EQ(*ParseFindingState("unfixed"), FindingState::kOpen);
  EXPECT_FALSE(ParseFindingState("vulnerable").ok());
}

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = Import(Fixture("tracker_small.json")); }

  std::unique_ptr<VulnDb> Import(const std::filesystem::path& tracker) {
    std::filesystem::path path = dir_.path() / kVulnDbFileName;
    auto writer = VulnDbWriter::Create(path);
    EXPECT_TRUE(writer.ok());
    Result<ImportStats> stats = ImportDebianTrackerFile(tracker, **writer, nullptr);
    EXPECT_TRUE(stats.ok()) << stats.status();
    EXPECT_TRUE((*writer)->Commit("2026-11-27T00:00:00Z").ok());
    auto db = VulnDb::Open(path);
    EXPECT_TRUE(db.ok()) << db.status();
    return std::move(db).value();
  }

  Inventory FixtureInventory() {
    Result<Inventory> inv =
        ReadInventory(Fixture("dpkg_status_vulnerable"), Fixture("os_release_bookworm"));
    EXPECT_TRUE(inv.ok()) << inv.status();
    return std::move(inv).value();
  }

  ScratchDir dir_;
  std::unique_ptr<VulnDb> db_;
};

// vuln_id -> "state severity fixed_version" for compact comparisons.
std::map<std::string, std::string> Summarize(const std::vector<Finding>& findings) {
  std::map<std::string, std::string> out;
  for (const Finding& f : findings) {
    out[f.source_package + " " + f.vuln_id] = std::string(FindingStateName(f.state)) + " " +
                                              std::string(SeverityName(f.severity)) + " " +
                                              f.fixed_version;
  }
  return out;
}

TEST_F(MatcherTest, FindsEachStateOnTheFixtureInventory) {
  Result<std::vector<Finding>> findings = MatchInventory(FixtureInventory(), *db_);
  ASSERT_TRUE(findings.ok()) << findings.status();
  std::map<std::string, std::string> expected = {
      {"glibc CVE-2023-4911", "fixable high 2.36-9+deb12u3"},
      {"openssh CVE-2024-6387", "fixable high 1:9.2p1-2+deb12u3"},
      {"openssl CVE-2024-4741", "fixable unknown 3.0.14-1~deb12u1"},
      {"openssl CVE-2023-5678", "no-dsa low "},
      {"openssl TEMP-0000000-B1D8E7", "undetermined unknown "},
      {"tar CVE-2005-2541", "ignored negligible "},
      {"python2.7 CVE-2023-24329", "end-of-life unknown "},
      {"curl CVE-2024-2398", "no-dsa medium "},
      // Matched by the source version 1.203, not the binary's 4:12.2.0-3.
      {"gcc-defaults TEMP-0000000-C0FFEE", "fixable medium 1.204"},
  };
  EXPECT_EQ(Summarize(*findings), expected);
  // Not reported: xz-utils (bookworm never affected), curl CVE-2023-38545 (the binNMU's
  // source is at the fixed version), nano (only config files left).
  // Most severe first; binaries grouped under their source.
  EXPECT_EQ((*findings)[0].severity, Severity::kHigh);
  for (const Finding& f : *findings) {
    if (f.source_package == "openssh") {
      EXPECT_EQ(f.binary_packages, (std::vector<std::string>{"openssh-client", "openssh-server"}));
      EXPECT_EQ(f.installed_version, "1:9.2p1-2+deb12u2");
      EXPECT_EQ(f.release, "bookworm");
      EXPECT_FALSE(f.description.empty());
    }
    if (f.vuln_id == "CVE-2024-2398") {
      EXPECT_EQ(f.note, "Minor issue (postponed)");
    }
  }
}

TEST_F(MatcherTest, FiltersByStateAndSeverity) {
  MatchOptions fixable_high;
  fixable_high.states = {FindingState::kFixable};
  fixable_high.min_severity = Severity::kHigh;
  Result<std::vector<Finding>> f = MatchInventory(FixtureInventory(), *db_, fixable_high);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(Summarize(*f), (std::map<std::string, std::string>{
                               {"glibc CVE-2023-4911", "fixable high 2.36-9+deb12u3"},
                               {"openssh CVE-2024-6387", "fixable high 1:9.2p1-2+deb12u3"}}));
  MatchOptions noise;
  noise.states = {FindingState::kIgnored, FindingState::kEndOfLife};
  f = MatchInventory(FixtureInventory(), *db_, noise);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->size(), 2u);
}

TEST_F(MatcherTest, UpgradingClearsTheFinding) {
  Inventory inv = FixtureInventory();
  for (InstalledPackage& p : inv.packages) {
    if (p.source_name == "glibc") p.version = p.source_version = "2.36-9+deb12u3";
  }
  Result<std::vector<Finding>> f = MatchInventory(inv, *db_);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(Summarize(*f).contains("glibc CVE-2023-4911"));
}

TEST_F(MatcherTest, RefusesAnUnknownOrMissingRelease) {
  Inventory inv = FixtureInventory();
  inv.os.version_codename = "";
  Result<std::vector<Finding>> f = MatchInventory(inv, *db_);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("VERSION_CODENAME"), std::string::npos);
  inv.os.version_codename = "trixie";
  f = MatchInventory(inv, *db_);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("no release 'trixie'"), std::string::npos);
  inv.os = {"fedora", "", "39", "bookworm", "Fedora"};
  f = MatchInventory(inv, *db_);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("not Debian"), std::string::npos);
  MatchOptions explicit_release;
  explicit_release.release = "sid";  // the operator knows better
  EXPECT_TRUE(MatchInventory(inv, *db_, explicit_release).ok());
}

// This machine's real dpkg database against a crafted tracker file that names one of its
// installed packages with a fixed version above and one below the installed version.
TEST_F(MatcherTest, MatchesThisMachinesDpkgStatus) {
  if (::access("/var/lib/dpkg/status", R_OK) != 0) GTEST_SKIP() << "no dpkg database";
  Result<Inventory> inv = ReadInventory("/var/lib/dpkg/status");
  ASSERT_TRUE(inv.ok()) << inv.status();
  ASSERT_FALSE(inv->os.version_codename.empty());
  const InstalledPackage* dpkg = nullptr;
  for (const InstalledPackage& p : inv->packages) {
    if (p.name == "dpkg") dpkg = &p;
  }
  ASSERT_NE(dpkg, nullptr) << "dpkg itself is not installed?";
  std::string release = inv->os.version_codename;
  std::string tracker =
      "{\"" + dpkg->source_name + "\": {" + "\"CVE-2099-0001\": {\"releases\": {\"" + release +
      "\": {\"status\": \"resolved\", \"fixed_version\": \"" + dpkg->source_version +
      "+wott1\", \"urgency\": \"high\"}}}, " + "\"CVE-2099-0002\": {\"releases\": {\"" + release +
      "\": {\"status\": \"resolved\", \"fixed_version\": \"" + dpkg->source_version +
      "~wott1\", \"urgency\": \"high\"}}}}}";
  db_ = Import(dir_.Write("live.json", tracker));
  Result<std::vector<Finding>> f = MatchInventory(*inv, *db_);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->size(), 1u);
  EXPECT_EQ((*f)[0].vuln_id, "CVE-2099-0001");
  EXPECT_EQ((*f)[0].state, FindingState::kFixable);
  EXPECT_EQ((*f)[0].installed_version, dpkg->source_version);
  EXPECT_NE(std::find((*f)[0].binary_packages.begin(), (*f)[0].binary_packages.end(), "dpkg"),
            (*f)[0].binary_packages.end());
}

}  // namespace
}  // namespace wott::audit
