#include "audit/os_release.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace wott::audit {
namespace {

TEST(OsReleaseTest, ParsesDebian12) {
  Result<OsRelease> os = ParseOsRelease(
      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
      "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n"
      "VERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n");
  ASSERT_TRUE(os.ok()) << os.status();
  EXPECT_EQ(os->id, "debian");
  EXPECT_EQ(os->version_id, "12");
  EXPECT_EQ(os->version_codename, "bookworm");
  EXPECT_EQ(os->pretty_name, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_TRUE(os->IsDebianLike());
}

TEST(OsReleaseTest, QuotingFollowsTheShell) {
  Result<OsRelease> os = ParseOsRelease(
      "# comment\r\n\r\n  ID='rasp'\"bian\"\r\nPRETTY_NAME=\"say \\\"hi\\\" \\$HOME \\\\ \\n\"\r\n"
      "ID_LIKE=debian\r\nVERSION_ID=12 # trailing comment\r\n");
  ASSERT_TRUE(os.ok()) << os.status();
  EXPECT_EQ(os->id, "raspbian");
  EXPECT_EQ(os->pretty_name, "say \"hi\" $HOME \\ \\n");
  EXPECT_EQ(os->version_id, "12");
  EXPECT_TRUE(os->IsDebianLike());
  EXPECT_EQ(os->version_codename, "bookworm");  // from VERSION_ID, as Debian-like
}

TEST(OsReleaseTest, CodenameFallbacks) {
  Result<OsRelease> os = ParseOsRelease("ID=debian\nVERSION=\"11 (bullseye)\"\n");
  ASSERT_TRUE(os.ok());
  EXPECT_EQ(os->version_codename, "bullseye");
  os = ParseOsRelease("ID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n");
  ASSERT_TRUE(os.ok());
  EXPECT_EQ(os->version_codename, "jammy");
  os = ParseOsRelease("ID=fedora\nVERSION_ID=39\n");
  ASSERT_TRUE(os.ok());
  EXPECT_EQ(os->version_codename, "");
  EXPECT_FALSE(os->IsDebianLike());
}

TEST(OsReleaseTest, RejectsMalformedLines) {
  for (auto [text, error] : std::initializer_list<std::pair<std::string, std::string>>{
           {"ID=debian\nnonsense\n", "line 2: expected KEY=value"},
           {"ID=\"debian\n", "line 1: unterminated \" quote"},
           {"ID='debian\n", "line 1: unterminated ' quote"},
           {"1D=x\n", "line 1: invalid key"},
           {"=x\n", "line 1: empty key"},
           {"NAME=Debian GNU\n", "line 1: unquoted value contains a blank"},
           {std::string("ID=a\0", 5), "NUL byte"},
       }) {
    Result<OsRelease> os = ParseOsRelease(text);
    ASSERT_FALSE(os.ok()) << "accepted: " << text;
    EXPECT_NE(os.status().message().find(error), std::string::npos) << os.status().message();
  }
}

// Every supported host (Debian 12 and its derivatives) has /etc/os-release: a missing file
// is a failure here, not a skip.
TEST(OsReleaseTest, ReadsThisMachine) {
  Result<OsRelease> os = ReadOsReleaseFile("/etc/os-release");
  ASSERT_TRUE(os.ok()) << os.status();
  EXPECT_FALSE(os->id.empty());
}

}  // namespace
}  // namespace wott::audit
