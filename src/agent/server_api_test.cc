#include "agent/server_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "tests/support/test_ca.h"

namespace wott::agent {
namespace {

class ServerApiTest : public ::testing::Test {
 protected:
  ServerApiTest() : clock_(RealClock::Instance().Now()), ca_(&clock_) {}

  // An issued-certificate answer as the server sends it, for a fresh device.
  nlohmann::json Issued(testing::TestCa::Leaf& leaf) {
    X509* cert = leaf.cert.get();
    return {{"device_id", pki::CommonName(cert)},
            {"serial", pki::SerialHex(cert)},
            {"certificate", *pki::CertificateToPem(cert) + ca_.IntermediatePem()},
            {"ca_bundle", ca_.RootPem()},
            {"not_before", FormatRfc3339(pki::NotBefore(cert))},
            {"not_after", FormatRfc3339(pki::NotAfter(cert))},
            {"renew_after", FormatRfc3339(pki::NotAfter(cert))},
            {"recovery_token", "abc"}};
  }

  FakeClock clock_;
  testing::TestCa ca_;
};

TEST_F(ServerApiTest, AcceptsAMatchingAnswer) {
  testing::TestCa::Leaf leaf = ca_.IssueDevice();
  std::string key = *pki::PrivateKeyToPem(leaf.key.get());
  Result<CertSet> set = CertSetFromIssued(Issued(leaf).dump(), key, "");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->client_key, key);
  Result<IdentityInfo> info = ParseIdentityJson(set->identity_json);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->device_id, pki::CommonName(leaf.cert.get()));
  EXPECT_TRUE(CertSetFromIssued(Issued(leaf).dump(), key, info->device_id).ok());
}

TEST_F(ServerApiTest, RefusesAnswersThatMustNotBeInstalled) {
  testing::TestCa::Leaf leaf = ca_.IssueDevice();
  testing::TestCa::Leaf other = ca_.IssueDevice();
  std::string key = *pki::PrivateKeyToPem(leaf.key.get());
  auto refused = [&](const std::string& body, const std::string& key_pem, std::string_view id,
                     std::string_view says) {
    Status s = CertSetFromIssued(body, key_pem, id).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << says;
    EXPECT_NE(s.message().find(says), std::string::npos) << s;
  };
  refused("not json", key, "", "not a JSON object");
  nlohmann::json missing = Issued(leaf);
  missing.erase("recovery_token");
  refused(missing.dump(), key, "", "\"recovery_token\"");
  refused(Issued(leaf).dump(), *pki::PrivateKeyToPem(other.key.get()), "", "does not match");
  refused(Issued(leaf).dump(), key, pki::CommonName(other.cert.get()), "instead of");
  nlohmann::json lying = Issued(leaf);
  lying["device_id"] = pki::CommonName(other.cert.get());
  refused(lying.dump(), key, "", "does not match its device_id");
  nlohmann::json foreign = Issued(leaf);
  FakeClock c(clock_.Now());
  testing::TestCa impostor(&c);
  foreign["ca_bundle"] = impostor.RootPem();
  refused(foreign.dump(), key, "", "does not verify");
}

TEST(ServerApiErrorsTest, MapsStatusAndMessage) {
  net::HttpResponse r = net::ErrorResponse(403, "permission_denied", "device has been revoked");
  Status s = ErrorFromResponse(r, "renewal refused");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "renewal refused: device has been revoked");
  EXPECT_EQ(ServerErrorCode(r), "permission_denied");
  net::HttpResponse html = net::HttpResponse::Text(502, "<html>bad gateway</html>");
  s = ErrorFromResponse(html, "heartbeat refused");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "heartbeat refused: HTTP 502");
  EXPECT_EQ(ServerErrorCode(html), "");
  EXPECT_EQ(Endpoint("https://x:1/", "/v1/renew"), "https://x:1/v1/renew");
  EXPECT_EQ(Endpoint("https://x:1", "/v1/renew"), "https://x:1/v1/renew");
}

}  // namespace
}  // namespace wott::agent
