#include "agent/host_info.h"

#include <gtest/gtest.h>

namespace wott::agent {
namespace {

TEST(HostInfoTest, PrettyNameFromOsRelease) {
  EXPECT_EQ(ParseOsReleasePrettyName("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 "
                                     "(bookworm)\"\nID=debian\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(ParseOsReleasePrettyName("PRETTY_NAME=Alpine"), "Alpine");
  EXPECT_EQ(ParseOsReleasePrettyName("PRETTY_NAME='x y'\n"), "x y");
  EXPECT_EQ(ParseOsReleasePrettyName("NAME=Debian\n"), "");
  EXPECT_EQ(ParseOsReleasePrettyName("XPRETTY_NAME=no\n"), "");
}

TEST(HostInfoTest, UptimeFromProc) {
  EXPECT_EQ(ParseProcUptime("12345.67 23456.78\n"), 12345u);
  EXPECT_EQ(ParseProcUptime("0.01 0.00"), 0u);
  EXPECT_EQ(ParseProcUptime("garbage"), 0u);
  EXPECT_EQ(ParseProcUptime(""), 0u);
}

TEST(HostInfoTest, ReadsThisMachine) {
  HostInfo info = ReadHostInfo();
  EXPECT_FALSE(info.hostname.empty());
  EXPECT_GT(info.uptime_seconds, 0u);
}

}  // namespace
}  // namespace wott::agent
