#include "base/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace wott {
namespace {

namespace fs = std::filesystem;

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wott-file-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  static mode_t ModeOf(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  fs::path dir_;
};

TEST_F(FileTest, WriteThenReadRoundTrips) {
  fs::path p = dir_ / "a.txt";
  ASSERT_TRUE(WriteFileAtomically(p, "hello", 0644).ok());
  Result<std::string> r = ReadFile(p);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "hello");
}

TEST_F(FileTest, AppliesExactModeRegardlessOfUmask) {
  mode_t old = ::umask(0077);
  fs::path p = dir_ / "public.crt";
  ASSERT_TRUE(WriteFileAtomically(p, "x", 0644).ok());
  ::umask(old);
  EXPECT_EQ(ModeOf(p), 0644u);
  fs::path k = dir_ / "secret.key";
  ASSERT_TRUE(WriteFileAtomically(k, "x", 0600).ok());
  EXPECT_EQ(ModeOf(k), 0600u);
}

TEST_F(FileTest, ReplacesExistingFileAndLeavesNoTemporaries) {
  fs::path p = dir_ / "f";
  ASSERT_TRUE(WriteFileAtomically(p, "old", 0600).ok());
  ASSERT_TRUE(WriteFileAtomically(p, "new contents", 0600).ok());
  EXPECT_EQ(*ReadFile(p), "new contents");
  int entries = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FileTest, FailureInUnwritableDirKeepsOldFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  fs::path p = dir_ / "f";
  ASSERT_TRUE(WriteFileAtomically(p, "old", 0600).ok());
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  Status s = WriteFileAtomically(p, "new", 0600);
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  fs::permissions(dir_, fs::perms::owner_all);
  EXPECT_EQ(*ReadFile(p), "old");
}

TEST_F(FileTest, MissingDirectoryIsNotFound) {
  Status s = WriteFileAtomically(dir_ / "nope" / "f", "x", 0600);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("nope"), std::string::npos);
}

TEST_F(FileTest, ReadMissingFileIsNotFound) {
  EXPECT_EQ(ReadFile(dir_ / "missing").status().code(), StatusCode::kNotFound);
}

TEST_F(FileTest, ReadEnforcesSizeLimit) {
  fs::path p = dir_ / "big";
  ASSERT_TRUE(WriteFileAtomically(p, std::string(1000, 'a'), 0600).ok());
  EXPECT_EQ(ReadFile(p, 999).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFile(p, 1000).ok());
}

TEST_F(FileTest, ReadDirectoryIsRefused) {
  EXPECT_EQ(ReadFile(dir_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, MakeDirectorySetsMode) {
  fs::path d = dir_ / "x" / "y";
  ASSERT_TRUE(MakeDirectory(d, 0700).ok());
  EXPECT_EQ(ModeOf(d), 0700u);
  ASSERT_TRUE(MakeDirectory(d, 0711).ok());
  EXPECT_EQ(ModeOf(d), 0711u);
}

TEST_F(FileTest, MakeDirectoryOverFileFails) {
  fs::path p = dir_ / "file";
  ASSERT_TRUE(WriteFileAtomically(p, "x", 0600).ok());
  EXPECT_FALSE(MakeDirectory(p, 0700).ok());
}

}  // namespace
}  // namespace wott
