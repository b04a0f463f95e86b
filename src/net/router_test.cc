#include "net/router.h"

#include <gtest/gtest.h>

namespace wott::net {
namespace {

RouteHandler Named(std::string name) {
  return [name](const HttpRequest& r) {
    std::string body = name;
    for (const auto& [k, v] : r.path_params) body += " " + k + "=" + v;
    return HttpResponse::Text(200, body);
  };
}

HttpRequest Req(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/", Named("root")).ok());
    ASSERT_TRUE(router_.Add("GET", "/devices/{id}", Named("get")).ok());
    ASSERT_TRUE(router_.Add("DELETE", "/devices/{id}", Named("delete")).ok());
    ASSERT_TRUE(router_.Add("GET", "/devices/self", Named("self")).ok());
    ASSERT_TRUE(router_.Add("POST", "/devices/{id}/certs/{serial}", Named("cert")).ok());
  }
  Router router_;
};

TEST_F(RouterTest, MatchesParametersAndSetsRoute) {
  HttpRequest r = Req("POST", "/devices/abc/certs/01");
  HttpResponse resp = router_.Dispatch(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "cert id=abc serial=01");
  EXPECT_EQ(r.route, "/devices/{id}/certs/{serial}");
  EXPECT_EQ(r.PathParam("serial"), "01");
  EXPECT_EQ(r.PathParam("nope"), "");
}

TEST_F(RouterTest, RootRoute) {
  HttpRequest r = Req("GET", "/");
  EXPECT_EQ(router_.Dispatch(r).body, "root");
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  HttpRequest self = Req("GET", "/devices/self");
  EXPECT_EQ(router_.Dispatch(self).body, "self");
  HttpRequest other = Req("GET", "/devices/selfish");
  EXPECT_EQ(router_.Dispatch(other).body, "get id=selfish");
  // DELETE has no literal route, so the parameter route takes "self".
  HttpRequest del = Req("DELETE", "/devices/self");
  EXPECT_EQ(router_.Dispatch(del).body, "delete id=self");
}

TEST_F(RouterTest, DecodesParameters) {
  HttpRequest r = Req("GET", "/devices/a%2Fb");
  EXPECT_EQ(router_.Dispatch(r).body, "get id=a/b");
  HttpRequest bad = Req("GET", "/devices/a%zz");
  HttpResponse resp = router_.Dispatch(bad);
  EXPECT_EQ(resp.status, 400);
}

TEST_F(RouterTest, UnknownPathIs404) {
  for (const char* path : {"/nope", "/devices", "/devices/", "/devices/x/y", "//devices/x"}) {
    HttpRequest r = Req("GET", path);
    HttpResponse resp = router_.Dispatch(r);
    EXPECT_EQ(resp.status, 404) << path;
    EXPECT_NE(resp.body.find("\"not_found\""), std::string::npos);
    EXPECT_EQ(r.route, "");
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  HttpRequest r = Req("PUT", "/devices/abc");
  HttpResponse resp = router_.Dispatch(r);
  EXPECT_EQ(resp.status, 405);
  EXPECT_EQ(resp.headers.Get("Allow"), "DELETE, GET");
  EXPECT_NE(resp.body.find("method_not_allowed"), std::string::npos);
  HttpRequest lower = Req("get", "/devices/abc");  // methods are case-sensitive
  EXPECT_EQ(router_.Dispatch(lower).status, 405);
}

TEST(RouterAddTest, RejectsMalformedPatterns) {
  Router router;
  for (const char* pattern : {"", "devices", "/devices//x", "/devices/{}", "/devices/{id",
                              "/devices/{Id}", "/devices/{a}/{a}", "/d?x", "/d/x{y}"}) {
    EXPECT_FALSE(router.Add("GET", pattern, Named("x")).ok()) << pattern;
  }
  EXPECT_FALSE(router.Add("get", "/x", Named("x")).ok());
  EXPECT_FALSE(router.Add("", "/x", Named("x")).ok());
}

TEST(RouterAddTest, RejectsConflictsButNotOtherMethods) {
  Router router;
  ASSERT_TRUE(router.Add("GET", "/devices/{id}", Named("a")).ok());
  Status dup = router.Add("GET", "/devices/{name}", Named("b"));
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("conflicts"), std::string::npos);
  EXPECT_TRUE(router.Add("POST", "/devices/{id}", Named("c")).ok());
  EXPECT_TRUE(router.Add("GET", "/devices/self", Named("d")).ok());
}

}  // namespace
}  // namespace wott::net
