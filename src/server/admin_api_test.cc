// The admin API driven through the real router (AddRoutes), a memory registry and a CA
// made by pki::InitCa: authentication, every route, every 400/401/404/409 path, paging and
// filters, and what each change leaves in the registry and the event log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "base/encoding.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "server/enrollment_tokens.h"
#include "server/routes.h"
#include "server/testing/ca_service_fixture.h"
#include "tests/support/test_ca.h"

namespace wott::server {
namespace {

using nlohmann::json;
using std::chrono::hours;
using ::testing::HasSubstr;

const TimePoint kStart = testing::kFixtureStart;

class AdminApiTest : public testing::AdminApiFixture {
 protected:
  // Dispatches `method target` with `body` (JSON when not empty) and the Authorization
  // field `auth` (none when empty).
  net::HttpResponse CallWith(const std::string& auth, const std::string& method,
                             const std::string& target, const std::string& body = "") {
    net::HttpRequest request;
    request.method = method;
    request.target = target;
    size_t q = target.find('?');
    request.path = target.substr(0, q);
    request.query = q == std::string::npos ? "" : target.substr(q + 1);
    request.headers.Add("Host", "ca.example.com:8443");
    if (!auth.empty()) request.headers.Add("Authorization", auth);
    if (!body.empty()) request.headers.Add("Content-Type", "application/json");
    request.body = body;
    request.remote_address = "127.0.0.1:40000";
    return router_.Dispatch(request);
  }
  net::HttpResponse Call(const std::string& method, const std::string& target,
                         const std::string& body = "") {
    return CallWith("Bearer " + admin_token_, method, target, body);
  }
  // The JSON body of a call that must answer `status`.
  json Expect(int status, const std::string& method, const std::string& target,
              const std::string& body = "") {
    net::HttpResponse r = Call(method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << ": " << r.body;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  // The error message of a call that must fail with `status`.
  std::string ErrorOf(int status, const std::string& method, const std::string& target,
                      const std::string& body = "") {
    json j = Expect(status, method, target, body);
    if (!j.contains("error")) return "(no error object) " + j.dump();
    return j["error"]["message"].get<std::string>();
  }

  std::string Actor() const { return "admin:" + admin_id_; }
};

// ---- Authentication ----

const char* const kAdminRoutes[][2] = {
    {"GET", "/v1/admin/devices"},
    {"GET", "/v1/admin/devices/00000000000000000000000000000000"},
    {"DELETE", "/v1/admin/devices/00000000000000000000000000000000"},
    {"POST", "/v1/admin/devices/00000000000000000000000000000000/revoke"},
    {"PUT", "/v1/admin/devices/00000000000000000000000000000000/tags"},
    {"PUT", "/v1/admin/devices/00000000000000000000000000000000/metadata"},
    {"GET", "/v1/admin/tokens"},
    {"POST", "/v1/admin/tokens"},
    {"DELETE", "/v1/admin/tokens/et0"},
    {"GET", "/v1/admin/api-tokens"},
    {"POST", "/v1/admin/api-tokens"},
    {"DELETE", "/v1/admin/api-tokens/at0"},
    {"GET", "/v1/admin/events"},
};

TEST_F(AdminApiTest, EveryAdminRouteRefusesRequestsWithoutAValidToken) {
  for (const auto& [method, path] : kAdminRoutes) {
    for (std::string auth : {std::string(), "Basic " + admin_token_, std::string("Bearer"),
                             std::string("Bearer "), "Bearer " + admin_token_ + "x",
                             "Bearer " + admin_token_ + " extra", std::string("Bearer at0.0")}) {
      net::HttpResponse r = CallWith(auth, method, path, "{}");
      EXPECT_EQ(r.status, 401) << method << " " << path << " with '" << auth << "'";
      EXPECT_EQ(r.headers.Get("WWW-Authenticate").value_or(""), "Bearer realm=\"wott-admin\"");
      EXPECT_THAT(r.body, HasSubstr("\"code\":\"unauthenticated\""));
    }
  }
  // Nothing was changed by any of them.
  EXPECT_EQ(store_->ListApiTokens()->size(), 1u);
  EXPECT_EQ(store_->ListEnrollmentTokens({}, clock_.Now())->size(), 0u);
}

TEST_F(AdminApiTest, AValidTokenIsAcceptedWithAnyCaseOfTheScheme) {
  for (std::string scheme : {"Bearer ", "bearer ", "BEARER  "}) {
    net::HttpResponse r = CallWith(scheme + admin_token_, "GET", "/v1/admin/devices");
    EXPECT_EQ(r.status, 200) << scheme << r.body;
    EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
    EXPECT_FALSE(r.headers.Has("WWW-Authenticate"));
  }
  // Public routes need no token.
  EXPECT_EQ(CallWith("", "GET", "/healthz").status, 200);
}

TEST_F(AdminApiTest, RevokedAndExpiredApiTokensAreRefused) {
  ASSERT_EQ(Call("GET", "/v1/admin/devices").status, 200);
  ASSERT_TRUE(store_->RevokeApiToken(admin_id_, "test", clock_.Now()).ok());
  EXPECT_EQ(Call("GET", "/v1/admin/devices").status, 401);

  store::NewApiToken expiring;
  expiring.id = "atexpiring";
  expiring.name = "short";
  expiring.token_hash = CaService::HashToken("atexpiring.secret");
  expiring.expires_at = clock_.Now() + hours(1);
  expiring.created_by = "test";
  ASSERT_TRUE(store_->CreateApiToken(expiring, clock_.Now()).ok());
  EXPECT_EQ(CallWith("Bearer atexpiring.secret", "GET", "/v1/admin/devices").status, 200);
  clock_.Advance(hours(1));
  EXPECT_EQ(CallWith("Bearer atexpiring.secret", "GET", "/v1/admin/devices").status, 401);
}

TEST_F(AdminApiTest, UnknownAdminPathsAndMethodsAreRouterErrors) {
  EXPECT_EQ(Call("GET", "/v1/admin/nope").status, 404);
  net::HttpResponse r = Call("PATCH", "/v1/admin/devices");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.Get("Allow").value_or(""), "GET");
}

// ---- Devices: list ----

TEST_F(AdminApiTest, ListPagesCoverEveryDeviceOnceInOrder) {
  std::set<std::string> enrolled;
  for (int i = 0; i < 5; ++i) {
    enrolled.insert(EnrollTagged().device_hex);
    clock_.Advance(std::chrono::seconds(10));
  }
  std::vector<std::string> seen;
  for (int offset = 0; offset < 6; offset += 2) {
    json page =
        Expect(200, "GET", "/v1/admin/devices?sort=id&limit=2&offset=" + std::to_string(offset));
    EXPECT_EQ(page["total"], 5);
    EXPECT_EQ(page["limit"], 2);
    EXPECT_EQ(page["offset"], offset);
    for (const json& d : page["devices"]) seen.push_back(d["hex"]);
  }
  EXPECT_EQ(seen, std::vector<std::string>(enrolled.begin(), enrolled.end()));  // ascending

  json desc = Expect(200, "GET", "/v1/admin/devices?sort=id&order=desc&limit=1");
  EXPECT_EQ(desc["devices"][0]["hex"], *enrolled.rbegin());
  // Default: newest first.
  json newest = Expect(200, "GET", "/v1/admin/devices?limit=5");
  ASSERT_EQ(newest["devices"].size(), 5u);
  EXPECT_GE(newest["devices"][0]["created_at"], newest["devices"][4]["created_at"]);
  EXPECT_NE(newest["devices"][0]["created_at"], newest["devices"][4]["created_at"]);
  EXPECT_EQ(Expect(200, "GET", "/v1/admin/devices?offset=5")["devices"].size(), 0u);
}

TEST_F(AdminApiTest, ListFiltersByStatusTagAndPrefix) {
  IssuedCertificate paris = EnrollTagged({{"site", "paris"}, {"role", "cam"}});
  IssuedCertificate lyon = EnrollTagged({{"site", "lyon"}});
  IssuedCertificate bare = EnrollTagged();
  ASSERT_TRUE(
      store_
          ->RevokeDevice(lyon.device_hex, store::RevocationReason::kUnspecified, "t", clock_.Now())
          .ok());

  auto hexes = [&](const std::string& query) {
    std::set<std::string> out;
    json page = Expect(200, "GET", "/v1/admin/devices?" + query);
    for (const json& d : page["devices"]) out.insert(d["hex"]);
    EXPECT_EQ(page["total"], out.size()) << query;
    return out;
  };
  using Set = std::set<std::string>;
  EXPECT_EQ(hexes("status=active"), (Set{paris.device_hex, bare.device_hex}));
  EXPECT_EQ(hexes("status=revoked"), Set{lyon.device_hex});
  EXPECT_EQ(hexes("status=deleted"), Set{});
  EXPECT_EQ(hexes("tag=site=paris"), Set{paris.device_hex});
  EXPECT_EQ(hexes("tag=site%3Dparis"), Set{paris.device_hex});
  EXPECT_EQ(hexes("tag=site"), (Set{paris.device_hex, lyon.device_hex}));
  EXPECT_EQ(hexes("tag=site&tag=role=cam"), Set{paris.device_hex});
  EXPECT_EQ(hexes("tag=site=paris&tag=role=dog"), Set{});
  EXPECT_EQ(hexes("tag=site&status=active"), Set{paris.device_hex});
  EXPECT_EQ(hexes("q=" + bare.device_hex.substr(0, 12)), Set{bare.device_hex});
  EXPECT_EQ(hexes("q=" + bare.device_name), Set{bare.device_hex});
  EXPECT_EQ(hexes("q=zz"), Set{});
}

TEST_F(AdminApiTest, ListRefusesEveryBadParameterNamingIt) {
  const std::pair<const char*, const char*> kBad[] = {
      {"status=bogus", "status"},
      {"limit=0", "limit"},
      {"limit=1001", "limit"},
      {"limit=abc", "limit"},
      {"limit=", "limit"},
      {"offset=-1", "offset"},
      {"offset=1e3", "offset"},
      {"sort=color", "sort"},
      {"order=up", "order"},
      {"tag==x", "tag"},
      {"tag=bad%20key", "tag"},
      {"color=red", "color"},
      {"limit=1&limit=2", "limit"},
      {"q=%zz", "percent-encoding"},
      {"offset=99999999999999999999", "offset"},
  };
  for (const auto& [query, name] : kBad) {
    EXPECT_THAT(ErrorOf(400, "GET", std::string("/v1/admin/devices?") + query), HasSubstr(name))
        << query;
  }
}

// ---- Devices: show ----

TEST_F(AdminApiTest, ShowReturnsTheDeviceWithItsCertificateHistory) {
  IssuedCertificate first = EnrollTagged({{"site", "paris"}});
  clock_.Advance(std::chrono::days(5));
  pki::Certificate leaf = std::move((*pki::ParseCertificateChainPem(first.certificate_chain))[0]);
  Result<IssuedCertificate> renewed = service_->Renew(leaf.get(), NewCsr());
  ASSERT_TRUE(renewed.ok()) << renewed.status();

  for (const std::string& ref : {first.device_hex, first.device_name}) {
    json d = Expect(200, "GET", "/v1/admin/devices/" + ref);
    EXPECT_EQ(d["id"], first.device_name);
    EXPECT_EQ(d["hex"], first.device_hex);
    EXPECT_EQ(d["status"], "active");
    EXPECT_EQ(d["tags"], (json{{"site", "paris"}}));
    EXPECT_EQ(d["current_certificate"]["serial"], renewed->serial);
    EXPECT_TRUE(d["revoked_at"].is_null());
    EXPECT_TRUE(d["last_seen"].is_null());
    ASSERT_EQ(d["certificates"].size(), 2u);
    EXPECT_EQ(d["certificates"][0]["serial"], renewed->serial);  // newest first
    EXPECT_EQ(d["certificates"][0]["current"], true);
    EXPECT_EQ(d["certificates"][0]["state"], "valid");
    EXPECT_EQ(d["certificates"][1]["serial"], first.serial);
    EXPECT_EQ(d["certificates"][1]["current"], false);
    EXPECT_FALSE(d["certificates"][1].contains("pem"));
  }
  EXPECT_EQ(Expect(200, "GET", "/v1/admin/devices/" + first.device_hex + "?limit=1")["certificates"]
                .size(),
            1u);
  clock_.Advance(std::chrono::days(8));
  EXPECT_EQ(Expect(200, "GET", "/v1/admin/devices/" + first.device_hex)["certificates"][1]["state"],
            "expired");
}

// DeviceRecord carries the recovery hashes for db export only: the admin API (and so the
// CLI's --json, which renders the same way) never shows them.
TEST_F(AdminApiTest, DeviceJsonNeverContainsRecoveryTokenHashes) {
  IssuedCertificate first = EnrollTagged();
  pki::Certificate leaf = std::move((*pki::ParseCertificateChainPem(first.certificate_chain))[0]);
  ASSERT_TRUE(service_->Renew(leaf.get(), NewCsr()).ok());
  Result<store::DeviceRecord> record = store_->GetDevice(first.device_hex);
  ASSERT_TRUE(record.ok()) << record.status();
  // Both generations are held, so there is something that could leak.
  ASSERT_FALSE(record->recovery_token_hash.empty());
  ASSERT_EQ(record->previous_recovery_token_hash, CaService::HashToken(first.recovery_token));

  for (const std::string& target :
       {"/v1/admin/devices/" + first.device_hex, std::string("/v1/admin/devices")}) {
    net::HttpResponse r = Call("GET", target);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr(record->recovery_token_hash))) << target;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr(record->previous_recovery_token_hash))) << target;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("recovery"))) << target;
  }
}

TEST_F(AdminApiTest, ShowRefusesMalformedAndUnknownDevices) {
  IssuedCertificate d = EnrollTagged();
  std::string other_domain = d.device_hex + ".d.example.org";
  EXPECT_THAT(ErrorOf(404, "GET", "/v1/admin/devices/" + other_domain), HasSubstr("device"));
  ErrorOf(404, "GET", "/v1/admin/devices/ffffffffffffffffffffffffffffffff");
  for (std::string bad : {std::string("xyz"), d.device_hex.substr(0, 31),
                          std::string("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"), d.device_hex + ".d.",
                          d.device_hex + "0"}) {
    EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/devices/" + bad), HasSubstr("hex ID")) << bad;
  }
  EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/devices/" + d.device_hex + "?limit=0"),
              HasSubstr("limit"));
  EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/devices/" + d.device_hex + "?full=1"),
              HasSubstr("full"));
}

// ---- Devices: revoke, delete ----

TEST_F(AdminApiTest, RevokeWithReasonReachesTheCrlListAndTheEventLog) {
  IssuedCertificate d = EnrollTagged();
  IssuedCertificate other = EnrollTagged();
  json r = Expect(200, "POST", "/v1/admin/devices/" + d.device_name + "/revoke",
                  R"({"reason":"key_compromise"})");
  EXPECT_EQ(r["status"], "revoked");
  EXPECT_EQ(r["revocation_reason"], "key_compromise");
  EXPECT_FALSE(r["revoked_at"].is_null());

  std::vector<store::RevokedCertificate> crl = *store_->ListRevokedCertificates(clock_.Now());
  ASSERT_EQ(crl.size(), 1u);
  EXPECT_EQ(crl[0].serial, d.serial);
  EXPECT_EQ(crl[0].reason, store::RevocationReason::kKeyCompromise);
  EXPECT_EQ(store_->GetDevice(other.device_hex)->status, store::DeviceStatus::kActive);
  EXPECT_EQ(EventsAbout(d.device_hex).back(),
            std::make_pair(std::string("device.revoke"), Actor()));
  // Revoking again succeeds and changes nothing.
  EXPECT_EQ(Expect(200, "POST", "/v1/admin/devices/" + d.device_hex + "/revoke",
                   R"({"reason":"superseded"})")["revocation_reason"],
            "key_compromise");
}

TEST_F(AdminApiTest, RevokeWithoutBodyUsesUnspecified) {
  IssuedCertificate d = EnrollTagged();
  EXPECT_EQ(
      Expect(200, "POST", "/v1/admin/devices/" + d.device_hex + "/revoke")["revocation_reason"],
      "unspecified");
}

TEST_F(AdminApiTest, RevokeRefusesBadInputAndChangesNothing) {
  IssuedCertificate d = EnrollTagged();
  std::string path = "/v1/admin/devices/" + d.device_hex + "/revoke";
  EXPECT_THAT(ErrorOf(400, "POST", path, R"({"reason":"bored"})"), HasSubstr("revocation reason"));
  EXPECT_THAT(ErrorOf(400, "POST", path, R"({"reason":5})"), HasSubstr("reason"));
  EXPECT_THAT(ErrorOf(400, "POST", path, R"({"reasn":"superseded"})"), HasSubstr("reasn"));
  EXPECT_THAT(ErrorOf(400, "POST", path, "[1]"), HasSubstr("object"));
  EXPECT_THAT(ErrorOf(400, "POST", path, "{"), HasSubstr("JSON"));
  EXPECT_EQ(store_->GetDevice(d.device_hex)->status, store::DeviceStatus::kActive);
  EXPECT_TRUE(store_->ListRevokedCertificates(clock_.Now())->empty());
  ErrorOf(404, "POST", "/v1/admin/devices/ffffffffffffffffffffffffffffffff/revoke");
  // A deleted device cannot be revoked any more.
  ASSERT_TRUE(store_->DeleteDevice(d.device_hex, "t", clock_.Now()).ok());
  ErrorOf(409, "POST", path, R"({"reason":"superseded"})");
}

TEST_F(AdminApiTest, DeleteRevokesEveryCertificateAndKeepsTheRecord) {
  IssuedCertificate d = EnrollTagged();
  json r = Expect(200, "DELETE", "/v1/admin/devices/" + d.device_hex);
  EXPECT_EQ(r["status"], "deleted");
  std::vector<store::RevokedCertificate> crl = *store_->ListRevokedCertificates(clock_.Now());
  ASSERT_EQ(crl.size(), 1u);
  EXPECT_EQ(crl[0].reason, store::RevocationReason::kCessationOfOperation);
  EXPECT_EQ(EventsAbout(d.device_hex).back(),
            std::make_pair(std::string("device.delete"), Actor()));
  EXPECT_EQ(Expect(200, "GET", "/v1/admin/devices/" + d.device_hex)["status"], "deleted");
  // Renewal is refused from now on.
  pki::Certificate leaf = std::move((*pki::ParseCertificateChainPem(d.certificate_chain))[0]);
  EXPECT_EQ(service_->Renew(leaf.get(), NewCsr()).status().code(), StatusCode::kPermissionDenied);
  ErrorOf(404, "DELETE", "/v1/admin/devices/ffffffffffffffffffffffffffffffff");
  ErrorOf(400, "DELETE", "/v1/admin/devices/nope");
}

// ---- Devices: tags and metadata ----

TEST_F(AdminApiTest, TagsAndMetadataAreReplacedWhole) {
  IssuedCertificate d = EnrollTagged({{"site", "paris"}, {"old", "x"}});
  std::string base = "/v1/admin/devices/" + d.device_hex;
  json r = Expect(200, "PUT", base + "/tags", R"({"tags":{"site":"lyon","rack":"b2"}})");
  EXPECT_EQ(r["tags"], (json{{"site", "lyon"}, {"rack", "b2"}}));
  r = Expect(200, "PUT", base + "/metadata", R"({"metadata":{"model":"pi 4"}})");
  EXPECT_EQ(r["metadata"], (json{{"model", "pi 4"}}));
  EXPECT_EQ(r["tags"], (json{{"site", "lyon"}, {"rack", "b2"}}));
  store::DeviceRecord stored = *store_->GetDevice(d.device_hex);
  EXPECT_EQ(stored.tags, (store::Tags{{"site", "lyon"}, {"rack", "b2"}}));
  EXPECT_EQ(stored.metadata, (store::Metadata{{"model", "pi 4"}}));
  auto events = EventsAbout(d.device_hex);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2], std::make_pair(std::string("device.tags"), Actor()));
  EXPECT_EQ(events.back(), std::make_pair(std::string("device.metadata"), Actor()));
  // An empty object clears them.
  EXPECT_EQ(Expect(200, "PUT", base + "/tags", R"({"tags":{}})")["tags"], json::object());
}

TEST_F(AdminApiTest, TagsAndMetadataRefuseBadInputAndChangeNothing) {
  IssuedCertificate d = EnrollTagged({{"site", "paris"}});
  std::string base = "/v1/admin/devices/" + d.device_hex;
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/tags", R"({"tags":["a"]})"), HasSubstr("tags"));
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/tags", R"({"tags":{"a":1}})"), HasSubstr("'a'"));
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/tags", R"({"tags":{"bad key":"v"}})"), HasSubstr("key"));
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/tags", R"({})"), HasSubstr("missing field 'tags'"));
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/tags", R"({"tags":{},"metadata":{}})"),
              HasSubstr("metadata"));
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/metadata", R"({"metadata":"x"})"),
              HasSubstr("metadata"));
  EXPECT_THAT(ErrorOf(400, "PUT", base + "/metadata", ""), HasSubstr("JSON"));
  EXPECT_EQ(store_->GetDevice(d.device_hex)->tags, (store::Tags{{"site", "paris"}}));
  ErrorOf(404, "PUT", "/v1/admin/devices/ffffffffffffffffffffffffffffffff/tags", R"({"tags":{}})");
  ASSERT_TRUE(store_->DeleteDevice(d.device_hex, "t", clock_.Now()).ok());
  ErrorOf(409, "PUT", base + "/tags", R"({"tags":{}})");
}

// ---- Enrollment tokens ----

TEST_F(AdminApiTest, CreatedTokenEnrollsAndCarriesTheEnrollHint) {
  json t = Expect(201, "POST", "/v1/admin/tokens",
                  R"({"uses":2,"ttl":"1h","tags":{"site":"paris"},"description":"rack 4"})");
  EXPECT_EQ(t["state"], "active");
  EXPECT_EQ(t["uses_left"], 2);
  EXPECT_EQ(t["max_uses"], 2);
  EXPECT_EQ(t["description"], "rack 4");
  EXPECT_EQ(t["created_by"], Actor());
  EXPECT_EQ(t["expires_at"], FormatRfc3339(clock_.Now() + hours(1)));
  std::string token = t["token"];
  EXPECT_THAT(token, ::testing::StartsWith(t["id"].get<std::string>() + "."));

  pki::Certificate root = std::move((*pki::ParseCertificateChainPem(service_->ca_bundle()))[0]);
  EXPECT_EQ(t["enroll"]["ca_fingerprint"], pki::Sha256Fingerprint(root.get()));
  EXPECT_EQ(t["enroll"]["server_url"], "https://ca.example.com:8443");
  EXPECT_EQ(t["enroll"]["command"],
            "wott-agent enroll --server https://ca.example.com:8443 --ca-fingerprint " +
                pki::Sha256Fingerprint(root.get()) + " --token " + token);

  Result<IssuedCertificate> issued =
      service_->Enroll({.token = token, .csr = NewCsr(), .hostname = "", .os = ""});
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(store_->GetDevice(issued->device_hex)->tags, (store::Tags{{"site", "paris"}}));

  json list = Expect(200, "GET", "/v1/admin/tokens");
  ASSERT_EQ(list["tokens"].size(), 1u);
  EXPECT_EQ(list["tokens"][0]["uses_left"], 1);
  EXPECT_FALSE(list["tokens"][0].contains("token"));
  EXPECT_FALSE(list["tokens"][0].contains("token_hash"));

  json revoked = Expect(200, "DELETE", "/v1/admin/tokens/" + t["id"].get<std::string>());
  EXPECT_EQ(revoked["state"], "revoked");
  EXPECT_EQ(
      service_->Enroll({.token = token, .csr = NewCsr(), .hostname = "", .os = ""}).status().code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(Expect(200, "GET", "/v1/admin/tokens")["tokens"].size(), 0u);
  EXPECT_EQ(Expect(200, "GET", "/v1/admin/tokens?all=true")["tokens"].size(), 1u);
  EXPECT_EQ(EventsAbout(t["id"].get<std::string>()),
            (std::vector<std::pair<std::string, std::string>>{{"token.create", Actor()},
                                                              {"token.revoke", Actor()}}));
}

TEST_F(AdminApiTest, TokenCreateDefaultsToOneUseForADay) {
  json t = Expect(201, "POST", "/v1/admin/tokens");
  EXPECT_EQ(t["max_uses"], 1);
  EXPECT_EQ(t["expires_at"], FormatRfc3339(clock_.Now() + hours(24)));
}

TEST_F(AdminApiTest, TokenRoutesRefuseBadInputAndCreateNothing) {
  const std::pair<const char*, const char*> kBad[] = {
      {R"({"uses":"3"})", "uses"},     {R"({"uses":1.5})", "uses"},
      {R"({"uses":0})", "uses"},       {R"({"uses":1000001})", "uses"},
      {R"({"uses":true})", "uses"},    {R"({"uses":18446744073709551615})", "uses"},
      {R"({"ttl":"forever"})", "ttl"}, {R"({"ttl":5})", "ttl"},
      {R"({"tags":"a=b"})", "tags"},   {R"({"tags":{"bad key":"v"}})", "key"},
      {R"({"use":2})", "use"},         {R"({"description":7})", "description"},
  };
  for (const auto& [body, name] : kBad) {
    EXPECT_THAT(ErrorOf(400, "POST", "/v1/admin/tokens", body), HasSubstr(name)) << body;
  }
  EXPECT_EQ(store_->ListEnrollmentTokens({}, clock_.Now())->size(), 0u);
  EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/tokens?all=yes"), HasSubstr("all"));
  EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/tokens?limit=0"), HasSubstr("limit"));
  EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/tokens?state=x"), HasSubstr("state"));
  ErrorOf(404, "DELETE", "/v1/admin/tokens/etunknown");
  ErrorOf(400, "DELETE", "/v1/admin/tokens/et1.secret");
}

// ---- API tokens ----

TEST_F(AdminApiTest, ApiTokensCanBeCreatedListedAndRevoked) {
  json created = Expect(201, "POST", "/v1/admin/api-tokens", R"({"name":"ci"})");
  EXPECT_EQ(created["name"], "ci");
  EXPECT_EQ(created["state"], "active");
  EXPECT_EQ(created["created_by"], Actor());
  std::string token = created["token"];
  EXPECT_EQ(CallWith("Bearer " + token, "GET", "/v1/admin/devices").status, 200);

  json list = Expect(200, "GET", "/v1/admin/api-tokens");
  ASSERT_EQ(list["api_tokens"].size(), 2u);
  for (const json& t : list["api_tokens"]) {
    EXPECT_FALSE(t.contains("token"));
    EXPECT_FALSE(t.contains("token_hash"));
  }
  json revoked = Expect(200, "DELETE", "/v1/admin/api-tokens/" + created["id"].get<std::string>());
  EXPECT_EQ(revoked["state"], "revoked");
  EXPECT_EQ(CallWith("Bearer " + token, "GET", "/v1/admin/devices").status, 401);
  EXPECT_EQ(Call("GET", "/v1/admin/devices").status, 200);  // the other one still works

  EXPECT_THAT(ErrorOf(400, "POST", "/v1/admin/api-tokens", "{}"), HasSubstr("name"));
  EXPECT_THAT(ErrorOf(400, "POST", "/v1/admin/api-tokens", R"({"name":""})"), HasSubstr("name"));
  EXPECT_THAT(ErrorOf(400, "POST", "/v1/admin/api-tokens", R"({"name":"x","ttl":"1h"})"),
              HasSubstr("ttl"));
  ErrorOf(404, "DELETE", "/v1/admin/api-tokens/atunknown");
  EXPECT_THAT(ErrorOf(400, "GET", "/v1/admin/api-tokens?all=true"), HasSubstr("all"));
}

// ---- Events ----

TEST_F(AdminApiTest, EventsRecordIssuanceRevocationAndTokenUseAndPage) {
  IssuedCertificate d = EnrollTagged();
  pki::Certificate leaf = std::move((*pki::ParseCertificateChainPem(d.certificate_chain))[0]);
  ASSERT_TRUE(service_->Renew(leaf.get(), NewCsr()).ok());
  Expect(200, "POST", "/v1/admin/devices/" + d.device_hex + "/revoke",
         R"({"reason":"superseded"})");

  json all = Expect(200, "GET", "/v1/admin/events?subject=" + d.device_name);
  ASSERT_EQ(all["events"].size(), 3u);
  EXPECT_EQ(all["events"][0]["action"], "device.revoke");  // newest first
  EXPECT_EQ(all["events"][0]["actor"], Actor());
  EXPECT_EQ(all["events"][1]["action"], "device.renew");
  EXPECT_EQ(all["events"][2]["action"], "device.enroll");
  EXPECT_THAT(all["events"][2]["actor"].get<std::string>(), ::testing::StartsWith("token:"));
  EXPECT_TRUE(all["next_before"].is_null());

  // One at a time, following the cursor.
  std::vector<std::string> actions;
  std::string cursor;
  for (int i = 0; i < 4; ++i) {
    json page = Expect(200, "GET", "/v1/admin/events?limit=1&subject=" + d.device_hex + cursor);
    for (const json& e : page["events"]) actions.push_back(e["action"]);
    if (page["next_before"].is_null()) break;
    cursor = "&before=" + std::to_string(page["next_before"].get<int64_t>());
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"device.revoke", "device.renew", "device.enroll"}));

  // Unfiltered, every kind of event is there, including the token that was used.
  std::set<std::string> kinds;
  json everything = Expect(200, "GET", "/v1/admin/events");
  for (const json& e : everything["events"]) kinds.insert(e["action"]);
  EXPECT_TRUE(kinds.count("token.create") && kinds.count("api_token.create")) << json(kinds);
}

TEST_F(AdminApiTest, EventsRefuseBadParameters) {
  const std::pair<const char*, const char*> kBad[] = {
      {"before=0", "before"}, {"before=x", "before"},  {"before=-5", "before"},
      {"limit=0", "limit"},   {"limit=5000", "limit"}, {"actor=cli", "actor"},
  };
  for (const auto& [query, name] : kBad) {
    EXPECT_THAT(ErrorOf(400, "GET", std::string("/v1/admin/events?") + query), HasSubstr(name))
        << query;
  }
}

}  // namespace
}  // namespace wott::server
