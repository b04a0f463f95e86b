#include "server/api_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wott::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

net::HttpRequest JsonRequest(std::string body, std::string type = "application/json") {
  net::HttpRequest r;
  r.headers.Set("Content-Type", std::move(type));
  r.body = std::move(body);
  return r;
}

TEST(ApiUtilTest, MapsCodesToHttp) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
}

TEST(ApiUtilTest, InternalErrorsHideTheirText) {
  net::HttpResponse r = ErrorFor(Internal("sqlite said: table devices is locked", "detail"));
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, Not(HasSubstr("sqlite")));
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"internal\""));
  net::HttpResponse bad = ErrorFor(InvalidArgument("missing field 'csr'"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("missing field 'csr'"));
}

TEST(ApiUtilTest, ParsesOnlyJsonObjects) {
  EXPECT_TRUE(ParseJsonObject(JsonRequest(R"({"a":"b"})")).ok());
  EXPECT_TRUE(ParseJsonObject(JsonRequest("{}", "application/json; charset=utf-8")).ok());
  EXPECT_FALSE(ParseJsonObject(JsonRequest("{}", "text/plain")).ok());
  EXPECT_FALSE(ParseJsonObject(JsonRequest("{")).ok());
  EXPECT_FALSE(ParseJsonObject(JsonRequest("[1]")).ok());
  EXPECT_FALSE(ParseJsonObject(JsonRequest("")).ok());
  net::HttpRequest no_type;
  no_type.body = "{}";
  EXPECT_FALSE(ParseJsonObject(no_type).ok());
}

TEST(ApiUtilTest, StringFields) {
  nlohmann::json j = {{"s", "x"}, {"n", 5}};
  EXPECT_EQ(*StringField(j, "s", true), "x");
  EXPECT_EQ(*StringField(j, "missing", false), "");
  EXPECT_FALSE(StringField(j, "missing", true).ok());
  EXPECT_FALSE(StringField(j, "n", false).ok());
}

TEST(ApiUtilTest, JsonResponseSurvivesInvalidUtf8) {
  net::HttpResponse r = JsonResponse({{"hostname", std::string("\xff\xfe")}});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("hostname"));
}

}  // namespace
}  // namespace wott::server
