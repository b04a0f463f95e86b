#include "audit/vuln_db.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"

namespace wott::audit {
namespace {

using testing::ScratchDir;

Advisory MakeAdvisory(std::string id, std::string package, std::string fixed) {
  Advisory a;
  a.vuln_id = std::move(id);
  a.source_package = std::move(package);
  a.release = "bookworm";
  a.status = "resolved";
  a.fixed_version = std::move(fixed);
  a.urgency = "high";
  a.origin = "debian-tracker";
  return a;
}

Status Build(const std::filesystem::path& path, const std::vector<Advisory>& advisories) {
  ASSIGN_OR_RETURN(std::unique_ptr<VulnDbWriter> w, VulnDbWriter::Create(path));
  for (const Advisory& a : advisories) {
    RETURN_IF_ERROR(
        w->AddVulnerability({a.vuln_id, "about " + a.vuln_id, "remote", {"X-1"}, a.origin}));
    RETURN_IF_ERROR(w->AddAdvisory(a));
  }
  RETURN_IF_ERROR(
      w->AddSource({"tracker.json", "debian-tracker", static_cast<int64_t>(advisories.size())}));
  return w->Commit("2026-11-27T12:00:00Z");
}

TEST(VulnDbTest, WritesAndFinds) {
  ScratchDir dir;
  std::filesystem::path path = dir.path() / kVulnDbFileName;
  ASSERT_TRUE(Build(path, {MakeAdvisory("CVE-2", "openssl", "3.0.14-1"),
                           MakeAdvisory("CVE-1", "openssl", "3.0.13-1"),
                           MakeAdvisory("CVE-3", "curl", "7.88.1-10+deb12u4")})
                  .ok());
  Result<std::unique_ptr<VulnDb>> db = VulnDb::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  Result<std::vector<AdvisoryRow>> rows = (*db)->Find("openssl", "bookworm");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].advisory.vuln_id, "CVE-1");
  EXPECT_EQ((*rows)[0].advisory.fixed_version, "3.0.13-1");
  EXPECT_EQ((*rows)[0].description, "about CVE-1");
  EXPECT_EQ((*rows)[0].aliases, std::vector<std::string>{"X-1"});
  EXPECT_TRUE((*db)->Find("openssl", "bullseye")->empty());
  EXPECT_TRUE((*db)->Find("nothing", "bookworm")->empty());
  EXPECT_TRUE(*(*db)->HasRelease("bookworm"));
  EXPECT_FALSE(*(*db)->HasRelease("jammy"));
  Result<VulnDbStats> stats = (*db)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->vulnerabilities, 3);
  EXPECT_EQ(stats->advisories, 3);
  EXPECT_EQ(stats->imported_at, "2026-11-27T12:00:00Z");
  EXPECT_EQ(stats->releases, std::vector<std::string>{"bookworm"});
  ASSERT_EQ(stats->sources.size(), 1u);
  EXPECT_EQ(stats->sources[0].advisories, 3);
}

TEST(VulnDbTest, CommitReplacesWholeAndAbandonedWriterLeavesOldData) {
  ScratchDir dir;
  std::filesystem::path path = dir.path() / kVulnDbFileName;
  ASSERT_TRUE(Build(path, {MakeAdvisory("CVE-OLD", "openssl", "1")}).ok());
  Result<std::unique_ptr<VulnDb>> old_reader = VulnDb::Open(path);
  ASSERT_TRUE(old_reader.ok());
  {
    // An import that fails half-way: the writer is dropped without Commit.
    Result<std::unique_ptr<VulnDbWriter>> w = VulnDbWriter::Create(path);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->AddAdvisory(MakeAdvisory("CVE-HALF", "openssl", "2")).ok());
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1)
      << "the abandoned temporary file was not removed";
  Result<std::unique_ptr<VulnDb>> db = VulnDb::Open(path);
  ASSERT_TRUE(db.ok());
  ASSERT_EQ((*db)->Find("openssl", "bookworm")->size(), 1u);
  EXPECT_EQ((*db)->Find("openssl", "bookworm")->at(0).advisory.vuln_id, "CVE-OLD");

  ASSERT_TRUE(Build(path, {MakeAdvisory("CVE-NEW", "curl", "1")}).ok());
  db = VulnDb::Open(path);
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE((*db)->Find("openssl", "bookworm")->empty());  // replaced, not merged
  EXPECT_EQ((*db)->Find("curl", "bookworm")->size(), 1u);
  // A reader opened before the swap keeps its consistent snapshot.
  EXPECT_EQ((*old_reader)->Find("openssl", "bookworm")->size(), 1u);
}

TEST(VulnDbTest, OpenRefusesMissingAndForeignFiles) {
  ScratchDir dir;
  Result<std::unique_ptr<VulnDb>> missing = VulnDb::Open(dir.path() / "none.sqlite");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("cve import"), std::string::npos);

  for (const std::string& text :
       {std::string("not a database at all, just text"), std::string("")}) {
    std::filesystem::path path = dir.Write("foreign.sqlite", text);
    Result<std::unique_ptr<VulnDb>> db = VulnDb::Open(path);
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), StatusCode::kFailedPrecondition) << db.status();
  }
}

TEST(VulnDbTest, CreateRefusesAMissingDirectory) {
  Result<std::unique_ptr<VulnDbWriter>> w = VulnDbWriter::Create("/nonexistent/dir/vulndb.sqlite");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("/nonexistent/dir"), std::string::npos);
}

}  // namespace
}  // namespace wott::audit
