#include "server/password_hash.h"

#include <gtest/gtest.h>

namespace wott::server {
namespace {

// Small parameters keep the unit tests fast; the defaults are exercised by one test.
PasswordHashOptions Fast() {
  PasswordHashOptions o;
  o.time_cost = 1;
  o.memory_kib = 1024;
  return o;
}

TEST(PasswordHashTest, VerifiesTheRightPasswordAndRefusesAWrongOne) {
  Result<std::string> hash = HashPassword("correct horse battery", Fast());
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=1024,t=1,p=1$")) << *hash;
  Result<bool> right = VerifyPassword("correct horse battery", *hash);
  ASSERT_TRUE(right.ok()) << right.status();
  EXPECT_TRUE(*right);
  for (const char* wrong : {"correct horse batterz", "", "correct horse battery "}) {
    Result<bool> r = VerifyPassword(wrong, *hash);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(*r) << wrong;
  }
}

TEST(PasswordHashTest, DefaultsAreArgon2idT3M64MiBWithFreshSalts) {
  Result<std::string> a = HashPassword("same password here");
  Result<std::string> b = HashPassword("same password here");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->starts_with("$argon2id$v=19$m=65536,t=3,p=1$")) << *a;
  EXPECT_NE(*a, *b);  // a new salt each time
  Result<bool> r = VerifyPassword("same password here", *b);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
}

TEST(PasswordHashTest, RejectsBadEncodedStrings) {
  Result<std::string> good = HashPassword("a long enough pw", Fast());
  ASSERT_TRUE(good.ok());
  std::string truncated = good->substr(0, good->size() - 10);
  std::string bad_param = *good;
  bad_param.replace(bad_param.find("m=1024"), 6, "m=abcd");
  for (const std::string& encoded :
       {std::string(""), std::string("plaintext"), std::string("$argon2i$v=19$m=1024,t=1,p=1$x$y"),
        std::string("$argon2id$"), truncated, bad_param}) {
    Result<bool> r = VerifyPassword("a long enough pw", encoded);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << encoded;
  }
}

TEST(PasswordHashTest, DummyHashVerifiesNothingButParses) {
  const std::string& dummy = DummyPasswordHash();
  EXPECT_TRUE(dummy.starts_with("$argon2id$v=19$m=65536,t=3,p=1$")) << dummy;
  Result<bool> r = VerifyPassword("any password at all", dummy);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(*r);
  EXPECT_EQ(&DummyPasswordHash(), &dummy);  // made once
}

TEST(PasswordHashTest, NewPasswordRules) {
  EXPECT_TRUE(CheckNewPassword("twelve chars").ok());
  EXPECT_TRUE(CheckNewPassword("ünïcödé pässwörd").ok());
  EXPECT_FALSE(CheckNewPassword("eleven char").ok());
  EXPECT_FALSE(CheckNewPassword("").ok());
  // 11 code points in 22 bytes is still too short.
  EXPECT_FALSE(CheckNewPassword("ééééééééééé").ok());
  EXPECT_FALSE(CheckNewPassword("has a line\nbreak inside").ok());
  EXPECT_FALSE(CheckNewPassword(std::string("has a NUL\0 inside it", 20)).ok());
  EXPECT_FALSE(CheckNewPassword(std::string(kMaxPasswordBytes + 1, 'a')).ok());
  EXPECT_TRUE(CheckNewPassword(std::string(kMaxPasswordBytes, 'a')).ok());
  EXPECT_EQ(HashPassword(std::string(kMaxPasswordBytes + 1, 'a'), Fast()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wott::server
