#include "net/http.h"

#include <gtest/gtest.h>

namespace wott::net {
namespace {

TEST(HttpHeadersTest, LookupIgnoresCase) {
  HttpHeaders h;
  h.Add("Content-Type", "application/json");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "application/json");
  EXPECT_FALSE(h.Get("Content-Length").has_value());
  EXPECT_FALSE(h.Has("Content-Typ"));
}

TEST(HttpHeadersTest, AddKeepsRepeatsSetReplacesThem) {
  HttpHeaders h;
  h.Add("X-A", "1");
  h.Add("x-a", "2");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.Get("X-A"), "1");
  h.Set("X-a", "3");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.Get("x-A"), "3");
  h.Remove("X-A");
  EXPECT_EQ(h.size(), 0u);
}

TEST(HttpRequestTest, QueryParamDecodes) {
  HttpRequest r;
  r.query = "a=1&name=hello+w%C3%B6rld&flag&bad=%zz";
  EXPECT_EQ(r.QueryParam("a"), "1");
  EXPECT_EQ(r.QueryParam("name"), "hello w\xC3\xB6rld");
  EXPECT_EQ(r.QueryParam("flag"), "");
  EXPECT_FALSE(r.QueryParam("missing").has_value());
  EXPECT_FALSE(r.QueryParam("bad").has_value());
}

TEST(PercentDecodeTest, DecodesValidAndRejectsMalformed) {
  EXPECT_EQ(PercentDecode("a%2Fb%20c").value(), "a/b c");
  EXPECT_EQ(PercentDecode("a+b").value(), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true).value(), "a b");
  EXPECT_FALSE(PercentDecode("%").ok());
  EXPECT_FALSE(PercentDecode("%4").ok());
  EXPECT_FALSE(PercentDecode("%G0").ok());
  EXPECT_FALSE(PercentDecode("a%00b").ok());
}

TEST(ErrorResponseTest, UsesTheJsonErrorShape) {
  HttpResponse r = ErrorResponse(413, "payload_too_large", "too \"big\"");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"payload_too_large","message":"too \"big\""}})");
}

TEST(ErrorResponseTest, InvalidUtf8DoesNotThrow) {
  HttpResponse r = ErrorResponse(400, "bad_request", "bad \xff byte");
  EXPECT_NE(r.body.find("bad_request"), std::string::npos);
}

TEST(ValidateResponseTest, AcceptsNormalRejectsInjection) {
  HttpResponse ok = HttpResponse::Text(200, "hi");
  ok.headers.Set("Cache-Control", "no-store");
  EXPECT_TRUE(ValidateResponse(ok).ok());

  HttpResponse split = ok;
  split.headers.Set("X-Evil", "a\r\nSet-Cookie: x=1");
  EXPECT_FALSE(ValidateResponse(split).ok());
  HttpResponse bad_name = ok;
  bad_name.headers.Set("Bad Name", "v");
  EXPECT_FALSE(ValidateResponse(bad_name).ok());
  HttpResponse bad_status = ok;
  bad_status.status = 1000;
  EXPECT_FALSE(ValidateResponse(bad_status).ok());
  bad_status.status = 99;
  EXPECT_FALSE(ValidateResponse(bad_status).ok());
}

}  // namespace
}  // namespace wott::net
