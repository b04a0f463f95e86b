#include "server/api_util.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/handlers.h"
#include "server/issued_json.h"

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

IssuedCertificate SampleIssued() {
  IssuedCertificate issued;
  issued.device_name = "0123456789abcdef0123456789abcdef.d.wott.local";
  issued.device_hex = "0123456789abcdef0123456789abcdef";
  issued.serial = "4ec55e8bd5f71e3c2ed20d7654cbc7b4";
  issued.certificate_chain = "-----BEGIN CERTIFICATE-----\nMIIB+/==\n-----END CERTIFICATE-----\n";
  issued.ca_bundle = issued.certificate_chain + issued.certificate_chain;
  issued.not_before = std::chrono::system_clock::from_time_t(1795770967);
  issued.not_after = issued.not_before + std::chrono::days(7);
  issued.renew_after = issued.not_before + std::chrono::days(5);
  issued.recovery_token = "abc";
  return issued;
}

// The direct writer must produce exactly what nlohmann's dump does, escapes included.
TEST(IssuedResponseTest, SameBytesAsTheNlohmannPath) {
  IssuedCertificate issued = SampleIssued();
  for (std::string odd : {std::string("plain"), std::string("q\"b\\s/\b\f\n\r\t"),
                          std::string("ctl\x01\x1f\x7f end"), std::string()}) {
    issued.recovery_token = odd;
    for (int status : {200, 201}) {
      net::HttpResponse fast = IssuedResponse(issued, status);
      net::HttpResponse slow = JsonResponse(IssuedToJson(issued), status);
      EXPECT_EQ(fast.status, slow.status);
      EXPECT_EQ(fast.body, slow.body);
      EXPECT_EQ(fast.content_type, slow.content_type);
    }
  }
  EXPECT_THAT(IssuedResponse(issued).body,
              HasSubstr("\"ca_bundle\":\"-----BEGIN CERTIFICATE-----\\n"));
}

// Non-ASCII (here invalid UTF-8) takes the nlohmann path and its replacement character.
TEST(IssuedResponseTest, NonAsciiTakesTheNlohmannPath) {
  IssuedCertificate issued = SampleIssued();
  issued.device_name = "bad\xff\xfe";
  net::HttpResponse fast = IssuedResponse(issued, 201);
  EXPECT_EQ(fast.body, JsonResponse(IssuedToJson(issued), 201).body);
  EXPECT_THAT(fast.body, HasSubstr("bad\xef\xbf\xbd"));
  EXPECT_THAT(fast.body, Not(HasSubstr("\xff")));
}

}  // namespace
}  // namespace wott::server
