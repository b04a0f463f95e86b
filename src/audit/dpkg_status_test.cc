#include "audit/dpkg_status.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>

namespace wott::audit {
namespace {

constexpr char kStatus[] =
    "Package: libssl3\n"
    "Status: install ok installed\n"
    "Priority: optional\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Source: openssl\n"
    "Version: 3.0.11-1~deb12u2\n"
    "Description: Secure Sockets Layer toolkit - shared libraries\n"
    " This package is part of the OpenSSL project's implementation.\n"
    " .\n"
    " It provides the libssl and libcrypto shared libraries.\n"
    "\n"
    "Package: libgnutls30\n"
    "Status: hold ok installed\n"
    "Architecture: amd64\n"
    "Source: gnutls28 (3.7.9-2)\n"
    "Version: 3.7.9-2+b1\n"
    "\n"
    "Package: old-removed\n"
    "Status: deinstall ok config-files\n"
    "Version: 1.0-1\n"
    "\n"
    "Package: half\n"
    "Status: install reinstreq half-installed\n"
    "\n"
    "Package: tzdata\n"
    "Status: install ok installed\n"
    "Architecture: all\n"
    "Version: 2024a-0+deb12u1\n";

TEST(DpkgStatusTest, ReadsInstalledPackagesWithTheirSource) {
  Result<std::vector<InstalledPackage>> p = ParseDpkgStatus(kStatus);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 3u);
  EXPECT_EQ((*p)[0], (InstalledPackage{"libssl3", "3.0.11-1~deb12u2", "amd64", "openssl",
                                       "3.0.11-1~deb12u2"}));
  // A binNMU: the source version differs from the binary's.
  EXPECT_EQ((*p)[1],
            (InstalledPackage{"libgnutls30", "3.7.9-2+b1", "amd64", "gnutls28", "3.7.9-2"}));
  // No Source field: the binary names its own source.
  EXPECT_EQ((*p)[2],
            (InstalledPackage{"tzdata", "2024a-0+deb12u1", "all", "tzdata", "2024a-0+deb12u1"}));
}

TEST(DpkgStatusTest, AcceptsCrlfAndBlankSeparatorsAndNoTrailingNewline) {
  std::string text =
      "Package: a\r\nStatus: install ok installed\r\nVersion: 1:2.0-1\r\n \t\r\n"
      "package: b\r\nSTATUS: install ok installed\r\nversion:   0.5  ";
  Result<std::vector<InstalledPackage>> p = ParseDpkgStatus(text);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ((*p)[0].version, "1:2.0-1");
  EXPECT_EQ((*p)[1].name, "b");
  EXPECT_EQ((*p)[1].version, "0.5");
}

TEST(DpkgStatusTest, EmptyInputHasNoPackages) {
  Result<std::vector<InstalledPackage>> p = ParseDpkgStatus("\n\n");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->empty());
}

TEST(DpkgStatusTest, RejectsMalformedInputNamingTheLine) {
  struct Case {
    std::string text;
    std::string error;
  };
  const std::string ok = "Status: install ok installed\n";
  for (const Case& c : {
           Case{"Package: a\ngarbage line\n", "line 2: expected 'Field: value'"},
           Case{" leading continuation\n", "line 1: continuation line outside a field"},
           Case{"Package: a\nPackage: b\n", "line 2: duplicate field Package"},
           Case{ok + "Version: 1.0\n", "line 1: installed package stanza without a Package"},
           Case{"Package: a\n" + ok, "installed package a has no Version field"},
           Case{"Package: a\n" + ok + "Version: 1.0-\n", "line 3: package a: version '1.0-'"},
           Case{"Package: a\n" + ok + "Version: 1\nSource: b (1.0\n", "line 4: package a: Source"},
           Case{"Package: a\n" + ok + "Version: 1\nSource: b (:1)\n", "epoch in version is empty"},
           Case{std::string("Package: a\0b\n", 13), "NUL byte"},
           Case{": value\n", "line 1: expected 'Field: value'"},
           Case{"Bad Name: x\n", "line 1: field name contains a blank"},
       }) {
    Result<std::vector<InstalledPackage>> p = ParseDpkgStatus(c.text);
    ASSERT_FALSE(p.ok()) << "accepted: " << c.text;
    EXPECT_NE(p.status().message().find(c.error), std::string::npos)
        << "for " << c.text << " got: " << p.status().message();
  }
}

TEST(DpkgStatusTest, NotInstalledStanzasMayLackAnything) {
  Result<std::vector<InstalledPackage>> p =
      ParseDpkgStatus("Status: purge ok not-installed\n\nPackage: x\nVersion: -\n");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->empty());
}

TEST(DpkgStatusTest, ReadFileNamesTheFile) {
  Result<std::vector<InstalledPackage>> p = ReadDpkgStatusFile("/nonexistent/status");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("/nonexistent/status"), std::string::npos);
}

// This machine's own database, checked against dpkg-query's view of it.
TEST(DpkgStatusTest, MatchesDpkgQueryOnThisMachine) {
  if (::access("/var/lib/dpkg/status", R_OK) != 0) GTEST_SKIP() << "no dpkg database";
  Result<std::vector<InstalledPackage>> p = ReadDpkgStatusFile("/var/lib/dpkg/status");
  ASSERT_TRUE(p.ok()) << p.status();
  std::set<std::string> ours;
  for (const InstalledPackage& pkg : *p) {
    ours.insert(pkg.name + ":" + pkg.architecture + " " + pkg.version + " " + pkg.source_name +
                " " + pkg.source_version);
  }
  FILE* pipe = ::popen(
      "dpkg-query -W -f='${db:Status-Want} ${db:Status-Eflag} ${db:Status-Status} "
      "${Package}:${Architecture} ${Version} ${source:Package} ${source:Version}\\n'",
      "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  ASSERT_EQ(::pclose(pipe), 0);
  std::set<std::string> theirs;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string want, eflag, state;
    words >> want >> eflag >> state;
    if (eflag != "ok" || state != "installed") continue;
    std::string rest;
    std::getline(words, rest);
    theirs.insert(rest.substr(1));
  }
  EXPECT_GT(theirs.size(), 50u);
  EXPECT_EQ(ours, theirs);
}

}  // namespace
}  // namespace wott::audit
