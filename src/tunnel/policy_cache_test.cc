#include "tunnel/policy_cache.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wott::tunnel {
namespace {

const TimePoint kNow = std::chrono::system_clock::from_time_t(1795770967);
const std::string kA = "4853b630822946019393b16c5b710b9e";
const std::string kB = "83ca000000000000000000000000e02e";

std::string Body(int64_t version, const std::vector<std::string>& names,
                 const std::string& policy = "web-app") {
  return nlohmann::json{{"name", policy},
                        {"version", version},
                        {"allowed_devices", names},
                        {"generated_at", "2026-11-27T13:00:00Z"}}
      .dump();
}

class PolicyCacheTest : public ::testing::Test {
 protected:
  FakeClock clock_{kNow};
  std::vector<std::string> sent_etags_;
  Result<PolicyAnswer> answer_ = Unavailable("server down");
  PolicyCache cache_{"web-app",
                     [this](const std::string& name, const std::string& etag) {
                       EXPECT_EQ(name, "web-app");
                       sent_etags_.push_back(etag);
                       return answer_;
                     },
                     &clock_, std::chrono::seconds(5)};

  void Answer(int64_t version, const std::vector<std::string>& names, const std::string& etag) {
    answer_ = PolicyAnswer{false, etag, Body(version, names)};
  }
};

TEST_F(PolicyCacheTest, NeverFetchedAllowsNobody) {
  EXPECT_EQ(cache_.current(), nullptr);
  EXPECT_FALSE(cache_.view()->Allows(kA));
  EXPECT_FALSE(cache_.Refresh());  // the server is down
  EXPECT_EQ(cache_.current(), nullptr);
  EXPECT_FALSE(cache_.view()->Allows(kA));
  EXPECT_EQ(cache_.failed(), 1u);
  EXPECT_EQ(cache_.last_error(), "server down");
}

TEST_F(PolicyCacheTest, NewSetReplacesTheOldOne) {
  Answer(1, {kA + ".d.wott.local"}, "\"e1\"");
  EXPECT_TRUE(cache_.Refresh());
  EXPECT_TRUE(cache_.view()->Allows(kA));
  EXPECT_FALSE(cache_.view()->Allows(kB));
  EXPECT_EQ(cache_.current()->version, 1);
  EXPECT_EQ(cache_.current()->etag, "\"e1\"");
  EXPECT_EQ(cache_.current()->device_names, std::vector<std::string>{kA + ".d.wott.local"});

  Answer(2, {kB + ".d.wott.local"}, "\"e2\"");
  EXPECT_TRUE(cache_.Refresh());
  EXPECT_FALSE(cache_.view()->Allows(kA));
  EXPECT_TRUE(cache_.view()->Allows(kB));
  EXPECT_EQ(sent_etags_, (std::vector<std::string>{"", "\"e1\""}));
  EXPECT_EQ(cache_.fetched_ok(), 2u);
}

TEST_F(PolicyCacheTest, NotModifiedKeepsTheSet) {
  Answer(3, {kA + ".d.wott.local"}, "\"e3\"");
  ASSERT_TRUE(cache_.Refresh());
  answer_ = PolicyAnswer{true, "", ""};
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_TRUE(cache_.view()->Allows(kA));
  EXPECT_EQ(cache_.current()->version, 3);
  EXPECT_EQ(sent_etags_.back(), "\"e3\"");
  EXPECT_EQ(cache_.not_modified(), 1u);
  EXPECT_EQ(cache_.failed(), 0u);
}

TEST_F(PolicyCacheTest, NewVersionWithTheSameDevicesIsNotAChange) {
  Answer(1, {kA}, "\"e1\"");
  ASSERT_TRUE(cache_.Refresh());
  Answer(2, {kA + ".d.wott.local"}, "\"e2\"");
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_EQ(cache_.current()->version, 2);
  EXPECT_EQ(cache_.current()->etag, "\"e2\"");
}

TEST_F(PolicyCacheTest, FailureKeepsTheLastGoodSet) {
  Answer(1, {kA + ".d.wott.local"}, "\"e1\"");
  ASSERT_TRUE(cache_.Refresh());
  answer_ = Unavailable("server down");
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_TRUE(cache_.view()->Allows(kA));
  EXPECT_EQ(cache_.last_error(), "server down");
  // A malformed answer does not replace it either.
  answer_ = PolicyAnswer{false, "\"x\"", "<html>proxy error</html>"};
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_TRUE(cache_.view()->Allows(kA));
  EXPECT_EQ(cache_.failed(), 2u);
  // The server is back: the error clears.
  answer_ = PolicyAnswer{true, "", ""};
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_EQ(cache_.last_error(), "");
  EXPECT_TRUE(cache_.view()->Allows(kA));
}

TEST_F(PolicyCacheTest, NotModifiedBeforeAnyPolicyIsAnError) {
  answer_ = PolicyAnswer{true, "", ""};
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_EQ(cache_.current(), nullptr);
  EXPECT_EQ(cache_.failed(), 1u);
}

TEST_F(PolicyCacheTest, MaybeRefreshFetchesOnlyWhenDue) {
  Answer(1, {kA}, "\"e1\"");
  EXPECT_TRUE(cache_.MaybeRefresh());
  EXPECT_FALSE(cache_.MaybeRefresh());
  EXPECT_EQ(sent_etags_.size(), 1u);
  clock_.Advance(std::chrono::seconds(5));
  Answer(2, {kB}, "\"e2\"");
  EXPECT_TRUE(cache_.MaybeRefresh());
  EXPECT_EQ(sent_etags_.size(), 2u);
}

TEST(ParsePolicyAnswerTest, AcceptsTheServersAnswer) {
  Result<PolicySnapshot> s =
      ParsePolicyAnswer(R"({"name":"web-app","version":7,"allowed_devices":[")" + kA +
                            R"(.d.example.org",")" + kB + R"("],"generated_at":"x","extra":1})",
                        "web-app");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->version, 7);
  EXPECT_EQ(s->device_hex, (std::set<std::string>{kA, kB}));
  ASSERT_TRUE(ParsePolicyAnswer(Body(1, {}), "web-app").ok());
  EXPECT_TRUE(ParsePolicyAnswer(Body(1, {}), "web-app")->device_hex.empty());
}

TEST(ParsePolicyAnswerTest, RejectsWhatIsNotAPolicyAnswer) {
  const std::vector<std::string> bodies = {
      std::string("not json"),
      std::string("[]"),
      Body(1, {kA}, "other"),                        // another policy
      R"({"name":"web-app","allowed_devices":[]})",  // no version
      R"({"name":"web-app","version":"1","allowed_devices":[]})",
      R"({"name":"web-app","version":1})",  // no list
      R"({"name":"web-app","version":1,"allowed_devices":[1]})",
      Body(1, {"4853B630822946019393B16C5B710B9E"}),  // uppercase
      Body(1, {kA + ".d."}),                          // empty domain
      Body(1, {kA + ".x.wott.local"}),                // not ".d."
      Body(1, {"\"injected\" 1; default 1;"}),        // nginx map injection
      Body(1, {kA + ".d.wott.local; default 1"}),
      Body(1, {""}),
  };
  for (const std::string& body : bodies) {
    Result<PolicySnapshot> s = ParsePolicyAnswer(body, "web-app");
    EXPECT_FALSE(s.ok()) << body;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

// A body with refused_devices: `refused` is the JSON array as the server would send it.
std::string BodyWithRefused(const nlohmann::json& refused) {
  nlohmann::json root = nlohmann::json::parse(Body(4, {kA + ".d.wott.local"}));
  root["refused_devices"] = refused;
  return root.dump();
}

TEST(ParsePolicyAnswerTest, KeepsTheRefusedDevicesAndTheirReasons) {
  Result<PolicySnapshot> s = ParsePolicyAnswer(
      BodyWithRefused({{{"name", kB + ".d.wott.local"}, {"reason", "trust score 42 < 60"}}}),
      "web-app");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->device_hex, std::set<std::string>{kA});
  EXPECT_EQ(s->refused, (std::map<std::string, std::string>{{kB, "trust score 42 < 60"}}));
  // Without the field (a server with no requirements, or an older one): nobody refused.
  Result<PolicySnapshot> plain = ParsePolicyAnswer(Body(4, {kA}), "web-app");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->refused.empty());
  Result<PolicySnapshot> empty =
      ParsePolicyAnswer(BodyWithRefused(nlohmann::json::array()), "web-app");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->refused.empty());
}

TEST(ParsePolicyAnswerTest, RejectsTheWholeAnswerForOneMalformedRefusedEntry) {
  using nlohmann::json;
  const json good = {{"name", kB}, {"reason", "no audit reported"}};
  const std::vector<json> malformed = {
      json::object(),                                    // not a list
      "trust score 42 < 60",                             // not a list
      json::array({good, "not an object"}),              // one entry not an object
      json::array({{{"name", kB}}}),                     // no reason
      json::array({{{"reason", "no audit reported"}}}),  // no name
      json::array({{{"name", 7}, {"reason", "x"}}}),
      json::array({{{"name", kB}, {"reason", 42}}}),
      json::array({{{"name", "not-a-device"}, {"reason", "x"}}}),
      json::array({{{"name", kB + ".x.wott.local"}, {"reason", "x"}}}),
      json::array({{{"name", kB}, {"reason", ""}}}),
      json::array({{{"name", kB}, {"reason", "line\nforged: allowed"}}}),
      json::array({{{"name", kB}, {"reason", "trust score\x1b[31m"}}}),
      json::array({{{"name", kB}, {"reason", std::string(kMaxRefusedReason + 1, 'r')}}}),
  };
  for (const json& refused : malformed) {
    Result<PolicySnapshot> s = ParsePolicyAnswer(BodyWithRefused(refused), "web-app");
    EXPECT_FALSE(s.ok()) << refused.dump();
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    }
  }
  // The bounds themselves are accepted; one more entry is not.
  EXPECT_TRUE(
      ParsePolicyAnswer(BodyWithRefused(json::array(
                            {{{"name", kB}, {"reason", std::string(kMaxRefusedReason, 'r')}}})),
                        "web-app")
          .ok());
  json many = json::array();
  for (size_t i = 0; i <= kMaxRefusedDevices; ++i) many.push_back(good);
  Result<PolicySnapshot> too_many = ParsePolicyAnswer(BodyWithRefused(many), "web-app");
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("more than"), std::string::npos);
  many.erase(many.begin());
  EXPECT_TRUE(ParsePolicyAnswer(BodyWithRefused(many), "web-app").ok());
}

TEST_F(PolicyCacheTest, RefusedReasonFollowsTheCurrentSnapshot) {
  EXPECT_EQ(cache_.view()->RefusedReason(kB), std::nullopt);  // never fetched
  answer_ = PolicyAnswer{
      false, "\"e1\"",
      BodyWithRefused({{{"name", kB + ".d.wott.local"}, {"reason", "no audit reported"}}})};
  ASSERT_TRUE(cache_.Refresh());
  EXPECT_EQ(cache_.view()->RefusedReason(kB), "no audit reported");
  EXPECT_EQ(cache_.view()->RefusedReason(kA), std::nullopt);  // allowed, not refused
  EXPECT_FALSE(cache_.view()->Allows(kB));
  // A malformed refused list keeps the last good snapshot, reasons included.
  answer_ = PolicyAnswer{false, "\"e2\"", BodyWithRefused({{{"name", kB}}})};
  EXPECT_FALSE(cache_.Refresh());
  EXPECT_EQ(cache_.failed(), 1u);
  EXPECT_EQ(cache_.view()->RefusedReason(kB), "no audit reported");
  // B passes its requirements now: allowed, no longer refused.
  Answer(5, {kA, kB}, "\"e3\"");
  EXPECT_TRUE(cache_.Refresh());
  EXPECT_TRUE(cache_.view()->Allows(kB));
  EXPECT_EQ(cache_.view()->RefusedReason(kB), std::nullopt);
}

TEST(ValidatePolicyNameTest, AcceptsTheSpecsNamesOnly) {
  EXPECT_TRUE(ValidatePolicyName("web-app").ok());
  EXPECT_TRUE(ValidatePolicyName("a").ok());
  EXPECT_TRUE(ValidatePolicyName("0-x").ok());
  EXPECT_TRUE(ValidatePolicyName(std::string(63, 'a')).ok());
  EXPECT_FALSE(ValidatePolicyName("").ok());
  EXPECT_FALSE(ValidatePolicyName("-web").ok());
  EXPECT_FALSE(ValidatePolicyName("Web").ok());
  EXPECT_FALSE(ValidatePolicyName("web_app").ok());
  EXPECT_FALSE(ValidatePolicyName("../admin").ok());
  EXPECT_FALSE(ValidatePolicyName(std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace wott::tunnel
