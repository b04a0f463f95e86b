#include "tunnel/peer_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_ca.h"
#include "tunnel/metrics.h"

// Designated initializers name only the rules a test uses.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wott::tunnel {
namespace {

using ::testing::HasSubstr;
using wott::testing::TestCa;

PeerPolicy MustCreate(PeerRules rules) {
  Result<PeerPolicy> p = PeerPolicy::Create(std::move(rules));
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(*p);
}

class PeerPolicyTest : public ::testing::Test {
 protected:
  TestCa ca_{&RealClock::Instance()};
  TestCa::Leaf a_ = ca_.IssueDevice();
  TestCa::Leaf b_ = ca_.IssueDevice();
  PeerIdentity peer_a_ = IdentityOf(a_.cert.get(), "wott.local");
  PeerIdentity peer_b_ = IdentityOf(b_.cert.get(), "wott.local");
};

TEST_F(PeerPolicyTest, IdentityOfReadsDeviceCertificate) {
  EXPECT_EQ(peer_a_.common_name, a_.id.Name("wott.local"));
  ASSERT_TRUE(peer_a_.device_hex.has_value());
  EXPECT_EQ(*peer_a_.device_hex, a_.id.hex());
  EXPECT_THAT(peer_a_.dns_names, ::testing::ElementsAre(a_.id.Name("wott.local")));
  EXPECT_THAT(peer_a_.uris, ::testing::ElementsAre(a_.id.SpiffeUri("wott.local")));
  EXPECT_THAT(peer_a_.Describe(), HasSubstr("CN=" + a_.id.Name("wott.local")));
  // Another domain: not a device of ours.
  EXPECT_FALSE(IdentityOf(a_.cert.get(), "other.example").device_hex.has_value());
}

TEST_F(PeerPolicyTest, AllowCnMatchesExactlyThatCn) {
  PeerPolicy p = MustCreate({.common_names = {a_.id.Name("wott.local")}});
  EXPECT_TRUE(p.Evaluate(peer_a_).allowed);
  Decision d = p.Evaluate(peer_b_);
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.reason, HasSubstr("no allow rule"));
  // No prefix, suffix or case games.
  PeerIdentity tricky = peer_a_;
  tricky.common_name = a_.id.Name("wott.local") + ".evil";
  tricky.device_hex.reset();
  tricky.dns_names.clear();
  tricky.uris.clear();
  EXPECT_FALSE(p.Evaluate(tricky).allowed);
  tricky.common_name = "CN=" + a_.id.Name("wott.local");
  EXPECT_FALSE(p.Evaluate(tricky).allowed);
}

TEST_F(PeerPolicyTest, AllowDeviceTakesHexOrNameAndUsesTheParsedId) {
  PeerPolicy by_hex = MustCreate({.devices = {a_.id.hex()}});
  EXPECT_TRUE(by_hex.Evaluate(peer_a_).allowed);
  EXPECT_FALSE(by_hex.Evaluate(peer_b_).allowed);
  PeerPolicy by_name = MustCreate({.devices = {a_.id.Name("wott.local")}});
  EXPECT_TRUE(by_name.Evaluate(peer_a_).allowed);
  EXPECT_FALSE(by_name.Evaluate(peer_b_).allowed);
  // A CN that merely contains the hex is not that device.
  PeerIdentity fake;
  fake.common_name = "x" + a_.id.hex();
  EXPECT_FALSE(by_hex.Evaluate(fake).allowed);
}

TEST_F(PeerPolicyTest, AllowUriAndDns) {
  PeerPolicy uri = MustCreate({.uris = {a_.id.SpiffeUri("wott.local")}});
  EXPECT_TRUE(uri.Evaluate(peer_a_).allowed);
  EXPECT_FALSE(uri.Evaluate(peer_b_).allowed);
  PeerPolicy dns = MustCreate({.dns_names = {b_.id.Name("wott.local")}});
  EXPECT_TRUE(dns.Evaluate(peer_b_).allowed);
  EXPECT_FALSE(dns.Evaluate(peer_a_).allowed);
}

TEST_F(PeerPolicyTest, RulesAreOred) {
  PeerPolicy p = MustCreate({.common_names = {"someone-else"}, .devices = {b_.id.hex()}});
  EXPECT_TRUE(p.Evaluate(peer_b_).allowed);
  EXPECT_FALSE(p.Evaluate(peer_a_).allowed);
}

TEST_F(PeerPolicyTest, AllowAllAllowsAnyVerifiedPeer) {
  PeerPolicy p = MustCreate({.allow_all = true});
  EXPECT_TRUE(p.Evaluate(peer_a_).allowed);
  EXPECT_TRUE(p.Evaluate(PeerIdentity{}).allowed);
}

// A policy view holding `hex` devices at `version`.
std::shared_ptr<PolicyView> ViewOf(std::vector<std::string> hex, int64_t version = 1) {
  auto view = std::make_shared<PolicyView>();
  auto s = std::make_shared<PolicySnapshot>();
  s->name = "web-app";
  s->version = version;
  s->device_hex.insert(hex.begin(), hex.end());
  view->Set(std::move(s));
  return view;
}

TEST_F(PeerPolicyTest, AllowPolicyFollowsTheViewWithoutANewPolicy) {
  auto view = ViewOf({a_.id.hex()});
  Result<PeerPolicy> p = PeerPolicy::Create({.policies = {"web-app"}}, {{"web-app", view}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  Decision d = p->Evaluate(peer_a_);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason, "allow-policy web-app v1");
  EXPECT_FALSE(p->Evaluate(peer_b_).allowed);
  // The server's list changes: the same PeerPolicy now decides by the new set.
  view->Set(ViewOf({b_.id.hex()}, 2)->Current());
  EXPECT_FALSE(p->Evaluate(peer_a_).allowed);
  EXPECT_TRUE(p->Evaluate(peer_b_).allowed);
  // A peer with no device ID is never in a policy.
  PeerIdentity not_a_device = peer_b_;
  not_a_device.device_hex.reset();
  EXPECT_FALSE(p->Evaluate(not_a_device).allowed);
}

TEST_F(PeerPolicyTest, AllowPolicyBeforeTheFirstFetchAllowsNobody) {
  auto never_fetched = std::make_shared<PolicyView>();
  Result<PeerPolicy> p =
      PeerPolicy::Create({.policies = {"web-app"}}, {{"web-app", never_fetched}});
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->Evaluate(peer_a_).allowed);
  // No view at all (as ValidateServiceOptions builds it): nobody either.
  Result<PeerPolicy> bare = PeerPolicy::Create({.policies = {"web-app"}});
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->Evaluate(peer_a_).allowed);
}

TEST_F(PeerPolicyTest, SeveralPoliciesAndOtherRulesAreOred) {
  Result<PeerPolicy> p = PeerPolicy::Create({.devices = {b_.id.hex()}, .policies = {"one", "two"}},
                                            {{"one", ViewOf({})}, {"two", ViewOf({a_.id.hex()})}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Evaluate(peer_a_).reason, "allow-policy two v1");
  EXPECT_EQ(p->Evaluate(peer_b_).reason, "allow-device " + b_.id.hex());
  TestCa::Leaf c = ca_.IssueDevice();
  EXPECT_FALSE(p->Evaluate(IdentityOf(c.cert.get(), "wott.local")).allowed);
}

TEST_F(PeerPolicyTest, APostureRefusalCarriesTheServersReason) {
  auto view = ViewOf({a_.id.hex()});
  auto s = std::make_shared<PolicySnapshot>(*view->Current());
  s->refused[b_.id.hex()] = "trust score 42 < 60";
  view->Set(s);
  Result<PeerPolicy> p = PeerPolicy::Create({.policies = {"web-app"}}, {{"web-app", view}});
  ASSERT_TRUE(p.ok());
  Decision d = p->Evaluate(peer_b_);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.posture);
  EXPECT_EQ(d.reason, "posture: trust score 42 < 60 (policy web-app)");
  // Allowed peers and peers the policy does not know are not posture refusals.
  EXPECT_FALSE(p->Evaluate(peer_a_).posture);
  TestCa::Leaf c = ca_.IssueDevice();
  Decision other = p->Evaluate(IdentityOf(c.cert.get(), "wott.local"));
  EXPECT_FALSE(other.allowed);
  EXPECT_FALSE(other.posture);
  EXPECT_EQ(other.reason, "no allow rule matches the peer");
  // Another rule that allows the peer wins over the refusal.
  Result<PeerPolicy> also =
      PeerPolicy::Create({.devices = {b_.id.hex()}, .policies = {"web-app"}}, {{"web-app", view}});
  ASSERT_TRUE(also.ok());
  EXPECT_TRUE(also->Evaluate(peer_b_).allowed);
  // The next snapshot no longer refuses B: a plain policy denial again.
  view->Set(ViewOf({a_.id.hex()}, 2)->Current());
  EXPECT_FALSE(p->Evaluate(peer_b_).posture);
}

TEST(DenyReasonTest, PostureHasItsOwnLabel) {
  EXPECT_EQ(DenyReasonLabel(DenyReason::kPosture), "posture");
  EXPECT_EQ(DenyReasonLabel(DenyReason::kPolicy), "policy");
  std::string text = ListenerMetrics::RenderAll({{"web", std::make_shared<ListenerMetrics>()}});
  EXPECT_THAT(
      text,
      HasSubstr(R"(wott_tunnel_connections_denied_total{listener="web",reason="posture"} 0)"));
  auto counted = std::make_shared<ListenerMetrics>();
  counted->CountDenied(DenyReason::kPosture);
  EXPECT_THAT(
      ListenerMetrics::RenderAll({{"web", counted}}),
      HasSubstr(R"(wott_tunnel_connections_denied_total{listener="web",reason="posture"} 1)"));
  EXPECT_EQ(counted->denied(DenyReason::kPolicy), 0u);
}

TEST(PeerPolicyCreateTest, RefusesBadRuleSets) {
  EXPECT_THAT(PeerPolicy::Create({.policies = {"Web App"}}).status().message(),
              HasSubstr("--allow-policy 'Web App' is not a policy name"));
  EXPECT_THAT(PeerPolicy::Create({.allow_all = true, .policies = {"web"}}).status().message(),
              HasSubstr("--allow-all cannot be combined"));
  EXPECT_THAT(PeerPolicy::Create({}).status().message(), HasSubstr("no access rule"));
  EXPECT_THAT(PeerPolicy::Create({.allow_all = true, .common_names = {"a"}}).status().message(),
              HasSubstr("--allow-all cannot be combined"));
  EXPECT_THAT(PeerPolicy::Create({.common_names = {""}}).status().message(),
              HasSubstr("--allow-cn needs a value"));
  EXPECT_THAT(PeerPolicy::Create({.devices = {"ABC"}}).status().message(),
              HasSubstr("--allow-device 'ABC' is not a device ID"));
  EXPECT_FALSE(PeerPolicy::Create({.allow_all = true, .domain = "bad domain"}).ok());
}

}  // namespace
}  // namespace wott::tunnel
