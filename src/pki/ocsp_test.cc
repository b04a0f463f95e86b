#include "pki/ocsp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/test_ca.h"

namespace wott::pki {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using wott::testing::RunCommand;
using wott::testing::TempDir;
using wott::testing::TestCa;
using Kind = OcspCertStatus::Kind;

// `openssl ocsp` checks thisUpdate and the certificates against the real time, so the
// fake clock starts at the real now (whole seconds).
TimePoint RealNow() {
  return std::chrono::system_clock::from_time_t(
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ossl::UniquePtr<OCSP_RESPONSE> ParseResponse(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  return ossl::Own(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
}

ossl::UniquePtr<OCSP_BASICRESP> BasicOf(const std::string& der) {
  auto response = ParseResponse(der);
  if (!response) return nullptr;
  return ossl::Own(OCSP_response_get1_basic(response.get()));
}

std::string RequestDer(OCSP_REQUEST* request) {
  unsigned char* der = nullptr;
  int len = i2d_OCSP_REQUEST(request, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// A request built in-process for the CertIDs of `certs` issued by `issuer`.
ossl::UniquePtr<OCSP_REQUEST> NewRequest(const std::vector<X509*>& certs, X509* issuer,
                                         const EVP_MD* md = EVP_sha1()) {
  auto request = ossl::Own(OCSP_REQUEST_new());
  for (X509* cert : certs) {
    OCSP_CERTID* id = OCSP_cert_to_id(md, cert, issuer);
    EXPECT_NE(OCSP_request_add0_id(request.get(), id), nullptr);
  }
  return request;
}

class OcspTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<OcspResponder>> responder = OcspResponder::Create(&ca_.issuer());
    ASSERT_TRUE(responder.ok()) << responder.status();
    responder_ = std::move(*responder);
    inter_ = tmp_.Write("inter.pem", ca_.IntermediatePem());
    root_ = tmp_.Write("root.pem", ca_.RootPem());
  }

  // A device certificate written to <name>.pem, with the status the registry reports.
  std::string Device(const std::string& name, OcspCertStatus status) {
    TestCa::Leaf leaf = ca_.IssueDevice();
    statuses_[SerialHex(leaf.cert.get())] = status;
    tmp_.Write(name + ".pem", *CertificateToPem(leaf.cert.get()));
    leaves_.push_back(std::move(leaf));
    return (tmp_.path() / (name + ".pem")).string();
  }

  OcspLookup Lookup() {
    return [this](std::string_view serial) -> Result<OcspCertStatus> {
      ++lookups_;
      auto it = statuses_.find(std::string(serial));
      return it == statuses_.end() ? OcspCertStatus::Unknown() : it->second;
    };
  }

  // `openssl ocsp` writes a request for `cert_args` ("-cert a.pem -sha256 -cert b.pem").
  std::string CliRequest(const std::string& cert_args, bool nonce) {
    auto req = tmp_.path() / "req.der";
    auto r = RunCommand("openssl ocsp -issuer " + inter_.string() + " " + cert_args + " -reqout " +
                        req.string() + (nonce ? " -nonce" : " -no_nonce"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return ReadAll(req);
  }

  // Writes `response` and has `openssl ocsp` verify it against the root and print it.
  // Writes `response` and has `openssl ocsp` verify it against the root and print it.
  // `cert_args` name the certificates whose status to print ("-cert a.pem"); without them
  // the request CliRequest wrote is passed instead, so that its nonce is checked.
  wott::testing::CommandResult CliVerify(const std::string& response,
                                         const std::string& cert_args) {
    auto resp = tmp_.Write("resp.der", response);
    std::string what = cert_args.empty() ? "-reqin " + (tmp_.path() / "req.der").string()
                                         : "-no_nonce " + cert_args;
    return RunCommand("openssl ocsp -respin " + resp.string() + " -issuer " + inter_.string() +
                      " -CAfile " + root_.string() + " " + what + " -resp_text");
  }

  std::string Respond(const std::string& request) {
    Result<std::string> response = responder_->Respond(request, Lookup());
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : "";
  }

  OcspResponseStatus StatusOf(const std::string& response) {
    Result<OcspResponseStatus> status = OcspResponseStatusOf(response);
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() ? *status : OcspResponseStatus::kInternalError;
  }

  FakeClock clock_{RealNow()};
  TestCa ca_{&clock_};
  TempDir tmp_;
  std::filesystem::path inter_, root_;
  std::unique_ptr<OcspResponder> responder_;
  std::map<std::string, OcspCertStatus> statuses_;
  std::vector<TestCa::Leaf> leaves_;
  int lookups_ = 0;
};

TEST_F(OcspTest, GoodVerifiesWithOpensslCli) {
  std::string leaf = Device("leaf", OcspCertStatus::Good());
  std::string response = Respond(CliRequest("-cert " + leaf, false));
  auto r = CliVerify(response, "-cert " + leaf);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Response verify OK"));
  EXPECT_THAT(r.output, HasSubstr(leaf + ": good"));
  EXPECT_EQ(lookups_, 1);
}

TEST_F(OcspTest, RevokedCarriesTimeAndReason) {
  std::string leaf = Device("leaf", OcspCertStatus::Revoked(clock_.Now() - std::chrono::hours(2),
                                                            RevocationReason::kKeyCompromise));
  auto r = CliVerify(Respond(CliRequest("-cert " + leaf, false)), "-cert " + leaf);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(leaf + ": revoked"));
  EXPECT_THAT(r.output, HasSubstr("Reason: keyCompromise"));
  EXPECT_THAT(r.output, HasSubstr("Revocation Time:"));
}

TEST_F(OcspTest, RevokedWithUnspecifiedReasonOmitsTheReason) {
  std::string leaf = Device("leaf", OcspCertStatus::Revoked(clock_.Now() - std::chrono::hours(2),
                                                            RevocationReason::kUnspecified));
  auto r = CliVerify(Respond(CliRequest("-cert " + leaf, false)), "-cert " + leaf);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(leaf + ": revoked"));
  EXPECT_THAT(r.output, Not(HasSubstr("Reason:")));
}

TEST_F(OcspTest, SerialTheRegistryDoesNotKnowIsUnknown) {
  std::string leaf = Device("leaf", OcspCertStatus::Good());
  statuses_.clear();
  auto r = CliVerify(Respond(CliRequest("-cert " + leaf, false)), "-cert " + leaf);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(leaf + ": unknown"));
}

TEST_F(OcspTest, Sha256CertIdsAreAnsweredAndEchoed) {
  std::string leaf = Device("leaf", OcspCertStatus::Good());
  std::string request = CliRequest("-sha256 -cert " + leaf, false);
  std::string response = Respond(request);
  auto r = CliVerify(response, "-sha256 -cert " + leaf);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(leaf + ": good"));
  EXPECT_THAT(r.output, HasSubstr("Hash Algorithm: sha256"));
  // Negative: the same certificate asked with SHA-1 does not match the SHA-256 answer.
  auto sha1 = CliVerify(response, "-cert " + leaf);
  EXPECT_THAT(sha1.output, Not(HasSubstr(leaf + ": good")));
}

TEST_F(OcspTest, ManyCertIdsInOneRequest) {
  std::string good = Device("good", OcspCertStatus::Good());
  std::string revoked =
      Device("revoked", OcspCertStatus::Revoked(clock_.Now(), RevocationReason::kSuperseded));
  std::string unknown = Device("unknown", OcspCertStatus::Good());
  statuses_.erase(SerialHex(leaves_.back().cert.get()));
  std::string args = "-cert " + good + " -sha256 -cert " + revoked + " -sha1 -cert " + unknown;
  auto r = CliVerify(Respond(CliRequest(args, false)), args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(good + ": good"));
  EXPECT_THAT(r.output, HasSubstr(revoked + ": revoked"));
  EXPECT_THAT(r.output, HasSubstr("Reason: superseded"));
  EXPECT_THAT(r.output, HasSubstr(unknown + ": unknown"));
  EXPECT_EQ(lookups_, 3);
}

TEST_F(OcspTest, NonceIsEchoed) {
  std::string leaf = Device("leaf", OcspCertStatus::Good());
  std::string request = CliRequest("-cert " + leaf, true);
  std::string response = Respond(request);
  auto r = CliVerify(response, "");  // checks the nonce against the request's
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Response verify OK"));
  EXPECT_THAT(r.output, HasSubstr("OCSP Nonce"));
  EXPECT_THAT(r.output, Not(HasSubstr("WARNING: no nonce in response")));
  // Negative: a response to another request (another nonce) fails the CLI's nonce check.
  CliRequest("-cert " + leaf, true);  // overwrites req.der with a new nonce
  auto mismatch = CliVerify(response, "");
  EXPECT_NE(mismatch.exit_code, 0);
  EXPECT_THAT(mismatch.output, HasSubstr("Nonce Verify error"));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(request.data());
  auto req = ossl::Own(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request.size())));
  EXPECT_EQ(OCSP_check_nonce(req.get(), BasicOf(response).get()), 1);  // 1 = present, equal
}

TEST_F(OcspTest, NoNonceInRequestMeansNoNonceInResponse) {
  std::string leaf = Device("leaf", OcspCertStatus::Good());
  std::string request = CliRequest("-cert " + leaf, false);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(request.data());
  auto req = ossl::Own(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request.size())));
  EXPECT_EQ(OCSP_check_nonce(req.get(), BasicOf(Respond(request)).get()), 2);  // 2 = neither
}

TEST_F(OcspTest, TimesResponderIdAndCertificates) {
  Device("leaf", OcspCertStatus::Good());
  auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate());
  std::string response = Respond(RequestDer(request.get()));
  auto basic = BasicOf(response);
  ASSERT_NE(basic, nullptr);
  OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), 0);
  ASN1_GENERALIZEDTIME *this_update = nullptr, *next_update = nullptr;
  ASSERT_EQ(OCSP_single_get0_status(single, nullptr, nullptr, &this_update, &next_update),
            V_OCSP_CERTSTATUS_GOOD);
  int days = 0, seconds = 0;
  auto now = ossl::Own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(clock_.Now())));
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, now.get(), this_update), 1);
  EXPECT_EQ(days * 86400 + seconds, 0);
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, now.get(), next_update), 1);
  EXPECT_EQ(days * 86400 + seconds, 3600);
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, now.get(), OCSP_resp_get0_produced_at(basic.get())), 1);
  EXPECT_EQ(days * 86400 + seconds, 0);
  // Responder ID by key hash (not by name).
  const ASN1_OCTET_STRING* key_hash = nullptr;
  const X509_NAME* name = nullptr;
  ASSERT_EQ(OCSP_resp_get0_id(basic.get(), &key_hash, &name), 1);
  EXPECT_NE(key_hash, nullptr);
  EXPECT_EQ(name, nullptr);
  // The responder certificate, then the intermediate.
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic.get());
  ASSERT_EQ(sk_X509_num(certs), 2);
  Certificate responder = responder_->ResponderCertificate();
  EXPECT_EQ(X509_cmp(sk_X509_value(certs, 0), responder.get()), 0);
  EXPECT_EQ(X509_cmp(sk_X509_value(certs, 1), ca_.intermediate()), 0);
  EXPECT_EQ(X509_get_extended_key_usage(responder.get()) & XKU_OCSP_SIGN, XKU_OCSP_SIGN);
}

TEST_F(OcspTest, ValidityIsConfigurable) {
  OcspResponderOptions options;
  options.validity = std::chrono::minutes(10);
  auto responder = std::move(*OcspResponder::Create(&ca_.issuer(), options));
  Device("leaf", OcspCertStatus::Good());
  auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate());
  auto basic = BasicOf(*responder->Respond(RequestDer(request.get()), Lookup()));
  ASN1_GENERALIZEDTIME *this_update = nullptr, *next_update = nullptr;
  OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, &this_update,
                          &next_update);
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, this_update, next_update), 1);
  EXPECT_EQ(seconds, 600);
}

TEST_F(OcspTest, MalformedRequestsGetMalformedRequest) {
  Device("leaf", OcspCertStatus::Good());
  std::string good = RequestDer(NewRequest({leaves_[0].cert.get()}, ca_.intermediate()).get());
  ASSERT_EQ(StatusOf(Respond(good)), OcspResponseStatus::kSuccessful);
  const std::vector<std::string> bad = {
      "",
      "garbage, not DER at all",
      good.substr(0, good.size() - 5),                       // truncated
      good + std::string(1, '\0'),                           // trailing data
      std::string(kMaxOcspRequestBytes + 1, '\x30'),         // oversized
      RequestDer(NewRequest({}, ca_.intermediate()).get()),  // no CertID
  };
  for (const std::string& request : bad) {
    std::string response = Respond(request);
    EXPECT_EQ(StatusOf(response), OcspResponseStatus::kMalformedRequest) << request.size();
    EXPECT_EQ(BasicOf(response), nullptr);  // error responses are not signed
  }
  EXPECT_EQ(lookups_, 1);
  auto r = CliVerify(Respond("garbage"), "-serial 1");
  EXPECT_THAT(r.output, HasSubstr("Responder Error: malformedrequest (1)"));
}

// Found by fuzz_ocsp_request: a CertID whose hashAlgorithm parameters parse in the request
// but not when the response copies them (here a zero-length constructed element in place of
// NULL) gets malformedRequest, not an internal error.
TEST_F(OcspTest, CertIdThatCannotBeCopiedIsMalformed) {
  Device("leaf", OcspCertStatus::Good());
  std::string request = RequestDer(NewRequest({leaves_[0].cert.get()}, ca_.intermediate()).get());
  const std::string sha1_null("\x2b\x0e\x03\x02\x1a\x05\x00", 7);
  size_t at = request.find(sha1_null);
  ASSERT_NE(at, std::string::npos);
  request[at + 5] = '\x20';
  Result<std::string> response = responder_->Respond(request, Lookup());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(StatusOf(*response), OcspResponseStatus::kMalformedRequest);
}

TEST_F(OcspTest, TooManyCertIdsIsMalformed) {
  OcspResponderOptions options;
  options.max_cert_ids = 2;
  auto responder = std::move(*OcspResponder::Create(&ca_.issuer(), options));
  for (int i = 0; i < 3; ++i) Device("leaf" + std::to_string(i), OcspCertStatus::Good());
  X509* inter = ca_.intermediate();
  auto two = NewRequest({leaves_[0].cert.get(), leaves_[1].cert.get()}, inter);
  auto three =
      NewRequest({leaves_[0].cert.get(), leaves_[1].cert.get(), leaves_[2].cert.get()}, inter);
  EXPECT_EQ(StatusOf(*responder->Respond(RequestDer(two.get()), Lookup())),
            OcspResponseStatus::kSuccessful);
  EXPECT_EQ(StatusOf(*responder->Respond(RequestDer(three.get()), Lookup())),
            OcspResponseStatus::kMalformedRequest);
}

TEST_F(OcspTest, NonceLengthIsChecked) {
  Device("leaf", OcspCertStatus::Good());
  for (int len : {1, 32, 33}) {
    auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate());
    std::string nonce(static_cast<size_t>(len), 'n');
    ASSERT_EQ(
        OCSP_request_add1_nonce(request.get(), reinterpret_cast<unsigned char*>(nonce.data()), len),
        1);
    EXPECT_EQ(StatusOf(Respond(RequestDer(request.get()))),
              len <= 32 ? OcspResponseStatus::kSuccessful : OcspResponseStatus::kMalformedRequest)
        << len;
  }
}

TEST_F(OcspTest, UnknownCriticalExtensionIsMalformedNonCriticalIsIgnored) {
  Device("leaf", OcspCertStatus::Good());
  for (int critical : {0, 1}) {
    auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate());
    // Any extension we do not understand: a keyUsage here.
    auto usage = ossl::Own(ASN1_BIT_STRING_new());
    ASSERT_EQ(ASN1_BIT_STRING_set_bit(usage.get(), 0, 1), 1);
    ASSERT_EQ(OCSP_REQUEST_add1_ext_i2d(request.get(), NID_key_usage, usage.get(), critical, 0), 1);
    EXPECT_EQ(StatusOf(Respond(RequestDer(request.get()))),
              critical ? OcspResponseStatus::kMalformedRequest : OcspResponseStatus::kSuccessful);
  }
}

TEST_F(OcspTest, AnotherCasCertificateIsUnauthorized) {
  TestCa other(&clock_);
  TestCa::Leaf foreign = other.IssueDevice();
  // Same serial in our registry: the issuer check must win over the serial lookup.
  statuses_[SerialHex(foreign.cert.get())] = OcspCertStatus::Good();
  std::string response =
      Respond(RequestDer(NewRequest({foreign.cert.get()}, other.intermediate()).get()));
  EXPECT_EQ(StatusOf(response), OcspResponseStatus::kUnauthorized);
  EXPECT_EQ(lookups_, 0);

  tmp_.Write("foreign.pem", *CertificateToPem(foreign.cert.get()));
  tmp_.Write("foreign-ca.pem", other.IntermediatePem());
  auto req = tmp_.path() / "req.der";
  auto made = RunCommand("openssl ocsp -issuer " + (tmp_.path() / "foreign-ca.pem").string() +
                         " -cert " + (tmp_.path() / "foreign.pem").string() + " -reqout " +
                         req.string() + " -no_nonce");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto r = CliVerify(Respond(ReadAll(req)), "-serial 1");
  EXPECT_THAT(r.output, HasSubstr("Responder Error: unauthorized (6)"));
}

TEST_F(OcspTest, MixedIssuersAreUnauthorized) {
  TestCa other(&clock_);
  TestCa::Leaf foreign = other.IssueDevice();
  Device("ours", OcspCertStatus::Good());
  auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate());
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), foreign.cert.get(), other.intermediate());
  ASSERT_NE(OCSP_request_add0_id(request.get(), id), nullptr);
  EXPECT_EQ(StatusOf(Respond(RequestDer(request.get()))), OcspResponseStatus::kUnauthorized);
}

TEST_F(OcspTest, UnsupportedCertIdHashIsUnauthorized) {
  Device("leaf", OcspCertStatus::Good());
  auto md5 = NewRequest({leaves_[0].cert.get()}, ca_.intermediate(), EVP_md5());
  EXPECT_EQ(StatusOf(Respond(RequestDer(md5.get()))), OcspResponseStatus::kUnauthorized);
  for (const EVP_MD* md : {EVP_sha224(), EVP_sha384(), EVP_sha512()}) {
    auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate(), md);
    EXPECT_EQ(StatusOf(Respond(RequestDer(request.get()))), OcspResponseStatus::kSuccessful);
  }
}

TEST_F(OcspTest, SerialsThatCannotBeOursAreUnknownWithoutLookup) {
  Device("leaf", OcspCertStatus::Good());
  for (const char* hex : {"-01", "0102030405060708090a0b0c0d0e0f101112131415"}) {
    auto request = NewRequest({leaves_[0].cert.get()}, ca_.intermediate());
    BIGNUM* raw = nullptr;
    ASSERT_GT(BN_hex2bn(&raw, hex), 0);
    auto bn = ossl::Own(raw);
    auto serial = ossl::Own(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    ASN1_INTEGER* id_serial = nullptr;
    ASSERT_EQ(OCSP_id_get0_info(nullptr, nullptr, nullptr, &id_serial,
                                OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), 0))),
              1);
    ASSERT_EQ(ASN1_STRING_copy(id_serial, serial.get()), 1);
    auto basic = BasicOf(Respond(RequestDer(request.get())));
    ASSERT_NE(basic, nullptr) << hex;
    EXPECT_EQ(
        OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, nullptr, nullptr),
        V_OCSP_CERTSTATUS_UNKNOWN);
  }
  EXPECT_EQ(lookups_, 0);
}

TEST_F(OcspTest, RegistryFailuresAreTryLaterOrInternalError) {
  Device("leaf", OcspCertStatus::Good());
  std::string request = RequestDer(NewRequest({leaves_[0].cert.get()}, ca_.intermediate()).get());
  auto failing = [](StatusCode code) {
    return [code](std::string_view) -> Result<OcspCertStatus> { return Status(code, "down"); };
  };
  EXPECT_EQ(StatusOf(*responder_->Respond(request, failing(StatusCode::kUnavailable))),
            OcspResponseStatus::kTryLater);
  EXPECT_EQ(StatusOf(*responder_->Respond(request, failing(StatusCode::kInternal))),
            OcspResponseStatus::kInternalError);
}

// OCSP_basic_verify at the fake clock's time, trusting the test root.
bool VerifiesAt(OCSP_BASICRESP* basic, X509* root, TimePoint at) {
  auto store = ossl::Own(X509_STORE_new());
  X509_STORE_add_cert(store.get(), root);
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             std::chrono::system_clock::to_time_t(at));
  bool ok = OCSP_basic_verify(basic, nullptr, store.get(), 0) == 1;
  ERR_clear_error();
  return ok;
}

TEST_F(OcspTest, ResponderCertificateIsReissuedAfterHalfItsLifetime) {
  Device("leaf", OcspCertStatus::Good());
  std::string request = RequestDer(NewRequest({leaves_[0].cert.get()}, ca_.intermediate()).get());
  Certificate first = responder_->ResponderCertificate();
  clock_.Advance(std::chrono::days(14));
  auto early = BasicOf(Respond(request));
  EXPECT_EQ(X509_cmp(responder_->ResponderCertificate().get(), first.get()), 0);
  EXPECT_TRUE(VerifiesAt(early.get(), ca_.root(), clock_.Now()));

  clock_.Advance(std::chrono::days(2));  // 16 of 30 days gone
  auto late = BasicOf(Respond(request));
  Certificate second = responder_->ResponderCertificate();
  EXPECT_NE(X509_cmp(second.get(), first.get()), 0);
  EXPECT_EQ(X509_cmp(sk_X509_value(OCSP_resp_get0_certs(late.get()), 0), second.get()), 0);
  EXPECT_TRUE(VerifiesAt(late.get(), ca_.root(), clock_.Now()));
}

TEST_F(OcspTest, FailedReissueKeepsTheOldResponder) {
  Device("leaf", OcspCertStatus::Good());
  std::string request = RequestDer(NewRequest({leaves_[0].cert.get()}, ca_.intermediate()).get());
  Certificate first = responder_->ResponderCertificate();
  // Past the intermediate's notAfter the issuer refuses to sign anything.
  clock_.Advance(std::chrono::days(6 * 365));
  PrivateKey key = *GenerateKey(KeyType::kP256);
  EXPECT_FALSE(ca_.issuer().IssueOcspResponder(key.get()).ok());
  std::string response = Respond(request);
  EXPECT_EQ(StatusOf(response), OcspResponseStatus::kSuccessful);
  EXPECT_EQ(X509_cmp(responder_->ResponderCertificate().get(), first.get()), 0);
}

TEST_F(OcspTest, ConcurrentRespondAcrossAReissue) {
  Device("leaf", OcspCertStatus::Good());
  std::string request = RequestDer(NewRequest({leaves_[0].cert.get()}, ca_.intermediate()).get());
  OcspLookup lookup = [](std::string_view) -> Result<OcspCertStatus> {
    return OcspCertStatus::Good();
  };
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (t == 0 && i == 5) clock_.Advance(std::chrono::days(16));
        Result<std::string> response = responder_->Respond(request, lookup);
        auto basic = response.ok() ? BasicOf(*response) : nullptr;
        if (!basic || !VerifiesAt(basic.get(), ca_.root(), clock_.Now())) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(OcspResponderCreateTest, RejectsBadOptions) {
  FakeClock clock(RealNow());
  TestCa ca(&clock);
  EXPECT_FALSE(OcspResponder::Create(nullptr).ok());
  OcspResponderOptions zero_validity;
  zero_validity.validity = Duration::zero();
  EXPECT_EQ(OcspResponder::Create(&ca.issuer(), zero_validity).status().code(),
            StatusCode::kInvalidArgument);
  OcspResponderOptions no_ids;
  no_ids.max_cert_ids = 0;
  EXPECT_FALSE(OcspResponder::Create(&ca.issuer(), no_ids).ok());
  OcspResponderOptions huge;
  huge.max_request_bytes = kMaxOcspRequestBytes + 1;
  EXPECT_FALSE(OcspResponder::Create(&ca.issuer(), huge).ok());
  EXPECT_TRUE(OcspResponder::Create(&ca.issuer()).ok());
}

TEST(OcspRequestFromBase64Test, DecodesStandardAndUrlSafeForms) {
  std::string der = "\x30\x03\x02\x01\xff\xfe";  // bytes that need '+' and '/' in base64
  EXPECT_EQ(*OcspRequestFromBase64("MAMCAf/+"), der);
  EXPECT_EQ(*OcspRequestFromBase64("MAMCAf_-"), der);
  EXPECT_EQ(*OcspRequestFromBase64("MAMCAf/ "), der);  // '+' turned into a space
  EXPECT_EQ(*OcspRequestFromBase64("MAMC\r\nAf/+"), der);
  EXPECT_EQ(*OcspRequestFromBase64("MAM="), std::string("\x30\x03", 2));
  EXPECT_EQ(*OcspRequestFromBase64("MAM"), std::string("\x30\x03", 2));
}

TEST(OcspRequestFromBase64Test, RejectsInvalidText) {
  for (const char* bad : {"", "====", "MA*=", "M", "MAMCA===", "MA%3D"}) {
    Result<std::string> der = OcspRequestFromBase64(bad);
    EXPECT_EQ(der.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  std::string huge((kMaxOcspRequestBytes / 3 + 2) * 4, 'A');
  EXPECT_EQ(OcspRequestFromBase64(huge).status().code(), StatusCode::kResourceExhausted);
}

TEST(OcspErrorResponseTest, CarriesTheStatusAndRefusesSuccessful) {
  for (auto status : {OcspResponseStatus::kMalformedRequest, OcspResponseStatus::kTryLater,
                      OcspResponseStatus::kUnauthorized}) {
    Result<std::string> der = OcspErrorResponse(status);
    ASSERT_TRUE(der.ok()) << der.status();
    EXPECT_EQ(*OcspResponseStatusOf(*der), status);
  }
  EXPECT_FALSE(OcspErrorResponse(OcspResponseStatus::kSuccessful).ok());
}

TEST(OcspResponseStatusOfTest, RejectsGarbage) {
  EXPECT_EQ(OcspResponseStatusOf("nope").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wott::pki
