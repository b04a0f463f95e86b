// The OCSP endpoints end to end: a real wott-server App on 127.0.0.1, queried by the real
// `openssl ocsp` (POST) and curl (GET) CLIs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pki/ca_directory.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/ocsp.h"
#include "server/app.h"
#include "tests/support/test_ca.h"

namespace wott::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using wott::testing::RunCommand;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Base64 with '+', '/' and '=' percent-encoded, as RFC 6960 A.1 GET clients send it.
std::string UrlEncodedBase64(const std::string& der) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  for (size_t i = 0; i < der.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(der[i]) << 16;
    if (i + 1 < der.size()) n |= static_cast<uint8_t>(der[i + 1]) << 8;
    if (i + 2 < der.size()) n |= static_cast<uint8_t>(der[i + 2]);
    b64 += kAlphabet[(n >> 18) & 63];
    b64 += kAlphabet[(n >> 12) & 63];
    b64 += i + 1 < der.size() ? kAlphabet[(n >> 6) & 63] : '=';
    b64 += i + 2 < der.size() ? kAlphabet[n & 63] : '=';
  }
  std::string out;
  for (char c : b64) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

class OcspHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki::CaInitOptions init;
    init.data_dir = tmp_.path() / "data";
    init.server_names = {"localhost", "127.0.0.1"};
    ASSERT_TRUE(pki::InitCa(init, RealClock::Instance()).ok());
    AppOptions options;
    options.data_dir = init.data_dir;
    options.listen = "127.0.0.1:0";
    options.db = "memory:";
    Result<std::unique_ptr<App>> app = App::Start(options, &RealClock::Instance());
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = std::move(*app);
    url_ = "https://127.0.0.1:" + std::to_string(app_->port()) + "/v1/ocsp";
    root_ = tmp_.Write("root.pem", app_->ca().ca_bundle());
    inter_ = tmp_.Write("inter.pem", *pki::CertificateToPem(app_->ca().intermediate()));
  }
  void TearDown() override {
    if (app_) app_->Stop();
  }

  // Enrolls a device; writes its certificate to leaf.pem and returns the device hex ID.
  std::string EnrollDevice() {
    store::NewEnrollmentToken token;
    token.id = "t1";
    token.token_hash = CaService::HashToken("secret");
    token.expires_at = RealClock::Instance().Now() + std::chrono::hours(1);
    token.created_by = "test";
    EXPECT_TRUE(
        app_->ca().registry().CreateEnrollmentToken(token, RealClock::Instance().Now()).ok());
    key_ = *pki::GenerateKey(pki::KeyType::kP256);
    std::string csr = *pki::CsrToPem(pki::CreateCsr(key_.get(), "device")->get());
    Result<IssuedCertificate> issued =
        app_->ca().Enroll({.token = "secret", .csr = csr, .hostname = "pi", .os = "Debian"});
    EXPECT_TRUE(issued.ok()) << issued.status();
    leaf_ = tmp_.Write("leaf.pem", issued->certificate_chain);  // openssl reads the first
    return issued->device_hex;
  }

  // `openssl ocsp` POSTs a request (with a nonce) for `cert_args` to the server.
  wott::testing::CommandResult OpensslOcsp(const std::string& cert_args) {
    return RunCommand("timeout 30 openssl ocsp -url " + url_ + " -issuer " + inter_.string() +
                      " -CAfile " + root_.string() + " -timeout 20 " + cert_args);
  }

  wott::testing::TempDir tmp_;
  std::unique_ptr<App> app_;
  std::string url_;
  std::filesystem::path root_, inter_, leaf_;
  pki::PrivateKey key_;
};

TEST_F(OcspHandlerTest, PostAnswersGoodThenRevokedAfterTheDeviceIsRevoked) {
  std::string device = EnrollDevice();
  auto good = OpensslOcsp("-cert " + leaf_.string());
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_THAT(good.output, HasSubstr("Response verify OK"));
  EXPECT_THAT(good.output, HasSubstr(leaf_.string() + ": good"));
  EXPECT_THAT(good.output, Not(HasSubstr("WARNING: no nonce")));

  ASSERT_TRUE(app_->ca()
                  .registry()
                  .RevokeDevice(device, store::RevocationReason::kKeyCompromise, "test",
                                RealClock::Instance().Now())
                  .ok());
  auto revoked = OpensslOcsp("-cert " + leaf_.string());
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  EXPECT_THAT(revoked.output, HasSubstr(leaf_.string() + ": revoked"));
  EXPECT_THAT(revoked.output, HasSubstr("Reason: keyCompromise"));
}

TEST_F(OcspHandlerTest, PostAnswersUnknownForASerialNeverIssued) {
  auto r = OpensslOcsp("-serial 0x1234567890abcdef");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("0x1234567890abcdef: unknown"));
}

TEST_F(OcspHandlerTest, PostForAnotherCaIsUnauthorized) {
  wott::testing::TestCa other(&RealClock::Instance());
  wott::testing::TestCa::Leaf foreign = other.IssueDevice();
  auto foreign_ca = tmp_.Write("foreign-ca.pem", other.IntermediatePem());
  auto foreign_leaf = tmp_.Write("foreign.pem", *pki::CertificateToPem(foreign.cert.get()));
  auto r = RunCommand("timeout 30 openssl ocsp -url " + url_ + " -issuer " + foreign_ca.string() +
                      " -cert " + foreign_leaf.string() + " -timeout 20");
  EXPECT_THAT(r.output, HasSubstr("Responder Error: unauthorized (6)"));
}

TEST_F(OcspHandlerTest, GetWithUrlEncodedBase64Request) {
  EnrollDevice();
  auto req = tmp_.path() / "req.der";
  auto made = RunCommand("openssl ocsp -issuer " + inter_.string() + " -cert " + leaf_.string() +
                         " -no_nonce -reqout " + req.string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto resp = tmp_.path() / "resp.der";
  std::string get_url = url_ + "/" + UrlEncodedBase64(ReadAll(req));
  auto fetched = RunCommand("curl -sS --max-time 20 --cacert " + root_.string() + " -o " +
                            resp.string() + " -w '%{http_code} %{content_type}' '" + get_url + "'");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  EXPECT_EQ(fetched.output, "200 application/ocsp-response");
  auto r = RunCommand("openssl ocsp -respin " + resp.string() + " -issuer " + inter_.string() +
                      " -CAfile " + root_.string() + " -no_nonce -cert " + leaf_.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(leaf_.string() + ": good"));
}

TEST_F(OcspHandlerTest, GetWithBadBase64IsMalformedRequest) {
  auto resp = tmp_.path() / "resp.der";
  auto fetched = RunCommand("curl -sS --max-time 20 --cacert " + root_.string() + " -o " +
                            resp.string() + " -w '%{http_code}' '" + url_ + "/not*base64'");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  EXPECT_EQ(fetched.output, "200");
  EXPECT_EQ(*pki::OcspResponseStatusOf(ReadAll(resp)), pki::OcspResponseStatus::kMalformedRequest);
}

TEST_F(OcspHandlerTest, PostWithGarbageBodyIsMalformedRequest) {
  auto resp = tmp_.path() / "resp.der";
  auto fetched = RunCommand("curl -sS --max-time 20 --cacert " + root_.string() + " -o " +
                            resp.string() + " -w '%{http_code}' -H 'Content-Type: " +
                            "application/ocsp-request' --data-binary 'garbage' " + url_);
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  EXPECT_EQ(fetched.output, "200");
  EXPECT_EQ(*pki::OcspResponseStatusOf(ReadAll(resp)), pki::OcspResponseStatus::kMalformedRequest);
}

TEST_F(OcspHandlerTest, PostWithAnotherContentTypeIs415) {
  auto fetched = RunCommand("curl -sS --max-time 20 --cacert " + root_.string() +
                            " -w ' %{http_code}' -H 'Content-Type: application/json' " +
                            "--data-binary '{}' " + url_);
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  EXPECT_THAT(fetched.output, HasSubstr("unsupported_media_type"));
  EXPECT_THAT(fetched.output, HasSubstr(" 415"));
}

}  // namespace
}  // namespace wott::server
