#include "audit/osv_import.h"

#include <gtest/gtest.h>

#include <map>

#include "audit/audit_test_util.h"
#include "audit/matcher.h"
#include "audit/vuln_import.h"

namespace wott::audit {
namespace {

using testing::Fixture;
using testing::ScratchDir;

Result<ImportStats> ImportOne(const ScratchDir& dir, const std::filesystem::path& file) {
  ASSIGN_OR_RETURN(std::unique_ptr<VulnDbWriter> w, VulnDbWriter::Create(dir.path() / "db"));
  return ImportOsvFile(file, *w, nullptr);
}

TEST(OsvImportTest, EcosystemToCodename) {
  EXPECT_EQ(DebianCodenameFromOsvEcosystem("Debian:12"), "bookworm");
  EXPECT_EQ(DebianCodenameFromOsvEcosystem("Debian:11"), "bullseye");
  EXPECT_EQ(DebianCodenameFromOsvEcosystem("Debian"), "");
  EXPECT_EQ(DebianCodenameFromOsvEcosystem("Ubuntu:22.04"), "");
  EXPECT_EQ(DebianCodenameFromOsvEcosystem("Debian:99"), "");
}

TEST(OsvImportTest, ImportsOneRecordAndAnArray) {
  ScratchDir dir;
  Result<ImportStats> one = ImportOne(dir, Fixture("osv_dsa.json"));
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->vulnerabilities, 1);
  EXPECT_EQ(one->advisories, 2);  // bookworm and bullseye
  Result<ImportStats> many = ImportOne(dir, Fixture("osv_array.json"));
  ASSERT_TRUE(many.ok()) << many.status();
  EXPECT_EQ(many->vulnerabilities, 5);
  EXPECT_EQ(many->advisories, 3);  // PyPI and the withdrawn record skipped
}

TEST(OsvImportTest, SplitsRangesIntoIntervals) {
  ScratchDir dir;
  std::filesystem::path file = dir.Write("r.json", R"({"id": "X-1", "affected": [{
      "package": {"ecosystem": "Debian:12", "name": "p"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.5"},
                                                  {"introduced": "2.0"}, {"fixed": "2.3"}]},
                 {"type": "GIT", "events": [{"introduced": "abc"}]}]}]})");
  Result<std::vector<FileImport>> imported =
      ImportVulnFiles(dir.path() / kVulnDbFileName, {file}, "2026-11-27T00:00:00Z");
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ((*imported)[0].stats.advisories, 2);
  auto db = VulnDb::Open(dir.path() / kVulnDbFileName);
  ASSERT_TRUE(db.ok());
  std::map<std::string, std::string> got;
  for (const char* v : {"0.9", "1.0", "1.5", "1.9", "2.1", "2.3"}) {
    Inventory inv;
    inv.os.id = "debian";
    inv.os.version_codename = "bookworm";
    inv.packages = {{"p", v, "all", "p", v}};
    Result<std::vector<Finding>> f = MatchInventory(inv, **db);
    ASSERT_TRUE(f.ok()) << f.status();
    got[v] = f->empty() ? "-" : (*f)[0].fixed_version;
    EXPECT_LE(f->size(), 1u);
  }
  EXPECT_EQ(
      got,
      (std::map<std::string, std::string>{
          {"0.9", "-"}, {"1.0", "1.5"}, {"1.5", "-"}, {"1.9", "-"}, {"2.1", "2.3"}, {"2.3", "-"}}));
}

TEST(OsvImportTest, RefusesBadFilesNamingThem) {
  ScratchDir dir;
  for (auto [text, error] : std::initializer_list<std::pair<std::string, std::string>>{
           {R"([{"id": "A"}, 42])", "record 1 is not an object"},
           {R"([{"summary": "no id"}])", "record 0 has no string \"id\""},
           {R"({"id": 5})", "record 0 has no string \"id\""},
           {R"([{"id": "A", "affected": [)", "invalid JSON"},
           {R"({"id": "PYSEC-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"}}]})",
            "no Debian advisories"},
           {"[]", "no Debian advisories"},
       }) {
    std::filesystem::path file = dir.Write("bad.json", text);
    Result<ImportStats> stats = ImportOne(dir, file);
    ASSERT_FALSE(stats.ok()) << text;
    EXPECT_NE(stats.status().message().find(file.string()), std::string::npos);
    EXPECT_NE(stats.status().message().find(error), std::string::npos)
        << text << " -> " << stats.status().message();
  }
}

TEST(VulnImportTest, DetectsFormats) {
  ScratchDir dir;
  EXPECT_EQ(*DetectImportFormat(Fixture("tracker_small.json")), ImportFormat::kDebianTracker);
  EXPECT_EQ(*DetectImportFormat(Fixture("osv_dsa.json")), ImportFormat::kOsv);
  EXPECT_EQ(*DetectImportFormat(Fixture("osv_array.json")), ImportFormat::kOsv);
  EXPECT_EQ(*DetectImportFormat(dir.Write("a.json", " \n{\"schema_version\": \"1\"}")),
            ImportFormat::kOsv);
  for (const std::string& text : {std::string("hello"), std::string(""), std::string("  \n")}) {
    Result<ImportFormat> f = DetectImportFormat(dir.Write("x.json", text));
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.status().message().find("x.json"), std::string::npos);
  }
}

TEST(VulnImportTest, TrackerAndOsvTogetherReportEachIssueOnce) {
  ScratchDir dir;
  std::filesystem::path db_path = dir.path() / kVulnDbFileName;
  Result<std::vector<FileImport>> imported = ImportVulnFiles(
      db_path, {Fixture("tracker_small.json"), Fixture("osv_dsa.json"), Fixture("osv_array.json")},
      "2026-11-27T00:00:00Z");
  ASSERT_TRUE(imported.ok()) << imported.status();
  ASSERT_EQ(imported->size(), 3u);
  EXPECT_EQ((*imported)[0].format, ImportFormat::kDebianTracker);
  EXPECT_EQ((*imported)[1].format, ImportFormat::kOsv);
  auto db = VulnDb::Open(db_path);
  ASSERT_TRUE(db.ok());
  Result<Inventory> inv =
      ReadInventory(Fixture("dpkg_status_vulnerable"), Fixture("os_release_bookworm"));
  ASSERT_TRUE(inv.ok());
  for (bool with_descriptions : {true, false}) {
    MatchOptions options;
    options.with_descriptions = with_descriptions;
    Result<std::vector<Finding>> f = MatchInventory(*inv, **db, options);
    ASSERT_TRUE(f.ok());
    std::set<std::string> ids;
    for (const Finding& x : *f) {
      ids.insert(x.vuln_id);
      EXPECT_EQ(x.description.empty(), !with_descriptions) << x.vuln_id;
    }
    EXPECT_EQ(ids.size(), 9u);
    EXPECT_TRUE(ids.contains("CVE-2023-4911"));
    EXPECT_FALSE(ids.contains("DSA-5514-1"));            // alias of the tracker's CVE
    EXPECT_FALSE(ids.contains("DSA-5724-1"));            // upstream of the tracker's CVE
    EXPECT_FALSE(ids.contains("DEBIAN-CVE-2005-2541"));  // same
  }
  Result<VulnDbStats> stats = (*db)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->sources.size(), 3u);
}

TEST(VulnImportTest, OsvAloneFindsItsAdvisories) {
  ScratchDir dir;
  std::filesystem::path db_path = dir.path() / kVulnDbFileName;
  ASSERT_TRUE(ImportVulnFiles(db_path, {Fixture("osv_dsa.json"), Fixture("osv_array.json")},
                              "2026-11-27T00:00:00Z")
                  .ok());
  auto db = VulnDb::Open(db_path);
  ASSERT_TRUE(db.ok());
  Result<Inventory> inv =
      ReadInventory(Fixture("dpkg_status_vulnerable"), Fixture("os_release_bookworm"));
  ASSERT_TRUE(inv.ok());
  Result<std::vector<Finding>> f = MatchInventory(*inv, **db);
  ASSERT_TRUE(f.ok()) << f.status();
  std::map<std::string, std::string> got;
  for (const Finding& x : *f) {
    got[x.vuln_id] =
        std::string(FindingStateName(x.state)) + " " + std::string(SeverityName(x.severity));
  }
  EXPECT_EQ(got,
            (std::map<std::string, std::string>{{"DSA-5514-1", "fixable unknown"},
                                                {"DSA-5724-1", "fixable high"},
                                                {"DEBIAN-CVE-2005-2541", "ignored negligible"}}));
}

TEST(VulnImportTest, AFailedImportKeepsTheOldData) {
  ScratchDir dir;
  std::filesystem::path db_path = dir.path() / kVulnDbFileName;
  ASSERT_TRUE(ImportVulnFiles(db_path, {Fixture("tracker_small.json")}, "t1").ok());
  std::filesystem::path bad = dir.Write("bad.json", "{\"openssl\": {\"CVE-1\": {");
  Result<std::vector<FileImport>> failed =
      ImportVulnFiles(db_path, {Fixture("osv_dsa.json"), bad}, "t2");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("bad.json"), std::string::npos);
  auto db = VulnDb::Open(db_path);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->Stats()->imported_at, "t1");
  EXPECT_EQ((*db)->Find("glibc", "bookworm")->size(), 1u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2)
      << "a temporary file was left behind";
}

}  // namespace
}  // namespace wott::audit
