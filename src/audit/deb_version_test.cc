#include "audit/deb_version.h"

#include <gtest/gtest.h>

#include <string>

namespace wott::audit {
namespace {

int Cmp(std::string_view a, std::string_view b) {
  Result<int> rc = CompareDebVersionStrings(a, b);
  EXPECT_TRUE(rc.ok()) << a << " vs " << b << ": " << rc.status();
  if (!rc.ok()) return 99;
  return *rc < 0 ? -1 : (*rc > 0 ? 1 : 0);
}

TEST(DebVersionTest, ParsesEpochUpstreamRevision) {
  Result<DebVersion> v = ParseDebVersion("2:1.2.3-4+deb12u1");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->epoch, 2);
  EXPECT_EQ(v->upstream, "1.2.3");
  EXPECT_EQ(v->revision, "4+deb12u1");
  EXPECT_EQ(v->ToString(), "2:1.2.3-4+deb12u1");
}

TEST(DebVersionTest, LastHyphenSplitsRevision) {
  Result<DebVersion> v = ParseDebVersion("1.0-beta-2");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->upstream, "1.0-beta");
  EXPECT_EQ(v->revision, "2");
  EXPECT_EQ(v->ToString(), "1.0-beta-2");
}

TEST(DebVersionTest, NativeVersionHasNoRevision) {
  Result<DebVersion> v = ParseDebVersion("  1.21.22\t");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->epoch, 0);
  EXPECT_EQ(v->upstream, "1.21.22");
  EXPECT_EQ(v->revision, "");
}

TEST(DebVersionTest, RejectsWhatDpkgRejects) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : {
           Case{"", "version string is empty"},
           Case{"   ", "version string is empty"},
           Case{"1.0 2", "version string has embedded spaces"},
           Case{":1.0", "epoch in version is empty"},
           Case{"a:1.0", "epoch in version is empty"},
           Case{"1a:1.0", "epoch in version is not number"},
           Case{"-1:1.0", "epoch in version is negative"},
           Case{"99999999999:1.0", "epoch in version is too big"},
           Case{"1:", "nothing after colon in version number"},
           Case{"1.0-", "revision number is empty"},
           Case{"-1", "version number is empty"},
       }) {
    Result<DebVersion> v = ParseDebVersion(c.text);
    ASSERT_FALSE(v.ok()) << "'" << c.text << "' parsed";
    EXPECT_NE(v.status().message().find(c.error), std::string::npos)
        << c.text << ": " << v.status().message();
  }
}

TEST(DebVersionTest, AcceptsWithWarningWhatDpkgOnlyWarnsAbout) {
  std::string warning;
  ASSERT_TRUE(ParseDebVersion("abc", &warning).ok());
  EXPECT_NE(warning.find("does not start with digit"), std::string::npos);
  ASSERT_TRUE(ParseDebVersion("1.0_2", &warning).ok());
  EXPECT_NE(warning.find("invalid character in version number"), std::string::npos);
  ASSERT_TRUE(ParseDebVersion("1.0-2_3", &warning).ok());
  EXPECT_NE(warning.find("invalid character in revision number"), std::string::npos);
  ASSERT_TRUE(ParseDebVersion("1:1.0~rc1-2+b1", &warning).ok());
  EXPECT_EQ(warning, "");
}

TEST(DebVersionTest, OrdersLikeDpkg) {
  EXPECT_EQ(Cmp("1.0", "1.0"), 0);
  EXPECT_EQ(Cmp("1.0~rc1", "1.0"), -1);     // ~ before the end
  EXPECT_EQ(Cmp("1.0~~", "1.0~"), -1);      // ~~ before ~
  EXPECT_EQ(Cmp("1.0", "1.0a"), -1);        // the end before a letter
  EXPECT_EQ(Cmp("1.0a", "1.0+"), -1);       // letters before non-letters
  EXPECT_EQ(Cmp("1.0+", "1.0."), -1);       // then ASCII
  EXPECT_EQ(Cmp("1.9", "1.10"), -1);        // digit runs numerically
  EXPECT_EQ(Cmp("1.010", "1.10"), 0);       // leading zeros ignored
  EXPECT_EQ(Cmp("1:0.1", "9.9"), 1);        // epoch first
  EXPECT_EQ(Cmp("0:1.0", "1.0"), 0);        // epoch 0 is the default
  EXPECT_EQ(Cmp("1.0-1", "1.0-1+b1"), -1);  // binNMU after its source version
  EXPECT_EQ(Cmp("1.0-10", "1.0-9"), 1);
  EXPECT_EQ(Cmp("1.0", "1.0-0"), 0);  // empty revision equals "0"
  EXPECT_EQ(Cmp("2.36-9+deb12u4", "2.36-9+deb12u10"), -1);
  EXPECT_EQ(Cmp("1.2.3-1~bpo12+1", "1.2.3-1"), -1);
}

TEST(DebVersionTest, CompareStringsFailsOnBadInput) {
  Result<int> rc = CompareDebVersionStrings("1.0", "1:");
  ASSERT_FALSE(rc.ok());
  EXPECT_NE(rc.status().message().find("'1:'"), std::string::npos);
}

}  // namespace
}  // namespace wott::audit
