#include "agent/cert_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "agent/identity.h"
#include "base/file.h"
#include "tests/support/test_ca.h"

namespace wott::agent {
namespace {

namespace fs = std::filesystem;

class CertFilesTest : public ::testing::Test {
 protected:
  CertFilesTest() : clock_(RealClock::Instance().Now()), ca_(&clock_) {}

  // A complete, matching set for a fresh device certificate.
  CertSet NewSet() {
    testing::TestCa::Leaf leaf = ca_.IssueDevice();
    CertSet set;
    set.ca_bundle = ca_.RootPem();
    set.client_chain = *pki::CertificateToPem(leaf.cert.get()) + ca_.IntermediatePem();
    set.client_key = *pki::PrivateKeyToPem(leaf.key.get());
    IdentityInfo info;
    info.device_id = pki::CommonName(leaf.cert.get());
    info.serial = pki::SerialHex(leaf.cert.get());
    info.not_before = pki::NotBefore(leaf.cert.get());
    info.not_after = pki::NotAfter(leaf.cert.get());
    info.renew_after = info.not_before + (info.not_after - info.not_before) * 2 / 3;
    info.recovery_token = "r" + info.serial;
    set.identity_json = IdentityToJson(info);
    return set;
  }

  fs::path certs() const { return tmp_.path() / "certs"; }

  static mode_t Mode(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }

  static std::string Read(const fs::path& p) {
    Result<std::string> r = ReadFile(p);
    return r.ok() ? *r : "<" + r.status().message() + ">";
  }

  FakeClock clock_;
  testing::TestCa ca_;
  testing::TempDir tmp_;
};

TEST_F(CertFilesTest, InstallWritesAGenerationWithModesAndStableLinks) {
  CertFiles files(certs());
  CertSet set = NewSet();
  Result<uint64_t> gen = files.Install(set);
  ASSERT_TRUE(gen.ok()) << gen.status();
  EXPECT_EQ(*gen, 1u);
  EXPECT_EQ(fs::read_symlink(certs() / "..data"), "..gen-1");
  EXPECT_EQ(fs::read_symlink(certs() / "client.key"), "..data/client.key");
  EXPECT_EQ(Read(certs() / "ca.crt"), set.ca_bundle);
  EXPECT_EQ(Read(certs() / "client.crt"), set.client_chain);
  EXPECT_EQ(Read(certs() / "client.key"), set.client_key);
  EXPECT_EQ(Read(certs() / "combined.pem"), set.client_chain + set.client_key);
  EXPECT_EQ(Mode(certs() / "client.crt"), 0644u);
  EXPECT_EQ(Mode(certs() / "ca.crt"), 0644u);
  EXPECT_EQ(Mode(certs() / "client.key"), 0600u);
  EXPECT_EQ(Mode(certs() / "combined.pem"), 0600u);
  EXPECT_EQ(Mode(certs() / "..gen-1" / "identity.json"), 0600u);
  Result<Identity> id = LoadIdentity(files);
  ASSERT_TRUE(id.ok()) << id.status();
}

TEST_F(CertFilesTest, SwapKeepsCurrentAndPreviousOnly) {
  CertFiles files(certs());
  ASSERT_TRUE(files.Install(NewSet()).ok());
  ASSERT_TRUE(files.Install(NewSet()).ok());
  CertSet third = NewSet();
  Result<uint64_t> gen = files.Install(third);
  ASSERT_TRUE(gen.ok()) << gen.status();
  EXPECT_EQ(*gen, 3u);
  EXPECT_FALSE(fs::exists(certs() / "..gen-1"));
  EXPECT_TRUE(fs::exists(certs() / "..gen-2"));  // a reader may still be in it
  EXPECT_EQ(fs::read_symlink(certs() / "..data"), "..gen-3");
  Result<CertSet> current = files.ReadCurrent();
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->client_chain, third.client_chain);
  EXPECT_EQ(Read(certs() / "client.key"), third.client_key);
}

TEST_F(CertFilesTest, CrashLeftoversNewerThanCurrentAreRemoved) {
  CertFiles files(certs());
  CertSet first = NewSet();
  ASSERT_TRUE(files.Install(first).ok());
  // What a kill -9 during the next install leaves: a half-written generation and a
  // temporary link that was never renamed.
  fs::create_directory(certs() / "..gen-2");
  std::ofstream(certs() / "..gen-2" / "client.crt") << "-----BEGIN CERT";
  fs::create_symlink("..gen-2", certs() / "..data.tmp-..data");
  ASSERT_TRUE(files.RemoveLeftovers().ok());
  EXPECT_FALSE(fs::exists(certs() / "..gen-2"));
  EXPECT_FALSE(fs::is_symlink(certs() / "..data.tmp-..data"));
  EXPECT_EQ(Read(certs() / "client.crt"), first.client_chain);
  // The next install reuses the number and completes normally.
  Result<uint64_t> gen = files.Install(NewSet());
  ASSERT_TRUE(gen.ok()) << gen.status();
  EXPECT_EQ(*gen, 2u);
}

TEST_F(CertFilesTest, OlderGenerationsAreNotLeftovers) {
  CertFiles files(certs());
  ASSERT_TRUE(files.Install(NewSet()).ok());
  ASSERT_TRUE(files.Install(NewSet()).ok());
  ASSERT_TRUE(files.RemoveLeftovers().ok());
  EXPECT_TRUE(fs::exists(certs() / "..gen-1"));  // the previous set stays until the next swap
}

TEST_F(CertFilesTest, WithoutCurrentEveryGenerationIsALeftover) {
  fs::create_directories(certs() / "..gen-7");
  CertFiles files(certs());
  ASSERT_TRUE(files.RemoveLeftovers().ok());
  EXPECT_FALSE(fs::exists(certs() / "..gen-7"));
  EXPECT_EQ(files.ReadCurrent().status().code(), StatusCode::kNotFound);
}

TEST_F(CertFilesTest, BrokenSetIsRefusedAndNothingChanges) {
  CertFiles files(certs());
  CertSet good = NewSet();
  ASSERT_TRUE(files.Install(good).ok());

  CertSet mismatched = NewSet();
  mismatched.client_key = NewSet().client_key;  // another device's key
  Status s = files.Install(mismatched).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("does not match"), std::string::npos) << s;

  CertSet truncated = NewSet();
  truncated.client_chain.resize(truncated.client_chain.size() / 2);
  EXPECT_FALSE(files.Install(truncated).ok());

  CertSet foreign = NewSet();
  FakeClock other_clock(clock_.Now());
  testing::TestCa other(&other_clock);
  foreign.ca_bundle = other.RootPem();  // the chain does not lead to this bundle
  s = files.Install(foreign).status();
  EXPECT_NE(s.message().find("does not verify"), std::string::npos) << s;

  EXPECT_EQ(fs::read_symlink(certs() / "..data"), "..gen-1");
  EXPECT_FALSE(fs::exists(certs() / "..gen-2"));
  EXPECT_EQ(Read(certs() / "client.crt"), good.client_chain);
}

TEST_F(CertFilesTest, IncompleteCurrentGenerationIsReported) {
  CertFiles files(certs());
  ASSERT_TRUE(files.Install(NewSet()).ok());
  fs::remove(certs() / "..gen-1" / "client.key");
  Status s = files.ReadCurrent().status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("client.key is missing"), std::string::npos) << s;
}

TEST_F(CertFilesTest, CorruptedCertificateIsNamedByLoadIdentity) {
  CertFiles files(certs());
  ASSERT_TRUE(files.Install(NewSet()).ok());
  std::ofstream(certs() / "client.crt", std::ios::trunc) << "garbage\n";
  Status s = LoadIdentity(files).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("client.crt is corrupted"), std::string::npos) << s;
}

TEST_F(CertFilesTest, FailedWriteLeavesTheCurrentSet) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  CertFiles files(certs());
  CertSet good = NewSet();
  ASSERT_TRUE(files.Install(good).ok());
  fs::permissions(certs(), fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_EQ(files.Install(NewSet()).status().code(), StatusCode::kPermissionDenied);
  fs::permissions(certs(), fs::perms::owner_all);
  EXPECT_EQ(Read(certs() / "client.crt"), good.client_chain);
}

TEST_F(CertFilesTest, FailedSwapRemovesTheNewGenerationAndKeepsTheCurrentSet) {
  CertFiles files(certs());
  CertSet good = NewSet();
  ASSERT_TRUE(files.Install(good).ok());
  // Something in the way of the temporary link (also fails for root, unlike permissions).
  fs::create_directories(certs() / "..data.tmp-..data" / "blocker");
  Status s = files.Install(NewSet()).status();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(fs::read_symlink(certs() / "..data"), "..gen-1");
  EXPECT_FALSE(fs::exists(certs() / "..gen-2"));
  EXPECT_EQ(Read(certs() / "client.crt"), good.client_chain);
  EXPECT_EQ(Read(certs() / "client.key"), good.client_key);
}

TEST(GenerationNameTest, ParsesOnlyCanonicalNames) {
  EXPECT_EQ(ParseGenerationName("..gen-1"), 1u);
  EXPECT_EQ(ParseGenerationName("..gen-42"), 42u);
  EXPECT_FALSE(ParseGenerationName("..gen-"));
  EXPECT_FALSE(ParseGenerationName("..gen-01"));
  EXPECT_FALSE(ParseGenerationName("..gen-1x"));
  EXPECT_FALSE(ParseGenerationName("..gen--1"));
  EXPECT_FALSE(ParseGenerationName("gen-1"));
  EXPECT_FALSE(ParseGenerationName("..data"));
}

}  // namespace
}  // namespace wott::agent
