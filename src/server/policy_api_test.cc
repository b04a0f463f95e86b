// Trust policies through the real router (AddRoutes), a memory registry and a CA made by
// pki::InitCa: the admin API (/v1/admin/policies: set, show, list, delete, every refusal,
// the event log) and the device API (GET /v1/policies/{name} over mTLS: resolution, ETag and
// 304, the ETag following membership changes, 401/403/404).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "server/enrollment_tokens.h"
#include "server/policy_json.h"
#include "server/routes.h"
#include "server/testing/ca_service_fixture.h"
#include "tests/support/test_ca.h"

namespace wott::server {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class PolicyApiTest : public testing::AdminApiFixture {
 protected:
  void SetUp() override {
    AdminApiFixture::SetUp();
    if (HasFatalFailure()) return;
    reader_ = EnrollTagged({});  // the device that fetches policies
  }

  net::HttpResponse Dispatch(net::HttpRequest request) {
    request.remote_address = "127.0.0.1:40000";
    return router_.Dispatch(request);
  }

  // An admin call with `auth` as the Authorization field (none when empty).
  net::HttpResponse AdminWith(const std::string& auth, const std::string& method,
                              const std::string& target, const std::string& body = "") {
    net::HttpRequest request;
    request.method = method;
    request.target = target;
    const size_t q = target.find('?');
    request.path = target.substr(0, q);
    request.query = q == std::string::npos ? "" : target.substr(q + 1);
    if (!auth.empty()) request.headers.Add("Authorization", auth);
    if (!body.empty()) request.headers.Add("Content-Type", "application/json");
    request.body = body;
    return Dispatch(std::move(request));
  }
  net::HttpResponse Admin(const std::string& method, const std::string& target,
                          const std::string& body = "") {
    return AdminWith("Bearer " + admin_token_, method, target, body);
  }
  net::HttpResponse Put(const std::string& name, const json& body) {
    return Admin("PUT", "/v1/admin/policies/" + name, body.dump());
  }

  // GET /v1/policies/{name} presenting `peer` (none when null), with If-None-Match when given.
  net::HttpResponse Fetch(const std::string& name, X509* peer,
                          const std::string& if_none_match = "") {
    net::HttpRequest request;
    request.method = "GET";
    request.target = request.path = "/v1/policies/" + name;
    if (!if_none_match.empty()) request.headers.Add("If-None-Match", if_none_match);
    if (peer) request.peer_certificate = ossl::UpRef(peer);
    return Dispatch(std::move(request));
  }
  net::HttpResponse Fetch(const std::string& name, const std::string& if_none_match = "") {
    pki::Certificate leaf = Leaf(reader_);
    return Fetch(name, leaf.get(), if_none_match);
  }

  static pki::Certificate Leaf(const IssuedCertificate& issued) {
    Result<std::vector<pki::Certificate>> chain =
        pki::ParseCertificateChainPem(issued.certificate_chain);
    EXPECT_TRUE(chain.ok()) << chain.status();
    if (!chain.ok()) return nullptr;
    return std::move(chain->front());
  }

  static json Body(const net::HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static std::string CodeOf(const net::HttpResponse& r) {
    json j = Body(r);
    if (j.is_discarded() || !j.contains("error")) return "";
    return j["error"]["code"].get<std::string>();
  }
  static std::string MessageOf(const net::HttpResponse& r) {
    json j = Body(r);
    if (j.is_discarded() || !j.contains("error")) return "";
    return j["error"]["message"].get<std::string>();
  }
  static std::string ETagOf(const net::HttpResponse& r) {
    return std::string(r.headers.Get("ETag").value_or(""));
  }

  IssuedCertificate reader_;
};

// ---- Admin API ----

TEST_F(PolicyApiTest, AdminRoutesRefuseRequestsWithoutAValidToken) {
  const char* const routes[][2] = {{"GET", "/v1/admin/policies"},
                                   {"GET", "/v1/admin/policies/web"},
                                   {"PUT", "/v1/admin/policies/web"},
                                   {"DELETE", "/v1/admin/policies/web"}};
  for (const auto& [method, path] : routes) {
    for (std::string auth : {std::string(), "Basic " + admin_token_, "Bearer " + admin_token_ + "x",
                             std::string("Bearer at0.0")}) {
      net::HttpResponse r = AdminWith(auth, method, path, R"({"allow_tags":["a=b"]})");
      EXPECT_EQ(r.status, 401) << method << " " << path << " with '" << auth << "'";
    }
  }
  EXPECT_EQ(store_->GetPolicy("web").status().code(), StatusCode::kNotFound);  // nothing written
}

TEST_F(PolicyApiTest, PutCreatesThenReplacesAndEachChangeIsAnEvent) {
  const IssuedCertificate a = EnrollTagged({});
  net::HttpResponse created =
      Put("web-app", {{"description", "the demo web app"},
                      {"allow_devices", {a.device_name, reader_.device_hex}},
                      {"allow_tags", {"site=paris", "env=prod"}}});
  ASSERT_EQ(created.status, 200) << created.body;
  json j = Body(created);
  EXPECT_EQ(j["name"], "web-app");
  EXPECT_EQ(j["description"], "the demo web app");
  EXPECT_EQ(j["version"], 1);
  std::vector<std::string> ids = {a.device_hex, reader_.device_hex};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(j["allow_devices"], json(ids));  // stored as hex IDs, sorted
  EXPECT_EQ(j["allow_tags"], json({"env=prod", "site=paris"}));
  EXPECT_EQ(j["updated_by"], "admin:" + admin_id_);
  EXPECT_EQ(j["updated_at"], FormatRfc3339(clock_.Now()));

  net::HttpResponse replaced = Put("web-app", {{"allow_tags", {"env=dev"}}});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Body(replaced)["version"], 2);
  EXPECT_EQ(Body(replaced)["allow_devices"], json::array());
  EXPECT_EQ(Body(replaced)["description"], "");

  net::HttpResponse shown = Admin("GET", "/v1/admin/policies/web-app");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(Body(shown), Body(replaced));
  ASSERT_EQ(Put("api", {{"allow_devices", {a.device_hex}}}).status, 200);
  net::HttpResponse list = Admin("GET", "/v1/admin/policies");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Body(list)["policies"].size(), 2u);
  EXPECT_EQ(Body(list)["policies"][0]["name"], "api");
  EXPECT_EQ(Body(list)["policies"][1]["name"], "web-app");
  EXPECT_EQ(list.headers.Get("Cache-Control").value_or(""), "no-store");

  net::HttpResponse deleted = Admin("DELETE", "/v1/admin/policies/web-app");
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(Admin("GET", "/v1/admin/policies/web-app").status, 404);
  net::HttpResponse again = Admin("DELETE", "/v1/admin/policies/web-app");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(CodeOf(again), "not_found");
  const std::string actor = "admin:" + admin_id_;
  EXPECT_EQ(EventsAbout("web-app"),
            (std::vector<std::pair<std::string, std::string>>{
                {"policy.set", actor}, {"policy.set", actor}, {"policy.delete", actor}}));
}

TEST_F(PolicyApiTest, PutRefusesBadInputWithAClearMessageAndWritesNothing) {
  ASSERT_EQ(Put("web", {{"allow_tags", {"env=prod"}}}).status, 200);
  const struct {
    std::string name;
    std::string body;
    std::string message;
  } cases[] = {
      {"Web", R"({"allow_tags":["a=b"]})", "policy name"},
      {"web_app", R"({"allow_tags":["a=b"]})", "policy name"},
      {std::string(64, 'a'), R"({"allow_tags":["a=b"]})", "policy name"},
      {"web", R"({"allow_devices":["not-a-device"]})", "not-a-device"},
      {"web", R"({"allow_devices":["00000000000000000000000000000001.d.other.example"]})",
       "device name"},
      {"web", R"({"allow_devices":["0000000000000000000000000000000G"]})", "hex device ID"},
      {"web", R"({"allow_tags":["env"]})", "key=value"},
      {"web", R"({"allow_tags":["bad key=x"]})", "policy tag key"},
      {"web", R"({"allow_tags":"env=prod"})", "array of strings"},
      {"web", R"({"allow_devices":[1]})", "array of strings"},
      {"web", R"({"allow_tag":["env=prod"]})", "allow_tag"},
      {"web", R"({"description":7})", "description"},
      {"web", R"([1])", "object"},
      {"web", R"({"allow_tags":)", "JSON"},
  };
  for (const auto& c : cases) {
    net::HttpResponse r = Admin("PUT", "/v1/admin/policies/" + c.name, c.body);
    EXPECT_EQ(r.status, 400) << c.name << " " << c.body << ": " << r.body;
    EXPECT_EQ(CodeOf(r), "invalid_argument") << c.body;
    EXPECT_THAT(MessageOf(r), HasSubstr(c.message)) << c.body;
  }
  json too_many = json::array();
  for (int i = 0; i <= 64; ++i) too_many.push_back("k=" + std::to_string(i));
  net::HttpResponse r = Put("web", {{"allow_tags", too_many}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(MessageOf(r), HasSubstr("too many tags"));
  Result<store::PolicyRecord> stored = store_->GetPolicy("web");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->version, 1);
  EXPECT_EQ(stored->allow_tags, (std::vector<std::string>{"env=prod"}));
  EXPECT_EQ(EventsAbout("web").size(), 1u);
  EXPECT_EQ(Admin("GET", "/v1/admin/policies/nope").status, 404);
  EXPECT_EQ(Admin("GET", "/v1/admin/policies/No%20pe").status, 400);
}

// ---- Device API ----

TEST_F(PolicyApiTest, ServesTheResolvedPolicyWithAnETagAnd304WhenUnchanged) {
  const IssuedCertificate listed = EnrollTagged({});
  const IssuedCertificate tagged = EnrollTagged({{"env", "prod"}});
  EnrollTagged({{"env", "dev"}});  // not allowed
  ASSERT_EQ(
      Put("web", {{"allow_devices", {listed.device_name}}, {"allow_tags", {"env=prod"}}}).status,
      200);
  net::HttpResponse r = Fetch("web");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Body(r);
  std::vector<std::string> names = {listed.device_name, tagged.device_name};
  std::sort(names.begin(), names.end());
  EXPECT_EQ(j["name"], "web");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["allowed_devices"], json(names));
  EXPECT_EQ(j["generated_at"], FormatRfc3339(clock_.Now()));
  EXPECT_EQ(j["refused_devices"], json::array());  // no posture requirements
  EXPECT_EQ(j.size(), 5u);
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  const std::string etag = ETagOf(r);
  ASSERT_EQ(etag.size(), 66u) << etag;  // quoted SHA-256 hex
  EXPECT_EQ(etag.front(), '"');

  // Unchanged: 304 with no body, whatever the time; a list or a weak tag also match.
  clock_.Advance(std::chrono::minutes(5));
  for (std::string header : {etag, "\"x\", " + etag, "W/" + etag, std::string("*")}) {
    net::HttpResponse same = Fetch("web", header);
    EXPECT_EQ(same.status, 304) << header;
    EXPECT_TRUE(same.body.empty());
    EXPECT_EQ(ETagOf(same), etag);
  }
  // Another tag: the full answer.
  for (std::string header : {std::string("\"abc\""), etag.substr(1, 64)}) {
    EXPECT_EQ(Fetch("web", header).status, 200) << header;
  }
}

TEST_F(PolicyApiTest, TheETagFollowsMembershipAndPolicyChanges) {
  ASSERT_EQ(Put("web", {{"allow_tags", {"env=prod"}}}).status, 200);
  const std::string before = ETagOf(Fetch("web"));
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(ETagOf(Fetch("web")), before);  // stable while nothing changes

  // A tagged device enrolls: same version, new member, new ETag.
  const IssuedCertificate tagged = EnrollTagged({{"env", "prod"}});
  net::HttpResponse enrolled = Fetch("web", before);
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  EXPECT_EQ(Body(enrolled)["version"], 1);
  EXPECT_EQ(Body(enrolled)["allowed_devices"], json({tagged.device_name}));
  const std::string with_device = ETagOf(enrolled);
  EXPECT_NE(with_device, before);

  // It is revoked: out again.
  ASSERT_TRUE(store_
                  ->RevokeDevice(tagged.device_hex, store::RevocationReason::kKeyCompromise, "test",
                                 clock_.Now())
                  .ok());
  net::HttpResponse revoked = Fetch("web", with_device);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(Body(revoked)["allowed_devices"], json::array());
  EXPECT_NE(ETagOf(revoked), with_device);

  // A tag change brings the reader in; then a policy change bumps the version.
  ASSERT_TRUE(store_->SetTags(reader_.device_hex, {{"env", "prod"}}, "test", clock_.Now()).ok());
  net::HttpResponse retagged = Fetch("web", ETagOf(revoked));
  ASSERT_EQ(retagged.status, 200);
  EXPECT_EQ(Body(retagged)["allowed_devices"], json({reader_.device_name}));
  ASSERT_EQ(Put("web", {{"allow_tags", {"env=prod"}}, {"description", "same members"}}).status,
            200);
  net::HttpResponse bumped = Fetch("web", ETagOf(retagged));
  ASSERT_EQ(bumped.status, 200);
  EXPECT_EQ(Body(bumped)["version"], 2);
  EXPECT_NE(ETagOf(bumped), ETagOf(retagged));
}

TEST_F(PolicyApiTest, DeviceApiRefusesWithoutAnActiveDeviceCertificate) {
  ASSERT_EQ(Put("web", {{"allow_tags", {"env=prod"}}}).status, 200);
  net::HttpResponse none = Fetch("web", nullptr);
  EXPECT_EQ(none.status, 401) << none.body;
  EXPECT_EQ(CodeOf(none), "unauthenticated");

  wott::testing::TestCa foreign(&clock_);
  wott::testing::TestCa::Leaf stranger = foreign.IssueDevice();
  EXPECT_EQ(Fetch("web", stranger.cert.get()).status, 401);

  // The admin token is no device credential.
  net::HttpRequest bearer;
  bearer.method = "GET";
  bearer.target = bearer.path = "/v1/policies/web";
  bearer.headers.Add("Authorization", "Bearer " + admin_token_);
  EXPECT_EQ(Dispatch(std::move(bearer)).status, 401);

  const IssuedCertificate revoked = EnrollTagged({{"env", "prod"}});
  ASSERT_TRUE(store_
                  ->RevokeDevice(revoked.device_hex, store::RevocationReason::kUnspecified, "test",
                                 clock_.Now())
                  .ok());
  pki::Certificate revoked_leaf = Leaf(revoked);
  net::HttpResponse r = Fetch("web", revoked_leaf.get());
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(CodeOf(r), "device_revoked");

  const IssuedCertificate deleted = EnrollTagged({});
  ASSERT_TRUE(store_->DeleteDevice(deleted.device_hex, "test", clock_.Now()).ok());
  pki::Certificate deleted_leaf = Leaf(deleted);
  net::HttpResponse d = Fetch("web", deleted_leaf.get());
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(CodeOf(d), "device_deleted");

  // One revoked certificate of an active device.
  const IssuedCertificate one = EnrollTagged({});
  ASSERT_TRUE(store_
                  ->RevokeCertificate(one.serial, store::RevocationReason::kKeyCompromise, "test",
                                      clock_.Now())
                  .ok());
  pki::Certificate one_leaf = Leaf(one);
  net::HttpResponse c = Fetch("web", one_leaf.get());
  EXPECT_EQ(c.status, 403);
  EXPECT_EQ(CodeOf(c), "certificate_revoked");

  // An active device is served.
  EXPECT_EQ(Fetch("web").status, 200);
}

TEST_F(PolicyApiTest, DeviceApiAnswers404ForUnknownAnd400ForMalformedNames) {
  net::HttpResponse unknown = Fetch("nope");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(CodeOf(unknown), "not_found");
  net::HttpResponse bad = Fetch("Bad_Name");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(CodeOf(bad), "invalid_argument");
  // Deleted: 404 again.
  ASSERT_EQ(Put("web", json::object()).status, 200);
  EXPECT_EQ(Fetch("web").status, 200);
  ASSERT_EQ(Admin("DELETE", "/v1/admin/policies/web").status, 204);
  EXPECT_EQ(Fetch("web").status, 404);
}

TEST(IfNoneMatchTest, MatchesListsWeakTagsAndStarOnly) {
  EXPECT_TRUE(IfNoneMatchMatches("\"a\"", "\"a\""));
  EXPECT_TRUE(IfNoneMatchMatches(" \"b\" , \"a\"", "\"a\""));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"a\"", "\"a\""));
  EXPECT_TRUE(IfNoneMatchMatches("*", "\"a\""));
  EXPECT_FALSE(IfNoneMatchMatches("\"b\"", "\"a\""));
  EXPECT_FALSE(IfNoneMatchMatches("a", "\"a\""));
  EXPECT_FALSE(IfNoneMatchMatches("", "\"a\""));
  EXPECT_FALSE(IfNoneMatchMatches("\"a\"x", "\"a\""));
}

}  // namespace
}  // namespace wott::server
