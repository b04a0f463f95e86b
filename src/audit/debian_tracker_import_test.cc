#include "audit/debian_tracker_import.h"

#include <gtest/gtest.h>

#include <sstream>

#include "audit/audit_test_util.h"

namespace wott::audit {
namespace {

using testing::Fixture;
using testing::ScratchDir;

std::vector<TrackerEntry> ParseAll(const std::string& text, Status* status) {
  std::istringstream in(text);
  std::vector<TrackerEntry> entries;
  *status = ParseDebianTracker(in, [&](TrackerEntry& e) {
    entries.push_back(e);
    return Status::Ok();
  });
  return entries;
}

TEST(DebianTrackerParseTest, DeliversOneEntryPerPackageAndCve) {
  Status s;
  std::vector<TrackerEntry> entries = ParseAll(
      R"({"openssl": {"CVE-2024-4741": {"description": "Use After Free", "scope": "remote",
           "debianbug": 123, "unknown": [1, {"x": null}],
           "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.14-1~deb12u1",
               "urgency": "low**", "repositories": {"bookworm": "3.0.14-1~deb12u1"},
               "nodsa": "Minor issue", "nodsa_reason": "postponed", "next_point_update": true},
             "sid": {"status": "open", "urgency": null}}},
         "CVE-2023-5678": {"releases": {}}},
         "zlib": {}})",
      &s);
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].package, "openssl");
  EXPECT_EQ(entries[0].cve, "CVE-2024-4741");
  EXPECT_EQ(entries[0].description, "Use After Free");
  EXPECT_EQ(entries[0].scope, "remote");
  ASSERT_EQ(entries[0].releases.size(), 2u);
  const TrackerRelease& r = entries[0].releases[0];
  EXPECT_EQ(r.codename, "bookworm");
  EXPECT_EQ(r.status, "resolved");
  EXPECT_EQ(r.fixed_version, "3.0.14-1~deb12u1");
  EXPECT_EQ(r.urgency, "low**");
  EXPECT_EQ(r.nodsa, "Minor issue");
  EXPECT_EQ(r.nodsa_reason, "postponed");
  EXPECT_EQ(entries[0].releases[1].urgency, "");
  EXPECT_EQ(entries[1].cve, "CVE-2023-5678");
  EXPECT_TRUE(entries[1].description.empty());  // not carried over from the previous entry
  EXPECT_TRUE(entries[1].releases.empty());
}

TEST(DebianTrackerParseTest, RejectsBadJsonAndWrongShapesClearly) {
  struct Case {
    std::string text;
    std::string error;
  };
  for (const Case& c : {
           Case{"", "invalid JSON: parse error at line 1, column 1"},
           Case{"{\"openssl\": {\"CVE-1\": {\"releases\": {", "invalid JSON: parse error"},
           Case{"{\"a\": {}} trailing", "invalid JSON"},
           Case{"\x89PNG\r\n", "invalid JSON"},
           Case{"[{\"id\": \"DSA-1\"}]", "the top level is an array"},
           Case{"42", "the top level is a number"},
           Case{R"({"openssl": [1]})", "package openssl: expected an object, got an array"},
           Case{R"({"openssl": {"CVE-1": "x"}})", "package openssl, CVE-1: expected an object"},
           Case{R"({"p": {"CVE-1": {"releases": []}}})", "CVE-1, releases: expected an object"},
           Case{R"({"p": {"CVE-1": {"releases": {"bookworm": 1}}}})", "release bookworm? expected"},
           Case{R"({"p": {"CVE-1": {"description": 7}}})", "description: expected a string"},
           Case{R"({"p": {"CVE-1": {"releases": {"b": {"fixed_version": 1.5}}}}})",
                "release b, fixed_version: expected a string, got a number"},
       }) {
    Status s;
    ParseAll(c.text, &s);
    ASSERT_FALSE(s.ok()) << "accepted: " << c.text;
    if (c.error.find('?') != std::string::npos) {
      EXPECT_NE(s.message().find("expected an object, got a number"), std::string::npos)
          << s.message();
    } else {
      EXPECT_NE(s.message().find(c.error), std::string::npos) << c.text << " -> " << s.message();
    }
  }
}

TEST(DebianTrackerParseTest, StopsAtTheCallbacksError) {
  std::istringstream in(R"({"a": {"CVE-1": {}, "CVE-2": {}}})");
  int calls = 0;
  Status s = ParseDebianTracker(in, [&](TrackerEntry&) {
    ++calls;
    return Internal("disk full");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.message(), "disk full");
}

TEST(DebianTrackerImportTest, ImportsTheFixture) {
  ScratchDir dir;
  Result<std::unique_ptr<VulnDbWriter>> writer = VulnDbWriter::Create(dir.path() / "db");
  ASSERT_TRUE(writer.ok()) << writer.status();
  uint64_t last_done = 0, total = 0;
  Result<ImportStats> stats = ImportDebianTrackerFile(Fixture("tracker_small.json"), **writer,
                                                      [&](uint64_t done, uint64_t all) {
                                                        last_done = done;
                                                        total = all;
                                                      });
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->vulnerabilities, 12);
  EXPECT_EQ(stats->not_affected, 2);  // glibc/bullseye and xz-utils/bookworm
  EXPECT_EQ(stats->advisories, 12);
  EXPECT_EQ(stats->skipped, 0);
  EXPECT_GT(total, 0u);
  EXPECT_EQ(last_done, total);
}

TEST(DebianTrackerImportTest, SkipsAndCountsUnparsableFixedVersions) {
  ScratchDir dir;
  std::filesystem::path file =
      dir.Write("t.json", R"({"p": {"CVE-1": {"releases": {"bookworm": {"status": "resolved",
        "fixed_version": "1.0-"}, "sid": {"status": "resolved", "fixed_version": "1.1-1"}}}}})");
  Result<std::unique_ptr<VulnDbWriter>> writer = VulnDbWriter::Create(dir.path() / "db");
  ASSERT_TRUE(writer.ok());
  Result<ImportStats> stats = ImportDebianTrackerFile(file, **writer, nullptr);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->advisories, 1);
  EXPECT_EQ(stats->skipped, 1);
  EXPECT_NE(stats->first_skip.find("CVE-1, release bookworm"), std::string::npos)
      << stats->first_skip;
}

TEST(DebianTrackerImportTest, RefusesEmptyTruncatedAndMissingFilesNamingThem) {
  ScratchDir dir;
  std::string fixture;
  {
    std::ifstream in(Fixture("tracker_small.json"));
    fixture.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (auto [name, text, error] :
       std::initializer_list<std::tuple<std::string, std::string, std::string>>{
           {"empty.json", "{}", "no vulnerability entries"},
           {"truncated.json", fixture.substr(0, fixture.size() / 2), "invalid JSON"},
           {"garbage.json", "not json at all", "invalid JSON"},
       }) {
    std::filesystem::path file = dir.Write(name, text);
    Result<std::unique_ptr<VulnDbWriter>> writer = VulnDbWriter::Create(dir.path() / "db");
    ASSERT_TRUE(writer.ok());
    Result<ImportStats> stats = ImportDebianTrackerFile(file, **writer, nullptr);
    ASSERT_FALSE(stats.ok()) << name;
    EXPECT_NE(stats.status().message().find(file.string()), std::string::npos)
        << stats.status().message();
    EXPECT_NE(stats.status().message().find(error), std::string::npos) << stats.status().message();
  }
  Result<std::unique_ptr<VulnDbWriter>> writer = VulnDbWriter::Create(dir.path() / "db");
  ASSERT_TRUE(writer.ok());
  Result<ImportStats> missing = ImportDebianTrackerFile(dir.path() / "nope.json", **writer, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);
}

}  // namespace
}  // namespace wott::audit
