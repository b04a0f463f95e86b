#include "net/url.h"

#include <gtest/gtest.h>

namespace wott::net {
namespace {

TEST(ParseHttpsUrlTest, AcceptsHostPortPathQuery) {
  Result<HttpsUrl> u = ParseHttpsUrl("https://wott.example:8443/api/v1/enroll?x=1#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "wott.example");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/api/v1/enroll?x=1");
  EXPECT_EQ(u->Authority(), "wott.example:8443");
}

TEST(ParseHttpsUrlTest, DefaultsPortAndPath) {
  Result<HttpsUrl> u = ParseHttpsUrl("HTTPS://wott.example");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->Authority(), "wott.example");
  EXPECT_EQ(ParseHttpsUrl("https://h?q=1")->target, "/?q=1");
}

TEST(ParseHttpsUrlTest, AcceptsIpv6Literal) {
  Result<HttpsUrl> u = ParseHttpsUrl("https://[::1]:9000/x");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->Authority(), "[::1]:9000");
}

TEST(ParseHttpsUrlTest, RejectsWithReason) {
  struct Case {
    const char* url;
    const char* reason;
  } cases[] = {
      {"http://wott.example/", "only https://"},
      {"wott.example", "only https://"},
      {"https://", "no host"},
      {"https://:8443/", "no host"},
      {"https://user:pw@wott.example/", "user info"},
      {"https://wott.example:0/", "port"},
      {"https://wott.example:65536/", "port"},
      {"https://wott.example:80a/", "port"},
      {"https://wott.example:/", "empty port"},
      {"https://wott example/", "spaces"},
      {"https://wott.example/\n", "control"},
      {"https://[::1/", "unterminated"},
      {"https://[zz]/", "malformed IPv6"},
      {"https://wott.exa$mple/", "invalid character"},
  };
  for (const Case& c : cases) {
    Result<HttpsUrl> u = ParseHttpsUrl(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(u.status().message().find(c.reason), std::string::npos)
        << c.url << " -> " << u.status().message();
  }
}

}  // namespace
}  // namespace wott::net
