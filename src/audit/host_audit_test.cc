#include "audit/host_audit.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wott::audit {
namespace {

namespace fs = std::filesystem;

constexpr char kTcpHeader[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode\n";

TEST(SshdConfigTest, ReportsRiskySettings) {
  SshdAudit a = ParseSshdConfig(
      "# comment\nPermitRootLogin yes\npasswordauthentication=yes\n"
      "PermitEmptyPasswords  yes\nX11Forwarding yes\nMaxAuthTries 10\n");
  ASSERT_TRUE(a.known);
  ASSERT_EQ(a.findings.size(), 5u);
  EXPECT_EQ(a.findings[0].keyword, "PermitRootLogin");
  EXPECT_EQ(a.findings[0].line, 2);
  EXPECT_EQ(a.findings[1].keyword, "PasswordAuthentication");
  EXPECT_EQ(a.findings[2].keyword, "PermitEmptyPasswords");
  EXPECT_EQ(a.findings[3].keyword, "X11Forwarding");
  EXPECT_EQ(a.findings[4].keyword, "MaxAuthTries");
  EXPECT_EQ(a.findings[4].value, "10");
}

TEST(SshdConfigTest, SafeSettingsHaveNoFindings) {
  SshdAudit a = ParseSshdConfig(
      "PermitRootLogin no\nPasswordAuthentication no\nPermitEmptyPasswords no\n"
      "X11Forwarding no\nMaxAuthTries 6\n");
  EXPECT_TRUE(a.known);
  EXPECT_TRUE(a.findings.empty());
  EXPECT_EQ(a.settings.at("maxauthtries"), "6");
}

TEST(SshdConfigTest, ProhibitPasswordIsStillRootLogin) {
  SshdAudit a = ParseSshdConfig("PermitRootLogin prohibit-password\n");
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].message, "root can log in over SSH with a key");
}

TEST(SshdConfigTest, FirstValueWins) {
  EXPECT_TRUE(ParseSshdConfig("PermitRootLogin no\nPermitRootLogin yes\n").findings.empty());
  EXPECT_EQ(ParseSshdConfig("PermitRootLogin yes\nPermitRootLogin no\n").findings.size(), 1u);
}

// Found by fuzz_host_audit: a line starting with '=' has no keyword; sshd refuses it, and
// the audit must not record a setting with an empty name.
TEST(SshdConfigTest, LineWithoutKeywordIsSkipped) {
  SshdAudit a = ParseSshdConfig("===yes\n= no\nPermitRootLogin yes\n");
  EXPECT_EQ(a.settings.count(""), 0u);
  EXPECT_EQ(a.settings.size(), 1u);
  EXPECT_EQ(a.settings.at("permitrootlogin"), "yes");
}

TEST(SshdConfigTest, MatchBlocksAreIgnoredIncludesNoted) {
  SshdAudit a = ParseSshdConfig(
      "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n"
      "Match User backup\n  PermitRootLogin yes\n  PasswordAuthentication yes\n");
  EXPECT_TRUE(a.findings.empty());
  ASSERT_EQ(a.includes.size(), 1u);
  EXPECT_EQ(a.includes[0], "/etc/ssh/sshd_config.d/*.conf");
}

TEST(SshdConfigTest, GarbageIsSkippedNotFatal) {
  SshdAudit a = ParseSshdConfig(std::string("\x01\x02garbage\n=\nMaxAuthTries lots\n\0zz", 40));
  EXPECT_TRUE(a.known);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].message, "MaxAuthTries is not a number");
}

TEST(ProcNetTest, ParsesListeningTcp) {
  ProcNetParse p = ParseProcNet(
      std::string(kTcpHeader) +
          "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 "
          "       0 4242 1 0000000000000000 100 0 0 10 0\n"
          "   1: 0100007F:E4CA 0100007F:8817 01 00000000:00000000 00:00000000 00000000     0 "
          "       0 99 1 0000000000000000 20 4 30 10 -1\n",
      "tcp");
  EXPECT_EQ(p.bad_lines, 0);
  ASSERT_EQ(p.sockets.size(), 1u);  // the established connection is not listening
  EXPECT_EQ(p.sockets[0].address, "127.0.0.1");
  EXPECT_EQ(p.sockets[0].port, 8080);
  EXPECT_EQ(p.sockets[0].inode, 4242u);
  EXPECT_EQ(p.sockets[0].protocol, "tcp");
}

TEST(ProcNetTest, ParsesIpv6AndUdp) {
  ProcNetParse p6 = ParseProcNet(
      std::string(kTcpHeader) +
          "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
          "00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0\n",
      "tcp6");
  ASSERT_EQ(p6.sockets.size(), 1u);
  EXPECT_EQ(p6.sockets[0].address, "::1");
  EXPECT_EQ(p6.sockets[0].port, 22);
  ProcNetParse udp = ParseProcNet(
      std::string(kTcpHeader) +
          "  10: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000  0 0 55 "
          "2 0 0\n"
          "  11: 0100007F:0045 0100007F:0035 01 00000000:00000000 00:00000000 00000000  0 0 56 "
          "2 0 0\n",
      "udp");
  ASSERT_EQ(udp.sockets.size(), 1u);  // the connected one (state 01) is not a server
  EXPECT_EQ(udp.sockets[0].address, "0.0.0.0");
  EXPECT_EQ(udp.sockets[0].port, 68);
}

TEST(ProcNetTest, GarbageLinesAreCountedNotFatal) {
  ProcNetParse p = ParseProcNet(std::string(kTcpHeader) +
                                    "garbage\n   0: ZZZZ:0050 00000000:0000 0A a b c d e 1\n"
                                    "   1: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 notanumber\n"
                                    "   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000\n"
                                    "   3: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 12\n",
                                "tcp");
  EXPECT_EQ(p.bad_lines, 4);
  ASSERT_EQ(p.sockets.size(), 1u);
  EXPECT_EQ(p.sockets[0].inode, 12u);
  // An IPv4 address in a tcp6 file is malformed for that width.
  EXPECT_EQ(ParseProcNet("   0: 0100007F:1F90 00000000:0000 0A 0 0 0 0 0 12\n", "tcp6").bad_lines,
            1);
  EXPECT_TRUE(ParseProcNet("", "tcp").sockets.empty());
}

TEST(SocketInodeTest, OnlySocketLinks) {
  EXPECT_EQ(ParseSocketInode("socket:[12345]"), 12345u);
  EXPECT_EQ(ParseSocketInode("pipe:[12345]"), 0u);
  EXPECT_EQ(ParseSocketInode("socket:[]"), 0u);
  EXPECT_EQ(ParseSocketInode("socket:[12x]"), 0u);
  EXPECT_EQ(ParseSocketInode("/dev/null"), 0u);
}

TEST(UnattendedUpgradeTest, OnOffAndComments) {
  EXPECT_EQ(ParseUnattendedUpgrade("APT::Periodic::Update-Package-Lists \"1\";\n"
                                   "APT::Periodic::Unattended-Upgrade \"1\";\n"),
            Tristate::kYes);
  EXPECT_EQ(ParseUnattendedUpgrade("APT::Periodic::Unattended-Upgrade \"0\";\n"), Tristate::kNo);
  EXPECT_EQ(ParseUnattendedUpgrade("// APT::Periodic::Unattended-Upgrade \"1\";\n"), Tristate::kNo);
  EXPECT_EQ(ParseUnattendedUpgrade("APT::Periodic::Update-Package-Lists \"1\";\n"), Tristate::kNo);
  EXPECT_EQ(ParseUnattendedUpgrade("APT::Periodic::Unattended-Upgrade \"1\";\n"
                                   "APT::Periodic::Unattended-Upgrade \"0\";\n"),
            Tristate::kNo);
  EXPECT_EQ(ParseUnattendedUpgrade("\x01garbage \"1\n"), Tristate::kNo);
}

TEST(InsecureServicesTest, TcpClearTextPortsOnly) {
  std::vector<ListeningSocket> s = {{"tcp", "0.0.0.0", 23, 1, 0, ""},
                                    {"tcp6", "::", 21, 2, 0, ""},
                                    {"tcp", "0.0.0.0", 22, 3, 0, ""},
                                    {"udp", "0.0.0.0", 514, 4, 0, ""}};
  std::vector<InsecureService> found = FindInsecureServices(s);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "telnet");
  EXPECT_EQ(found[1].name, "ftp");
}

class CollectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/host-audit-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& text) {
    fs::path p = root_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  fs::path root_;
};

TEST_F(CollectTest, EmptyRootIsAllUnknown) {
  HostAudit a = CollectHostAudit(HostRoot{root_});
  EXPECT_FALSE(a.sshd.known);
  EXPECT_EQ(a.sockets_known, Tristate::kUnknown);
  EXPECT_EQ(a.reboot_required, Tristate::kUnknown);
  EXPECT_EQ(a.unattended_upgrades, Tristate::kUnknown);
  nlohmann::json j = HostAuditToJson(a);
  EXPECT_EQ(j["sshd"]["status"], "unknown");
  EXPECT_EQ(j["sockets"]["status"], "unknown");
  EXPECT_EQ(j["reboot_required"], "unknown");
}

TEST_F(CollectTest, CraftedTree) {
  Write("etc/ssh/sshd_config", "PermitRootLogin yes\n");
  Write("proc/net/tcp",
        std::string(kTcpHeader) + "   0: 00000000:0017 00000000:0000 0A 0 0 0 0 0 9001 1\n");
  Write("proc/net/udp", "garbage\n");
  Write("var/run/reboot-required", "*** System restart required ***\n");
  Write("etc/apt/apt.conf.d/20auto-upgrades", "APT::Periodic::Unattended-Upgrade \"1\";\n");
  HostAudit a = CollectHostAudit(HostRoot{root_});
  ASSERT_EQ(a.sshd.findings.size(), 1u);
  EXPECT_EQ(a.sockets_known, Tristate::kYes);
  ASSERT_EQ(a.listening.size(), 1u);
  EXPECT_EQ(a.listening[0].pid, 0);  // no fd links in the crafted tree: owner unknown
  EXPECT_EQ(a.bad_proc_net_lines, 1);
  ASSERT_EQ(a.insecure_services.size(), 1u);
  EXPECT_EQ(a.insecure_services[0].name, "telnet");
  EXPECT_EQ(a.reboot_required, Tristate::kYes);
  EXPECT_EQ(a.unattended_upgrades, Tristate::kYes);
}

TEST_F(CollectTest, NoRebootNoUpgradesWhenDirsExist) {
  fs::create_directories(root_ / "run");
  fs::create_directories(root_ / "etc/apt");
  HostAudit a = CollectHostAudit(HostRoot{root_});
  EXPECT_EQ(a.reboot_required, Tristate::kNo);
  EXPECT_EQ(a.unattended_upgrades, Tristate::kNo);
}

TEST_F(CollectTest, SshdIncludeGlobsInLexicalOrderFirstValueWins) {
  // As on Debian 12: the drop-in directory is included before the main file's settings.
  Write("etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\nPermitRootLogin no\n");
  Write("etc/ssh/sshd_config.d/50-cloud.conf", "PasswordAuthentication yes\n");
  Write("etc/ssh/sshd_config.d/10-first.conf",
        "PermitRootLogin yes\nMatch User x\n  X11Forwarding yes\n");
  Write("etc/ssh/sshd_config.d/ignored.txt", "PermitEmptyPasswords yes\n");
  SshdAudit a = ReadSshdConfig(HostRoot{root_});
  ASSERT_TRUE(a.known);
  ASSERT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(a.findings[0].keyword, "PermitRootLogin");  // 10-first before 50-cloud
  EXPECT_EQ(a.findings[0].file, "/etc/ssh/sshd_config.d/10-first.conf");
  EXPECT_EQ(a.findings[0].line, 1);
  EXPECT_EQ(a.findings[1].keyword, "PasswordAuthentication");
  EXPECT_EQ(a.findings[1].file, "/etc/ssh/sshd_config.d/50-cloud.conf");
  // The Match in 10-first ended that file only: the main file's later lines still count.
  EXPECT_EQ(a.settings.count("x11forwarding"), 0u);
  EXPECT_EQ(a.files.size(), 3u);
  EXPECT_TRUE(a.include_errors.empty());
}

TEST_F(CollectTest, SshdIncludeRelativeToEtcSshAndSeveralArguments) {
  Write("etc/ssh/sshd_config", "Include extra.conf  other/*.conf\n");
  Write("etc/ssh/extra.conf", "MaxAuthTries 10\n");
  Write("etc/ssh/other/a.conf", "PermitEmptyPasswords yes\n");
  SshdAudit a = ReadSshdConfig(HostRoot{root_});
  ASSERT_EQ(a.findings.size(), 2u);
  EXPECT_EQ(a.findings[0].file, "/etc/ssh/extra.conf");
  EXPECT_EQ(a.findings[1].file, "/etc/ssh/other/a.conf");
  // Without following (bare text) the same config has no findings.
  EXPECT_TRUE(ParseSshdConfig("Include extra.conf other/*.conf\n").findings.empty());
}

TEST_F(CollectTest, SshdIncludeLoopsAndDepthAreBounded) {
  Write("etc/ssh/sshd_config", "Include loop.conf\nInclude d1.conf\nPermitRootLogin yes\n");
  Write("etc/ssh/loop.conf", "Include sshd_config\nInclude loop.conf\n");
  for (int i = 1; i <= 12; ++i) {
    Write("etc/ssh/d" + std::to_string(i) + ".conf",
          "Include d" + std::to_string(i + 1) + ".conf\n");
  }
  Write("etc/ssh/d13.conf", "PasswordAuthentication yes\n");
  SshdAudit a = ReadSshdConfig(HostRoot{root_});
  ASSERT_TRUE(a.known);
  ASSERT_EQ(a.findings.size(), 1u);  // the main file's own line; d13 is beyond the limit
  EXPECT_EQ(a.findings[0].keyword, "PermitRootLogin");
  ASSERT_EQ(a.include_errors.size(), 3u);
  EXPECT_NE(a.include_errors[0].find("loop"), std::string::npos);
  EXPECT_NE(a.include_errors[1].find("loop"), std::string::npos);
  EXPECT_NE(a.include_errors[2].find("deeper than 8"), std::string::npos);
  // Main file + loop.conf + d1..d8 (depth 8 below the main file).
  EXPECT_EQ(a.files.size(), 10u);
}

TEST_F(CollectTest, SshdUnreadableIncludeIsNotedMissingGlobIsNot) {
  Write("etc/ssh/sshd_config", "Include /etc/ssh/none/*.conf\nInclude dir.conf\n");
  fs::create_directories(root_ / "etc/ssh/dir.conf");  // matches, cannot be read as a file
  SshdAudit a = ReadSshdConfig(HostRoot{root_});
  ASSERT_TRUE(a.known);
  ASSERT_EQ(a.include_errors.size(), 1u);
  EXPECT_NE(a.include_errors[0].find("/etc/ssh/dir.conf"), std::string::npos);
  EXPECT_FALSE(ReadSshdConfig(HostRoot{root_ / "nothing"}).known);
}

TEST_F(CollectTest, FirewallAndConfinementInTheJson) {
  Write("etc/nftables.conf",
        "table ip t {\n chain c { type filter hook input priority 0; policy drop; }\n}\n");
  Write("sys/module/apparmor/parameters/enabled", "Y\n");
  nlohmann::json j = HostAuditToJson(CollectHostAudit(HostRoot{root_}));
  EXPECT_EQ(j["firewall"]["state"], "yes");
  EXPECT_EQ(j["firewall"]["backend"], "nftables");
  EXPECT_EQ(j["confinement"]["apparmor"], "enabled");
  EXPECT_EQ(j["confinement"]["selinux"], "unknown");
  EXPECT_TRUE(j.contains("sshd") && j.contains("sockets") && j.contains("reboot_required"));
}

TEST(CollectLiveTest, ThisMachineDoesNotFail) {
  nlohmann::json j = HostAuditToJson(CollectHostAudit(HostRoot{}));
  EXPECT_TRUE(j["firewall"]["state"].is_string());
  EXPECT_TRUE(j["confinement"]["selinux"].is_string());
  EXPECT_TRUE(j["sshd"]["include_errors"].is_array());
}

// This machine: a socket we listen on at 127.0.0.1 is found, with our own pid and comm.
TEST(CollectLiveTest, FindsOwnListeningSocket) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  uint16_t port = ntohs(addr.sin_port);
  auto find = [port](const HostAudit& a) -> const ListeningSocket* {
    for (const ListeningSocket& s : a.listening) {
      if (s.protocol == "tcp" && s.port == port && s.address == "127.0.0.1") return &s;
    }
    return nullptr;
  };
  EXPECT_EQ(find(CollectHostAudit(HostRoot{})), nullptr);  // bound, not yet listening
  ASSERT_EQ(listen(fd, 1), 0);
  HostAudit a = CollectHostAudit(HostRoot{});
  close(fd);
  ASSERT_EQ(a.sockets_known, Tristate::kYes);
  const ListeningSocket* s = find(a);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->pid, getpid());  // our own fds are always readable
  EXPECT_FALSE(s->process.empty());
}

}  // namespace
}  // namespace wott::audit
