#include "audit/confinement.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/audit_test_util.h"

namespace wott::audit {
namespace {

namespace fs = std::filesystem;

TEST(ConfinementParseTest, AppArmorEnabled) {
  EXPECT_EQ(ParseAppArmorEnabled("Y\n"), "enabled");
  EXPECT_EQ(ParseAppArmorEnabled("N\n"), "disabled");
  EXPECT_EQ(ParseAppArmorEnabled("maybe"), "unknown");
  EXPECT_EQ(ParseAppArmorEnabled(""), "unknown");
}

TEST(ConfinementParseTest, EnforcedProfiles) {
  EXPECT_EQ(CountEnforcedProfiles("/usr/sbin/cupsd (enforce)\nnvidia_modprobe (complain)\n"
                                  "man_filter (enforce)\n/usr/bin/man (unconfined)\n"),
            2);
  EXPECT_EQ(CountEnforcedProfiles("(enforce)\n\ngarbage\n"), 0);
}

TEST(ConfinementParseTest, SelinuxEnforce) {
  EXPECT_EQ(ParseSelinuxEnforce("1"), "enforcing");
  EXPECT_EQ(ParseSelinuxEnforce("0\n"), "permissive");
  EXPECT_EQ(ParseSelinuxEnforce("2"), "unknown");
}

using CollectConfinementTest = testing::CraftedRootTest;

TEST_F(CollectConfinementTest, EnabledAndEnforcing) {
  Write("sys/module/apparmor/parameters/enabled", "Y\n");
  Write("sys/kernel/security/apparmor/profiles", "a (enforce)\nb (enforce)\nc (complain)\n");
  Write("sys/fs/selinux/enforce", "1");
  ConfinementAudit a = CollectConfinement(root());
  EXPECT_EQ(a.apparmor, "enabled");
  EXPECT_EQ(a.apparmor_profiles_enforced, 2);
  EXPECT_TRUE(a.apparmor_profiles_known);
  EXPECT_EQ(a.selinux, "enforcing");
  nlohmann::json j = ConfinementToJson(a);
  EXPECT_EQ(j["apparmor_profiles_enforced"], 2);
}

TEST_F(CollectConfinementTest, DisabledAndPermissive) {
  Write("sys/module/apparmor/parameters/enabled", "N\n");
  Write("sys/fs/selinux/enforce", "0");
  ConfinementAudit a = CollectConfinement(root());
  EXPECT_EQ(a.apparmor, "disabled");
  EXPECT_FALSE(a.apparmor_profiles_known);
  EXPECT_EQ(a.selinux, "permissive");
}

TEST_F(CollectConfinementTest, AbsentModulesUnderReadableDirsAreDisabled) {
  fs::create_directories(dir_.path() / "sys/module/ext4");
  fs::create_directories(dir_.path() / "sys/fs/cgroup");
  ConfinementAudit a = CollectConfinement(root());
  EXPECT_EQ(a.apparmor, "disabled");
  EXPECT_EQ(a.selinux, "disabled");
}

TEST_F(CollectConfinementTest, EmptyRootIsUnknown) {
  ConfinementAudit a = CollectConfinement(root());
  EXPECT_EQ(a.apparmor, "unknown");
  EXPECT_EQ(a.selinux, "unknown");
  EXPECT_EQ(ConfinementToJson(a)["apparmor"], "unknown");
}

TEST(CollectConfinementLiveTest, ThisMachine) {
  ConfinementAudit a = CollectConfinement(HostRoot{});
  EXPECT_NE(a.apparmor, "");
  EXPECT_NE(a.selinux, "");
  EXPECT_GE(a.apparmor_profiles_enforced, 0);
}

}  // namespace
}  // namespace wott::audit
