// The dashboard's asset serving: embedded files, --web-root files, unsafe names refused,
// security headers on every answer, ETag revalidation.
#include "server/web_assets.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "net/router.h"
#include "server/web_routes.h"

namespace wott::server {
namespace {

// A request through the router; `method` GET unless given.
net::HttpResponse Get(const net::Router& router, std::string path, std::string if_none_match = {},
                      std::string method = "GET") {
  net::HttpRequest request;
  request.method = method;
  request.target = path;
  request.path = path;
  if (!if_none_match.empty()) request.headers.Set("If-None-Match", if_none_match);
  return router.Dispatch(request);
}

void ExpectSecurityHeaders(const net::HttpResponse& r) {
  EXPECT_EQ(r.headers.Get("Content-Security-Policy"), kDashboardCsp);
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.headers.Get("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.headers.Get("X-Frame-Options"), "DENY");
}

TEST(WebAssetNameTest, AcceptsFlatNamesRejectsTraversalAndOddCharacters) {
  for (const char* good : {"app.js", "index.html", "page_devices.js", "a-b.css", "x1.svg"}) {
    EXPECT_TRUE(IsSafeAssetName(good)) << good;
  }
  for (const char* bad : {"", "..", "../etc/passwd", "a/b.js", ".hidden.js", "App.js", "a..b.js",
                          "a b.js", "a%2e.js", "-x.js", "a\\b.js", "x.js\n"}) {
    EXPECT_FALSE(IsSafeAssetName(bad)) << bad;
  }
  EXPECT_FALSE(IsSafeAssetName(std::string(101, 'a')));
}

TEST(WebAssetNameTest, ContentTypesByExtensionUnknownIsEmpty) {
  EXPECT_EQ(AssetContentType("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(AssetContentType("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(AssetContentType("app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(AssetContentType("logo.svg"), "image/svg+xml");
  EXPECT_EQ(AssetContentType("embed.cmake"), "");
  EXPECT_EQ(AssetContentType("js"), "");
  EXPECT_EQ(AssetContentType("key.pem"), "");
}

TEST(WebRoutesTest, EmbeddedIndexAndAssetsWithHeaders) {
  net::Router router;
  ASSERT_TRUE(AddWebRoutes(router, {}).ok());
  net::HttpResponse index = Get(router, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("app.js"), std::string::npos);
  ExpectSecurityHeaders(index);
  net::HttpResponse js = Get(router, "/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  ASSERT_TRUE(js.headers.Get("ETag").has_value());
  EXPECT_EQ(js.headers.Get("ETag")->size(), 66u);  // quoted SHA-256 hex
  ExpectSecurityHeaders(js);
  EXPECT_EQ(Get(router, "/assets/app.css").content_type, "text/css; charset=utf-8");
}

TEST(WebRoutesTest, HeadAnswersLikeGetOtherMethodsAre405) {
  net::Router router;
  ASSERT_TRUE(AddWebRoutes(router, {}).ok());
  net::HttpResponse get = Get(router, "/assets/app.js");
  net::HttpResponse head = Get(router, "/assets/app.js", {}, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.Get("ETag"), get.headers.Get("ETag"));
  EXPECT_EQ(head.content_type, get.content_type);
  ExpectSecurityHeaders(head);
  EXPECT_EQ(Get(router, "/", {}, "HEAD").status, 200);
  EXPECT_EQ(Get(router, "/assets/nope.js", {}, "HEAD").status, 404);
  EXPECT_EQ(Get(router, "/assets/app.js", {}, "POST").status, 405);
  EXPECT_EQ(Get(router, "/", {}, "DELETE").status, 405);
}

TEST(WebRoutesTest, UnknownAndUnsafeAssetsAre404WithHeaders) {
  net::Router router;
  ASSERT_TRUE(AddWebRoutes(router, {}).ok());
  for (const char* path : {"/assets/nope.js", "/assets/..%2Fweb_embed.cmake", "/assets/%2e%2e",
                           "/assets/APP.JS", "/assets/index.htm"}) {
    net::HttpResponse r = Get(router, path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("import"), std::string::npos) << path;
    ExpectSecurityHeaders(r);
  }
}

TEST(WebRoutesTest, MatchingIfNoneMatchIs304OtherEtagIs200) {
  net::Router router;
  ASSERT_TRUE(AddWebRoutes(router, {}).ok());
  std::string etag(*Get(router, "/assets/app.js").headers.Get("ETag"));
  net::HttpResponse same = Get(router, "/assets/app.js", etag);
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(Get(router, "/assets/app.js", "\"other\", W/" + etag).status, 304);
  net::HttpResponse other = Get(router, "/assets/app.js", "\"0000\"");
  EXPECT_EQ(other.status, 200);
  EXPECT_FALSE(other.body.empty());
}

class WebRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() / ("wott-web-root-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "sub");
    Write(root_ / "index.html", "<p>from disk</p>");
    Write(root_ / "app.js", "export const x = 1;");
    Write(root_ / "secret.pem", "KEY");
    Write(root_ / "sub" / "inner.js", "inner");
    Write(root_.parent_path() / ("outside-" + std::to_string(::getpid()) + ".js"), "outside");
  }
  void TearDown() override {
    std::filesystem::remove_all(root_);
    std::filesystem::remove(root_.parent_path() /
                            ("outside-" + std::to_string(::getpid()) + ".js"));
  }
  static void Write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
  }
  std::filesystem::path root_;
};

TEST_F(WebRootTest, ServesFilesFromDiskReadPerRequest) {
  ASSERT_TRUE(CheckWebRoot(root_).ok());
  net::Router router;
  ASSERT_TRUE(AddWebRoutes(router, root_).ok());
  EXPECT_EQ(Get(router, "/").body, "<p>from disk</p>");
  EXPECT_EQ(Get(router, "/assets/app.js").body, "export const x = 1;");
  Write(root_ / "app.js", "export const x = 2;");
  net::HttpResponse changed = Get(router, "/assets/app.js");
  EXPECT_EQ(changed.body, "export const x = 2;");
  ExpectSecurityHeaders(changed);
}

TEST_F(WebRootTest, NeverServesOutsideTheRootOrUnknownTypes) {
  net::Router router;
  ASSERT_TRUE(AddWebRoutes(router, root_).ok());
  std::string outside = "outside-" + std::to_string(::getpid()) + ".js";
  for (const std::string& path :
       std::vector<std::string>{"/assets/secret.pem", "/assets/sub", "/assets/sub%2Finner.js",
                                "/assets/..%2F" + outside, "/assets/missing.js"}) {
    EXPECT_EQ(Get(router, path).status, 404) << path;
  }
}

TEST_F(WebRootTest, CheckWebRootRefusesMissingDirOrIndex) {
  EXPECT_FALSE(CheckWebRoot(root_ / "nope").ok());
  EXPECT_FALSE(CheckWebRoot(root_ / "sub").ok());  // no index.html
  EXPECT_FALSE(CheckWebRoot(root_ / "app.js").ok());
}

}  // namespace
}  // namespace wott::server
