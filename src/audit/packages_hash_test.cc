#include "audit/packages_hash.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/audit_test_util.h"

namespace wott::audit {
namespace {

std::vector<InstalledPackage> Packages() {
  // Out of order on purpose; libssl3 for two architectures.
  return {{"zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", "1:1.2.13.dfsg-1"},
          {"libssl3", "3.0.11-1~deb12u2", "i386", "openssl", "3.0.11-1~deb12u2"},
          {"libssl3", "3.0.11-1~deb12u2", "amd64", "openssl", "3.0.11-1~deb12u2"}};
}

TEST(PackagesHashTest, CanonicalFormSortedByNameThenArch) {
  EXPECT_EQ(CanonicalPackageList(Packages()),
            "libssl3\tamd64\t3.0.11-1~deb12u2\topenssl\t3.0.11-1~deb12u2\n"
            "libssl3\ti386\t3.0.11-1~deb12u2\topenssl\t3.0.11-1~deb12u2\n"
            "zlib1g\tamd64\t1:1.2.13.dfsg-1\tzlib\t1:1.2.13.dfsg-1\n");
}

// Computed by hand:
//   printf
//   'libssl3\tamd64\t3.0.11-1~deb12u2\topenssl\t3.0.11-1~deb12u2\nlibssl3\ti386\t3.0.11-1~deb12u2\topenssl\t3.0.11-1~deb12u2\nzlib1g\tamd64\t1:1.2.13.dfsg-1\tzlib\t1:1.2.13.dfsg-1\n'
//   | sha256sum 0d9caff25d1dcac068f1c43d196e0e57b9c656a76c4bf0f2c4cb944df66dbacf  -
TEST(PackagesHashTest, FixedHash) {
  EXPECT_EQ(PackagesHash(Packages()),
            "0d9caff25d1dcac068f1c43d196e0e57b9c656a76c4bf0f2c4cb944df66dbacf");
  // printf '' | sha256sum
  EXPECT_EQ(PackagesHash({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(PackagesHashTest, AnyFieldChangeChangesTheHashOrderDoesNot) {
  std::vector<InstalledPackage> p = Packages();
  std::string base = PackagesHash(p);
  std::reverse(p.begin(), p.end());
  EXPECT_EQ(PackagesHash(p), base);
  p[0].source_version = "1:1.2.13.dfsg-1+b1";
  EXPECT_NE(PackagesHash(p), base);
  p = Packages();
  p[1].version = "3.0.13-1~deb12u1";
  EXPECT_NE(PackagesHash(p), base);
  p = Packages();
  p.pop_back();
  EXPECT_NE(PackagesHash(p), base);
}

TEST(PackagesHashTest, InventoryJson) {
  Inventory inv;
  inv.os.id = "debian";
  inv.os.version_codename = "bookworm";
  inv.packages = Packages();
  nlohmann::json without = InventoryToJson(inv, false);
  EXPECT_EQ(without["os_id"], "debian");
  EXPECT_EQ(without["version_codename"], "bookworm");
  EXPECT_EQ(without["packages_hash"], PackagesHash(inv.packages));
  EXPECT_FALSE(without.contains("packages"));
  nlohmann::json with = InventoryToJson(inv, true);
  ASSERT_EQ(with["packages"].size(), 3u);
  EXPECT_EQ(with["packages"][0], (nlohmann::json{{"name", "libssl3"},
                                                 {"version", "3.0.11-1~deb12u2"},
                                                 {"arch", "amd64"},
                                                 {"source", "openssl"},
                                                 {"source_version", "3.0.11-1~deb12u2"}}));
  EXPECT_EQ(with["packages"][2]["name"], "zlib1g");
}

TEST(ReadHostInventoryTest, CraftedRoot) {
  testing::ScratchDir dir;
  std::filesystem::create_directories(dir.path() / "var/lib/dpkg");
  std::filesystem::create_directories(dir.path() / "usr/lib");
  dir.Write("var/lib/dpkg/status",
            "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\n"
            "Source: zlib\nVersion: 1:1.2.13.dfsg-1\n");
  dir.Write("usr/lib/os-release", "ID=debian\nVERSION_CODENAME=bookworm\n");
  Result<Inventory> inv = ReadHostInventory(HostRoot{dir.path()});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->os.version_codename, "bookworm");
  ASSERT_EQ(inv->packages.size(), 1u);
  EXPECT_EQ(inv->packages[0].source_name, "zlib");
}

TEST(ReadHostInventoryTest, MissingFilesAreNamed) {
  testing::ScratchDir dir;
  Result<Inventory> inv = ReadHostInventory(HostRoot{dir.path()});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("os-release"), std::string::npos) << inv.status();
  std::filesystem::create_directories(dir.path() / "etc");
  dir.Write("etc/os-release", "ID=debian\n");
  inv = ReadHostInventory(HostRoot{dir.path()});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("dpkg/status"), std::string::npos) << inv.status();
}

}  // namespace
}  // namespace wott::audit
