#include "tunnel/config_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wott::tunnel {
namespace {

using ::testing::HasSubstr;

constexpr char kHex[] = "4853b630822946019393b16c5b710b9e";

TEST(ConfigFileTest, ParsesServerAndClientTunnels) {
  std::string json = std::string(R"({
    "status": "127.0.0.1:9100",
    "crl": {"check": true, "fail_open": true, "refresh": "10m"},
    "tunnels": [
      {"name": "web", "mode": "server", "listen": "0.0.0.0:8443", "target": "127.0.0.1:8080",
       "allow_cn": ["a.example"], "allow_device": [")") +
                     kHex + R"("],
       "idle_timeout": "5m", "max_connections": 10},
      {"mode": "client", "listen": "127.0.0.1:9000", "target": "10.0.0.2:8443",
       "keystore": "/k.pem", "override_server_name": "s.example", "verify_device": [")" +
                     kHex +
                     R"("]}
    ]})";
  Result<ServiceOptions> o = ParseTunnelConfig(json, "/opt/wott/certs");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->status_address, "127.0.0.1:9100");
  EXPECT_TRUE(o->crl_fail_open);
  EXPECT_EQ(o->crl_refresh, std::chrono::minutes(10));
  ASSERT_EQ(o->tunnels.size(), 2u);
  const TunnelConfig& web = o->tunnels[0];
  EXPECT_EQ(web.listener.side, Side::kServer);
  EXPECT_EQ(web.keystore, "/opt/wott/certs/combined.pem");
  EXPECT_EQ(web.cacert, "/opt/wott/certs/ca.crt");
  EXPECT_EQ(web.listener.idle_timeout, std::chrono::minutes(5));
  EXPECT_EQ(web.listener.max_connections, 10);
  EXPECT_THAT(web.rules.common_names, ::testing::ElementsAre("a.example"));
  const TunnelConfig& client = o->tunnels[1];
  EXPECT_EQ(client.listener.name, "tunnel2");
  EXPECT_EQ(client.listener.side, Side::kClient);
  EXPECT_EQ(client.keystore, "/k.pem");
  EXPECT_EQ(client.listener.server_name, "s.example");
  EXPECT_THAT(client.rules.devices, ::testing::ElementsAre(kHex));
}

TEST(ConfigFileTest, ParsesPolicies) {
  Result<ServiceOptions> o = ParseTunnelConfig(R"({"policy": {"refresh": "30s"}, "tunnels": [
      {"mode": "server", "listen": "127.0.0.1:1", "target": "127.0.0.1:2",
       "allow_policy": ["web-app", "ops"]}]})",
                                               "/c");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->policy_refresh, std::chrono::seconds(30));
  EXPECT_THAT(o->tunnels[0].rules.policies, ::testing::ElementsAre("web-app", "ops"));
  Result<ServiceOptions> d = ParseTunnelConfig(R"({"tunnels": [{"mode": "server",
      "listen": "127.0.0.1:1", "target": "127.0.0.1:2", "allow_policy": ["web-app"]}]})",
                                               "/c");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->policy_refresh, std::chrono::seconds(5));
}

TEST(ConfigFileTest, RefusesWhatWouldBeAmbiguousOrWrong) {
  auto err = [](const std::string& json) {
    return ParseTunnelConfig(json, "/c").status().message();
  };
  const std::string head =
      R"({"tunnels": [{"mode": "server", "listen": "127.0.0.1:1", "target": "127.0.0.1:2", )";
  EXPECT_THAT(err("nope"), HasSubstr("not valid JSON"));
  EXPECT_THAT(err("[]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(err(R"({"tunnels": []})"), HasSubstr("non-empty list"));
  EXPECT_THAT(err(head + R"("allow_al": true}]})"), HasSubstr("unknown field 'allow_al'"));
  EXPECT_THAT(err(head + R"("allow_all": "yes"}]})"), HasSubstr("allow_all must be true or false"));
  EXPECT_THAT(err(head + R"("allow_cn": "a"}]})"), HasSubstr("allow_cn must be a list"));
  EXPECT_THAT(err(head + R"("allow_all": true, "idle_timeout": "soon"}]})"),
              HasSubstr("idle_timeout 'soon' is not a duration"));
  EXPECT_THAT(err(head + R"("allow_tag": ["a=b"]}]})"), HasSubstr("use allow_policy"));
  EXPECT_THAT(err(head + R"("allow_policy": ["Web App"]}]})"),
              HasSubstr("'Web App' is not a policy name"));
  EXPECT_THAT(err(head + R"("allow_policy": "web"}]})"), HasSubstr("allow_policy must be a list"));
  EXPECT_THAT(err(R"({"policy": {"refresh": "never"}, "tunnels": [{"mode": "server",
      "listen": "127.0.0.1:1", "target": "127.0.0.1:2", "allow_all": true}]})"),
              HasSubstr("config.policy.refresh 'never'"));
  EXPECT_THAT(err(R"({"policy": {"refres": "5s"}, "tunnels": [{"mode": "server",
      "listen": "127.0.0.1:1", "target": "127.0.0.1:2", "allow_all": true}]})"),
              HasSubstr("unknown field 'refres'"));
  EXPECT_THAT(err(R"({"tunnels": [{"mode": "client", "listen": "127.0.0.1:1",
      "target": "127.0.0.1:2", "allow_policy": ["web"]}]})"),
              HasSubstr("for tunnel server"));
  EXPECT_THAT(err(head + R"("verify_device": ["x"]}]})"), HasSubstr("verify_device is for client"));
  EXPECT_THAT(err(head + R"("name": "t"}]})"), HasSubstr("needs an access rule"));
  EXPECT_THAT(err(R"({"tunnels": [{"mode": "sideways"}]})"), HasSubstr("mode must be"));
  EXPECT_THAT(err(R"({"tunnels": [{"mode": "server", "listen": "127.0.0.1:1",
      "target": "192.0.2.1:80", "allow_all": true}]})"),
              HasSubstr("not on this machine"));
  EXPECT_TRUE(ParseTunnelConfig(R"({"tunnels": [{"mode": "server", "listen": "127.0.0.1:1",
      "target": "192.0.2.1:80", "allow_all": true, "unsafe_target": true}]})",
                                "/c")
                  .ok());
  EXPECT_THAT(err(R"({"tunnels": [{"name": "x", "mode": "server", "listen": "127.0.0.1:1",
      "target": "127.0.0.1:2", "allow_all": true}, {"name": "x", "mode": "server",
      "listen": "127.0.0.1:3", "target": "127.0.0.1:2", "allow_all": true}]})"),
              HasSubstr("used twice"));
  EXPECT_THAT(err(R"({"crl": {"fail_open": true, "check": false}, "tunnels": [{"mode": "server",
      "listen": "127.0.0.1:1", "target": "127.0.0.1:2", "allow_all": true}]})"),
              HasSubstr("cannot be combined"));
}

}  // namespace
}  // namespace wott::tunnel
