// The dashboard's login API and cookie authentication of the admin API, driven through the
// real router (AddRoutes) with a memory registry on a fake clock: login, wrong and unknown
// users, rate limiting, the cookie's attributes, CSRF on every state-changing admin call,
// expiry, logout, password changes, Bearer tokens alongside, and the overview.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "base/encoding.h"
#include "server/enrollment_tokens.h"
#include "server/password_hash.h"
#include "server/routes.h"
#include "server/testing/ca_service_fixture.h"

namespace wott::server {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;

constexpr char kPassword[] = "correct horse battery";

class SessionApiTest : public testing::CaServiceFixture {
 protected:
  void SetUp() override {
    CaServiceFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(AddRoutes(router_, *service_).ok());
    AddUser("bob", kPassword);
  }

  // Small argon2 parameters: verification reads them from the hash, so tests stay fast.
  void AddUser(const std::string& name, const std::string& password) {
    PasswordHashOptions fast;
    fast.time_cost = 1;
    fast.memory_kib = 1024;
    Result<std::string> hash = HashPassword(password, fast);
    ASSERT_TRUE(hash.ok()) << hash.status();
    ASSERT_TRUE(store_->CreateUser({name, *hash}, "cli", clock_.Now()).ok());
  }

  struct Call {
    std::string method{}, target{}, body{};
    std::string cookie{};               // the wott_session value; none when empty
    std::optional<std::string> csrf{};  // X-CSRF-Token
    std::string content_type = "application/json";
    std::string auth{};  // Authorization
    std::string remote = "127.0.0.1:40000";
  };
  net::HttpResponse Do(const Call& c) {
    net::HttpRequest request;
    request.method = c.method;
    request.target = c.target;
    size_t q = c.target.find('?');
    request.path = c.target.substr(0, q);
    request.query = q == std::string::npos ? "" : c.target.substr(q + 1);
    request.headers.Add("Host", "ca.example.com:8443");
    if (!c.cookie.empty()) request.headers.Add("Cookie", "theme=dark; wott_session=" + c.cookie);
    if (c.csrf) request.headers.Add("X-CSRF-Token", *c.csrf);
    if (!c.body.empty() && !c.content_type.empty()) {
      request.headers.Add("Content-Type", c.content_type);
    }
    if (!c.auth.empty()) request.headers.Add("Authorization", c.auth);
    request.body = c.body;
    request.remote_address = c.remote;
    return router_.Dispatch(request);
  }

  net::HttpResponse Login(const std::string& user, const std::string& password,
                          const std::string& remote = "127.0.0.1:40000") {
    return Do({.method = "POST",
               .target = "/v1/session",
               .body = json{{"username", user}, {"password", password}}.dump(),
               .remote = remote});
  }

  // Logs bob in; the cookie secret and CSRF token.
  std::pair<std::string, std::string> LoginBob() {
    net::HttpResponse r = Login("bob", kPassword);
    EXPECT_EQ(r.status, 200) << r.body;
    std::string cookie(r.headers.Get("Set-Cookie").value_or(""));
    std::string secret = cookie.substr(cookie.find('=') + 1);
    secret = secret.substr(0, secret.find(';'));
    json body = json::parse(r.body, nullptr, false);
    return {secret, body.is_object() ? body.value("csrf_token", "") : ""};
  }

  static std::string Code(const net::HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }

  net::Router router_;
};

TEST_F(SessionApiTest, LoginSetsTheSessionCookieAndReturnsTheCsrfToken) {
  net::HttpResponse r = Login("bob", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie(r.headers.Get("Set-Cookie").value_or(""));
  EXPECT_TRUE(
      std::regex_match(cookie, std::regex("wott_session=[0-9a-f]{64}; Path=/; Secure; HttpOnly; "
                                          "SameSite=Strict; Max-Age=43200")))
      << cookie;
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  json body = json::parse(r.body);
  EXPECT_EQ(body["user"]["name"], "bob");
  EXPECT_TRUE(std::regex_match(body["csrf_token"].get<std::string>(), std::regex("[0-9a-f]{64}")));
  EXPECT_EQ(body["expires_at"], FormatRfc3339(clock_.Now() + hours(12)));
  // GET /v1/session answers the same body, without a new cookie.
  std::string secret = cookie.substr(13, 64);
  net::HttpResponse who = Do({.method = "GET", .target = "/v1/session", .cookie = secret});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(json::parse(who.body), body);
  EXPECT_FALSE(who.headers.Has("Set-Cookie"));
  // The registry holds the secret's hash, not the secret.
  EXPECT_TRUE(store_->FindSession(CaService::HashToken(secret), clock_.Now()).ok());
  EXPECT_FALSE(store_->FindSession(secret, clock_.Now()).ok());
  EXPECT_EQ(EventsAbout("bob").back(),
            (std::pair<std::string, std::string>{"user.login", "user:bob"}));
}

TEST_F(SessionApiTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  net::HttpResponse wrong = Login("bob", "not the password");
  net::HttpResponse unknown = Login("carol", kPassword);
  net::HttpResponse malformed = Login("Not A Name!", kPassword);
  for (const net::HttpResponse* r : {&wrong, &unknown, &malformed}) {
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(Code(*r), "invalid_credentials");
    EXPECT_FALSE(r->headers.Has("Set-Cookie"));
    EXPECT_EQ(r->body, wrong.body);
  }
  EXPECT_EQ(EventsAbout("bob").back(),
            (std::pair<std::string, std::string>{"user.login_failed", "remote:127.0.0.1"}));
  EXPECT_EQ(EventsAbout("carol").back().first, "user.login_failed");
  // The password never reaches the log.
  Result<std::vector<store::Event>> events = store_->ListEvents({});
  ASSERT_TRUE(events.ok());
  for (const store::Event& e : *events) {
    EXPECT_THAT(e.detail, ::testing::Not(HasSubstr("not the password")));
    EXPECT_THAT(e.detail, ::testing::Not(HasSubstr(kPassword)));
  }
}

TEST_F(SessionApiTest, LoginNeedsJsonWithBothFields) {
  net::HttpResponse r = Do({.method = "POST",
                            .target = "/v1/session",
                            .body = "username=bob&password=x",
                            .content_type = "application/x-www-form-urlencoded"});
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(Code(r), "unsupported_media_type");
  r = Do({.method = "POST", .target = "/v1/session", .body = "{}", .content_type = ""});
  EXPECT_EQ(r.status, 415);
  for (const char* body : {"{}", "{\"username\":\"bob\"}", "{\"username\":\"bob\",\"password\":1}",
                           "[1]", "{bad json"}) {
    r = Do({.method = "POST", .target = "/v1/session", .body = body});
    EXPECT_EQ(r.status, 400) << body;
  }
  // charset parameter and case are fine.
  r = Do({.method = "POST",
          .target = "/v1/session",
          .body = json{{"username", "bob"}, {"password", kPassword}}.dump(),
          .content_type = "Application/JSON; charset=utf-8"});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(SessionApiTest, FiveFailuresLockTheUserEvenForTheRightPassword) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(Login("bob", "wrong password " + std::to_string(i)).status, 401);
  net::HttpResponse r = Login("bob", kPassword);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Code(r), "too_many_attempts");
  EXPECT_EQ(r.headers.Get("Retry-After").value_or(""), "900");
  // Another address is refused too (the user is locked)...
  EXPECT_EQ(Login("bob", kPassword, "10.1.1.1:5000").status, 429);
  // ...until the window has passed.
  clock_.Advance(minutes(15));
  EXPECT_EQ(Login("bob", kPassword).status, 200);
}

TEST_F(SessionApiTest, TwentyFailuresLockTheAddressForEveryUser) {
  AddUser("alice", kPassword);
  // Four known users (fast hashes; unknown ones would cost a full dummy verification each),
  // five failures each: the address reaches 20 while no user is over its own limit.
  for (int u = 0; u < 4; ++u) AddUser("user" + std::to_string(u), kPassword);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Login("user" + std::to_string(i % 4), "whatever pw", "10.9.9.9:1").status, 401) << i;
  }
  EXPECT_EQ(Login("alice", kPassword, "10.9.9.9:2").status, 429);
  EXPECT_EQ(Login("alice", kPassword, "10.9.9.8:2").status, 200);
}

TEST_F(SessionApiTest, TheCookieAuthenticatesAdminCallsWithCsrfOnChanges) {
  auto [secret, csrf] = LoginBob();
  net::HttpResponse list = Do({.method = "GET", .target = "/v1/admin/devices", .cookie = secret});
  EXPECT_EQ(list.status, 200) << list.body;
  const std::string create_body = R"({"uses": 2, "ttl": "1h"})";
  for (std::optional<std::string> bad :
       {std::optional<std::string>(), std::optional<std::string>(""),
        std::optional<std::string>(csrf + "0"), std::optional<std::string>(std::string(64, '0'))}) {
    net::HttpResponse r = Do({.method = "POST",
                              .target = "/v1/admin/tokens",
                              .body = create_body,
                              .cookie = secret,
                              .csrf = bad});
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(Code(r), "csrf_failed");
  }
  EXPECT_EQ(store_->ListEnrollmentTokens({}, clock_.Now())->size(), 0u);
  net::HttpResponse ok = Do({.method = "POST",
                             .target = "/v1/admin/tokens",
                             .body = create_body,
                             .cookie = secret,
                             .csrf = csrf});
  ASSERT_EQ(ok.status, 201) << ok.body;
  std::string id = json::parse(ok.body)["id"];
  EXPECT_EQ(EventsAbout(id).back(),
            (std::pair<std::string, std::string>{"token.create", "user:bob"}));
  // DELETE needs it too.
  EXPECT_EQ(Do({.method = "DELETE", .target = "/v1/admin/tokens/" + id, .cookie = secret}).status,
            403);
  EXPECT_EQ(
      Do({.method = "DELETE", .target = "/v1/admin/tokens/" + id, .cookie = secret, .csrf = csrf})
          .status,
      200);
}

TEST_F(SessionApiTest, UnknownMalformedOrExpiredCookiesAreUnauthenticated) {
  auto [secret, csrf] = LoginBob();
  for (std::string bad :
       {std::string(64, 'a'), secret.substr(1), secret + "0", std::string("x"), std::string("")}) {
    net::HttpRequest request;
    request.method = "GET";
    request.target = request.path = "/v1/admin/devices";
    request.headers.Add("Cookie", "wott_session=" + bad);
    net::HttpResponse r = router_.Dispatch(request);
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_EQ(Code(r), "unauthenticated");
  }
  clock_.Advance(hours(12) - std::chrono::seconds(1));
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/admin/devices", .cookie = secret}).status, 200);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/admin/devices", .cookie = secret}).status, 401);
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/session", .cookie = secret}).status, 401);
}

// `serve --session-ttl 30m`: the cookie and the session both last 30 minutes.
class ShortSessionApiTest : public SessionApiTest {
 protected:
  void SetUp() override {
    service_options_.session_lifetime = minutes(30);
    SessionApiTest::SetUp();
  }
};

TEST_F(ShortSessionApiTest, TheConfiguredLifetimeBoundsCookieAndSession) {
  net::HttpResponse r = Login("bob", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie(r.headers.Get("Set-Cookie").value_or(""));
  EXPECT_THAT(cookie, HasSubstr("; Max-Age=1800")) << cookie;
  EXPECT_EQ(json::parse(r.body)["expires_at"], FormatRfc3339(clock_.Now() + minutes(30)));
  const std::string secret = cookie.substr(13, 64);
  clock_.Advance(minutes(30) - std::chrono::seconds(1));
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/session", .cookie = secret}).status, 200);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/session", .cookie = secret}).status, 401);
}

TEST_F(SessionApiTest, LifetimesOutsideFiveMinutesToThirtyDaysAreRefused) {
  for (Duration bad : {Duration(minutes(4)), Duration(std::chrono::days(31)), Duration::zero()}) {
    CaServiceOptions options;
    options.session_lifetime = bad;
    Result<pki::LoadedCa> ca = pki::LoadCa(tmp_.path() / "data");
    ASSERT_TRUE(ca.ok()) << ca.status();
    Result<std::unique_ptr<CaService>> service =
        CaService::Create(std::move(*ca), store_.get(), &clock_, options);
    ASSERT_FALSE(service.ok());
    EXPECT_EQ(service.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(service.status().message(), HasSubstr("between 5m and 30d"));
  }
}

TEST_F(SessionApiTest, LogoutNeedsCsrfThenEndsTheSession) {
  auto [secret, csrf] = LoginBob();
  net::HttpResponse r = Do({.method = "DELETE", .target = "/v1/session", .cookie = secret});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "csrf_failed");
  r = Do({.method = "DELETE", .target = "/v1/session", .cookie = secret, .csrf = csrf});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.headers.Get("Set-Cookie").value_or(""),
            "wott_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/session", .cookie = secret}).status, 401);
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/admin/devices", .cookie = secret}).status, 401);
  EXPECT_EQ(
      Do({.method = "DELETE", .target = "/v1/session", .cookie = secret, .csrf = csrf}).status,
      401);
  EXPECT_EQ(EventsAbout("bob").back(),
            (std::pair<std::string, std::string>{"user.logout", "user:bob"}));
}

TEST_F(SessionApiTest, ChangingThePasswordEndsTheSession) {
  auto [secret, csrf] = LoginBob();
  ASSERT_TRUE(store_->SetUserPassword("bob", "$argon2id$other", "cli", clock_.Now()).ok());
  EXPECT_EQ(Do({.method = "GET", .target = "/v1/session", .cookie = secret}).status, 401);
}

TEST_F(SessionApiTest, BearerTokensStillWorkAndTakePrecedenceOverTheCookie) {
  auto [secret, csrf] = LoginBob();
  Result<CreatedToken> admin = CreateApiToken(*store_, "ci", "test", clock_);
  ASSERT_TRUE(admin.ok());
  // A Bearer request needs no CSRF token.
  net::HttpResponse r = Do({.method = "POST",
                            .target = "/v1/admin/tokens",
                            .body = "{}",
                            .auth = "Bearer " + admin->token});
  EXPECT_EQ(r.status, 201) << r.body;
  // A bad Bearer token is not rescued by a good cookie.
  r = Do({.method = "GET", .target = "/v1/admin/devices", .cookie = secret, .auth = "Bearer nope"});
  EXPECT_EQ(r.status, 401);
}

TEST_F(SessionApiTest, OverviewCountsDevicesCertificatesAndRecentEvents) {
  auto [secret, csrf] = LoginBob();
  IssuedCertificate a = EnrollTagged();
  IssuedCertificate b = EnrollTagged();
  IssuedCertificate c = EnrollTagged();
  ASSERT_TRUE(
      store_
          ->RevokeDevice(c.device_hex, store::RevocationReason::kUnspecified, "test", clock_.Now())
          .ok());
  clock_.Advance(hours(1));  // the 7-day certificates now expire within 7 days
  ASSERT_TRUE(store_->TouchLastSeen(a.device_hex, clock_.Now(), {}).ok());
  net::HttpResponse r = Do({.method = "GET", .target = "/v1/admin/overview", .cookie = secret});
  ASSERT_EQ(r.status, 200) << r.body;
  json o = json::parse(r.body);
  EXPECT_EQ(o["devices"],
            (json{{"total", 3}, {"active", 2}, {"stale", 1}, {"revoked", 1}, {"deleted", 0}}));
  // Device certificates live 7 days (the default): expiring within 7 d, not within 24 h.
  EXPECT_EQ(o["certificates"], (json{{"expiring_24h", 0}, {"expiring_7d", 2}, {"expired", 0}}));
  ASSERT_EQ(o["expiry_histogram"].size(), 8u);
  EXPECT_EQ(o["expiry_histogram"][0]["date"], FormatRfc3339(clock_.Now()).substr(0, 10));
  int64_t in_histogram = 0;
  for (const json& day : o["expiry_histogram"]) in_histogram += day["count"].get<int64_t>();
  EXPECT_EQ(in_histogram, 2);
  EXPECT_EQ(o["expiry_histogram"][7]["count"], 2);  // 7 days after 09:16 is day 7
  // Up to 10, newest first.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store_->AppendEvent({0, clock_.Now(), "t", "test.x", "", ""}).ok());
  r = Do({.method = "GET", .target = "/v1/admin/overview", .cookie = secret});
  o = json::parse(r.body);
  ASSERT_EQ(o["recent_events"].size(), 10u);
  EXPECT_EQ(o["recent_events"][0]["action"], "test.x");
  EXPECT_EQ(o["recent_events"][3]["action"], "device.revoke");
  // A week and a day later both have expired; b is stale now too.
  clock_.Advance(hours(24 * 8));
  r = Do({.method = "GET", .target = "/v1/admin/overview", .cookie = secret});
  // (the session expired after 12 h: use a Bearer token)
  EXPECT_EQ(r.status, 401);
  Result<CreatedToken> admin = CreateApiToken(*store_, "ci", "test", clock_);
  ASSERT_TRUE(admin.ok());
  r = Do({.method = "GET", .target = "/v1/admin/overview", .auth = "Bearer " + admin->token});
  ASSERT_EQ(r.status, 200);
  o = json::parse(r.body);
  EXPECT_EQ(o["certificates"]["expired"], 2);
  EXPECT_EQ(o["devices"]["stale"], 2);
  EXPECT_EQ(
      Do({.method = "GET", .target = "/v1/admin/overview?x=1", .auth = "Bearer " + admin->token})
          .status,
      400);
}

}  // namespace
}  // namespace wott::server
