#include <openssl/err.h>
#include <openssl/pem.h>

#include <gtest/gtest.h>

#include "ossl/digest.h"
#include "ossl/error.h"
#include "ossl/random.h"
#include "ossl/unique_ptr.h"

namespace wott::ossl {
namespace {

TEST(ErrorTest, DrainEmptiesTheQueue) {
  ERR_clear_error();
  EXPECT_EQ(DrainErrors(), "");
  // Parsing garbage as PEM leaves errors on the queue.
  UniquePtr<BIO> bio = Own(BIO_new_mem_buf("garbage", -1));
  EXPECT_EQ(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), nullptr);
  Status s = ErrorStatus(StatusCode::kInvalidArgument, "not a certificate");
  EXPECT_EQ(s.message(), "not a certificate");
  EXPECT_NE(s.detail().find("PEM"), std::string::npos) << s.detail();
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(UniquePtrTest, UpRefKeepsObjectAlive) {
  UniquePtr<X509> a = Own(X509_new());
  ASSERT_NE(a, nullptr);
  UniquePtr<X509> b = UpRef(a.get());
  a.reset();
  // Still valid: b holds its own reference.
  EXPECT_EQ(X509_get_version(b.get()), 0);
}

TEST(UniquePtrTest, StackFreesItsCertificates) {
  UniquePtr<STACK_OF(X509)> stack = Own(sk_X509_new_null());
  ASSERT_EQ(sk_X509_push(stack.get(), X509_new()), 1);
  EXPECT_EQ(sk_X509_num(stack.get()), 1);
}  // no leak under ASan/valgrind

TEST(RandomTest, HexHasRequestedLengthAndVaries) {
  Result<std::string> a = RandomHex(16);
  Result<std::string> b = RandomHex(16);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
}

TEST(RandomTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secrets"));
}

TEST(DigestTest, Sha256KnownAnswer) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("").size(), 64u);
}

}  // namespace
}  // namespace wott::ossl
