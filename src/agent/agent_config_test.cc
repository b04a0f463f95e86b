#include "agent/agent_config.h"

#include <gtest/gtest.h>

#include "agent/identity.h"
#include "base/encoding.h"
#include "tests/support/test_ca.h"

namespace wott::agent {
namespace {

TEST(AgentConfigTest, RoundTrips) {
  AgentConfig c;
  c.server_url = "https://ca.example:8443";
  c.ca_fingerprint = std::string(64, 'a');
  c.key_type = "ed25519";
  c.on_renew = {"systemctl reload nginx", "touch /tmp/x"};
  Result<AgentConfig> back = ParseAgentConfig(AgentConfigToJson(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->server_url, c.server_url);
  EXPECT_EQ(back->ca_fingerprint, c.ca_fingerprint);
  EXPECT_EQ(back->key_type, "ed25519");
  EXPECT_EQ(back->on_renew, c.on_renew);
  EXPECT_TRUE(back->audit);
  EXPECT_EQ(back->audit_root, "/");
}

TEST(AgentConfigTest, AuditSwitchAndRoot) {
  Result<AgentConfig> c =
      ParseAgentConfig(R"({"server_url": "https://x", "audit": false, "audit_root": "/srv/r"})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->audit);
  EXPECT_EQ(c->audit_root, "/srv/r");
  Result<AgentConfig> back = ParseAgentConfig(AgentConfigToJson(*c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->audit);
  EXPECT_EQ(back->audit_root, "/srv/r");
  EXPECT_NE(ParseAgentConfig(R"({"server_url": "https://x", "audit": "no"})")
                .status()
                .message()
                .find("\"audit\" must be true or false"),
            std::string::npos);
  EXPECT_NE(ParseAgentConfig(R"({"server_url": "https://x", "audit_root": "rel/dir"})")
                .status()
                .message()
                .find("audit_root"),
            std::string::npos);
  EXPECT_FALSE(ParseAgentConfig(R"({"server_url": "https://x", "audit_root": ""})").ok());
  EXPECT_FALSE(ParseAgentConfig(R"({"server_url": "https://x", "audit_root": 3})").ok());
}

TEST(AgentConfigTest, DefaultsForOptionalFields) {
  Result<AgentConfig> c = ParseAgentConfig(R"({"server_url": "https://x"})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->key_type, "p256");
  EXPECT_TRUE(c->on_renew.empty());
}

TEST(AgentConfigTest, BadJsonIsAClearError) {
  struct Case {
    const char* json;
    const char* says;
  } cases[] = {
      {"{not json", "not valid JSON"},
      {"", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {"{}", "\"server_url\" is missing"},
      {R"({"server_url": 5})", "\"server_url\" must be a string"},
      {R"({"server_url": "https://x", "on_renew": "cmd"})", "\"on_renew\" must be a list"},
      {R"({"server_url": "https://x", "on_renew": [1]})", "non-empty strings"},
      {R"({"server_url": "https://x", "key_type": []})", "\"key_type\" must be a string"},
  };
  for (const Case& c : cases) {
    Result<AgentConfig> r = ParseAgentConfig(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos)
        << c.json << " -> " << r.status();
  }
}

TEST(AgentConfigTest, LoadSaysNotEnrolledWhenMissing) {
  testing::TempDir tmp;
  AgentPaths paths(tmp.path());
  Status s = LoadAgentConfig(paths).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("not enrolled"), std::string::npos) << s;
  tmp.Write("agent.json", "{broken");
  s = LoadAgentConfig(paths).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("agent.json"), std::string::npos) << s;
}

TEST(AgentStateTest, RecordsSuccessAndFailure) {
  testing::TempDir tmp;
  AgentPaths paths(tmp.path());
  Result<AgentState> empty = LoadAgentState(paths);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->last_attempt);
  TimePoint t1 = *ParseRfc3339("2026-11-27T10:00:00Z");
  TimePoint t2 = *ParseRfc3339("2026-11-27T11:00:00Z");
  RecordAttempt(paths, t1, Status::Ok());
  RecordAttempt(paths, t2, Unavailable("connection refused by ca:8443"));
  Result<AgentState> s = LoadAgentState(paths);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->last_attempt, t2);
  EXPECT_EQ(s->last_success, t1);
  EXPECT_EQ(s->last_result, "unavailable");
  EXPECT_EQ(s->last_error, "connection refused by ca:8443");
  EXPECT_FALSE(ParseAgentState(R"({"last_attempt": "yesterday"})").ok());
}

TEST(IdentityJsonTest, RoundTripsAndRefusesMissingFields) {
  IdentityInfo info;
  info.device_id = "0123456789abcdef0123456789abcdef.d.wott.local";
  info.serial = "abc";
  info.not_before = *ParseRfc3339("2026-11-27T10:00:00Z");
  info.not_after = *ParseRfc3339("2026-12-04T10:00:00Z");
  info.renew_after = *ParseRfc3339("2026-12-02T02:00:00Z");
  info.recovery_token = "secret";
  Result<IdentityInfo> back = ParseIdentityJson(IdentityToJson(info));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->device_id, info.device_id);
  EXPECT_EQ(back->renew_after, info.renew_after);
  EXPECT_FALSE(ParseIdentityJson(R"({"device_id": "x"})").ok());
  EXPECT_FALSE(ParseIdentityJson("null").ok());
}

}  // namespace
}  // namespace wott::agent
