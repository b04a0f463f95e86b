#include "pki/ocsp.h"

#include <openssl/err.h>
#include <openssl/ocsp.h>

#include <algorithm>
#include <cctype>

#include "ossl/error.h"

namespace wott::pki {
namespace {

using ResponseStatus = OcspResponseStatus;

// RFC 8954 2.1: a nonce is 1 to 32 octets.
constexpr size_t kMaxNonceBytes = 32;
// RFC 5280 4.1.2.2: serials are at most 20 octets; a longer one cannot be ours.
constexpr int kMaxSerialBytes = 20;
// How long to wait before retrying a failed responder certificate re-issue.
constexpr Duration kReissueRetry = std::chrono::minutes(1);

Status Fail(std::string what) { return ossl::ErrorStatus(StatusCode::kInternal, std::move(what)); }

Result<std::string> ResponseToDer(OCSP_RESPONSE* response) {
  unsigned char* der = nullptr;
  int len = i2d_OCSP_RESPONSE(response, &der);
  if (len <= 0 || der == nullptr) return Fail("cannot encode the OCSP response");
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

ossl::UniquePtr<ASN1_STRING> GeneralizedTime(TimePoint t) {
  return ossl::Own(ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
}

// The serial as SerialHex prints it, or "" when it cannot be one of ours (negative, or
// longer than RFC 5280 allows).
std::string SerialHexOf(const ASN1_INTEGER* serial) {
  auto bn = ossl::Own(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_negative(bn.get()) || BN_num_bytes(bn.get()) > kMaxSerialBytes) return "";
  if (BN_is_zero(bn.get())) return "0";
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return "";
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t nz = out.find_first_not_of('0');
  return nz == std::string::npos ? "0" : out.substr(nz);
}

// Checks the nonce (RFC 8954: one extension, 1 to 32 octets) and that no critical
// extension we do not understand is present, in the request and in each single request.
bool ExtensionsAcceptable(OCSP_REQUEST* request) {
  int nonce_count = 0;
  for (int i = 0; i < OCSP_REQUEST_get_ext_count(request); ++i) {
    X509_EXTENSION* ext = OCSP_REQUEST_get_ext(request, i);
    int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (nid == NID_id_pkix_OCSP_Nonce) {
      ++nonce_count;
      const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
      // The value is an OCTET STRING holding the nonce; some clients send the raw bytes.
      const unsigned char* p = ASN1_STRING_get0_data(value);
      const unsigned char* end = p + ASN1_STRING_length(value);
      ERR_set_mark();  // a raw nonce leaves a parse error behind
      auto inner = ossl::Own(d2i_ASN1_OCTET_STRING(nullptr, &p, ASN1_STRING_length(value)));
      ERR_pop_to_mark();
      size_t size = (inner && p == end) ? static_cast<size_t>(ASN1_STRING_length(inner.get()))
                                        : static_cast<size_t>(ASN1_STRING_length(value));
      if (size == 0 || size > kMaxNonceBytes) return false;
    } else if (nid == NID_id_pkix_OCSP_acceptableResponses) {
      // We always answer with a basic response, the one every client accepts.
    } else if (X509_EXTENSION_get_critical(ext)) {
      return false;
    }
  }
  if (nonce_count > 1) return false;
  for (int i = 0; i < OCSP_request_onereq_count(request); ++i) {
    OCSP_ONEREQ* one = OCSP_request_onereq_get0(request, i);
    for (int j = 0; j < OCSP_ONEREQ_get_ext_count(one); ++j) {
      if (X509_EXTENSION_get_critical(OCSP_ONEREQ_get_ext(one, j))) return false;
    }
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<OcspResponder>> OcspResponder::Create(const Issuer* issuer,
                                                             OcspResponderOptions options) {
  if (issuer == nullptr) return InvalidArgument("OCSP responder needs an issuer");
  if (options.validity <= Duration::zero()) {
    return InvalidArgument("OCSP response validity must be positive");
  }
  if (options.responder_lifetime < std::chrono::hours(1)) {
    return InvalidArgument("OCSP responder certificate lifetime must be at least 1h");
  }
  if (options.max_cert_ids == 0) return InvalidArgument("max_cert_ids must be at least 1");
  if (options.max_request_bytes == 0 || options.max_request_bytes > kMaxOcspRequestBytes) {
    return InvalidArgument("max_request_bytes must be 1 to " +
                           std::to_string(kMaxOcspRequestBytes));
  }
  std::unique_ptr<OcspResponder> responder(new OcspResponder(issuer, options));
  X509* ca = issuer->certificate();
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha224(), EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
    auto id = ossl::Own(OCSP_cert_to_id(md, nullptr, ca));
    if (!id) return Fail("cannot hash the CA certificate");
    responder->ca_ids_.push_back(std::move(id));
  }
  responder->extra_certs_ = ossl::Own(sk_X509_new_null());
  ossl::UniquePtr<X509> ca_ref = ossl::UpRef(ca);
  if (!responder->extra_certs_ || sk_X509_push(responder->extra_certs_.get(), ca_ref.get()) <= 0) {
    return Fail("out of memory");
  }
  ca_ref.release();  // owned by the stack now
  ASSIGN_OR_RETURN(responder->signer_, responder->IssueSigner());
  return responder;
}

Result<std::shared_ptr<const OcspResponder::Signer>> OcspResponder::IssueSigner() const {
  ASSIGN_OR_RETURN(PrivateKey key, GenerateKey(KeyType::kP256));
  Result<Certificate> cert = issuer_->IssueOcspResponder(key.get(), options_.responder_lifetime);
  if (!cert.ok()) return cert.status().WithContext("OCSP responder certificate");
  auto signer = std::make_shared<Signer>();
  TimePoint not_before = NotBefore(cert->get());
  signer->refresh_at = not_before + (NotAfter(cert->get()) - not_before) / 2;
  signer->cert = std::move(*cert);
  signer->key = std::move(key);
  return std::shared_ptr<const Signer>(std::move(signer));
}

std::shared_ptr<const OcspResponder::Signer> OcspResponder::CurrentSigner() const {
  TimePoint now = issuer_->clock().Now();
  std::shared_ptr<const Signer> current;
  {
    std::lock_guard<std::mutex> lock(mu_);
    current = signer_;
    if (now < current->refresh_at || now < next_attempt_) return current;
  }
  // Due for re-issue. One thread does it; the others keep signing with the current one.
  std::unique_lock<std::mutex> reissuing(reissue_mu_, std::try_to_lock);
  if (!reissuing.owns_lock()) return current;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (signer_ != current) return signer_;  // another thread just swapped it
  }
  Result<std::shared_ptr<const Signer>> fresh = IssueSigner();
  std::lock_guard<std::mutex> lock(mu_);
  if (!fresh.ok()) {
    next_attempt_ = now + kReissueRetry;  // keep the old certificate meanwhile
    return signer_;
  }
  signer_ = std::move(*fresh);
  return signer_;
}

Certificate OcspResponder::ResponderCertificate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ossl::UpRef(signer_->cert.get());
}

Result<std::string> OcspResponder::Respond(std::string_view request_der,
                                           const OcspLookup& lookup) const {
  if (request_der.empty() || request_der.size() > options_.max_request_bytes) {
    return OcspErrorResponse(ResponseStatus::kMalformedRequest);
  }
  const unsigned char* begin = reinterpret_cast<const unsigned char*>(request_der.data());
  const unsigned char* p = begin;
  auto request = ossl::Own(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(request_der.size())));
  if (!request || p != begin + request_der.size()) {
    ossl::DrainErrors();
    return OcspErrorResponse(ResponseStatus::kMalformedRequest);
  }
  int count = OCSP_request_onereq_count(request.get());
  if (count <= 0 || static_cast<size_t>(count) > options_.max_cert_ids ||
      !ExtensionsAcceptable(request.get())) {
    return OcspErrorResponse(ResponseStatus::kMalformedRequest);
  }

  // Every CertID must name our CA before we look anything up.
  std::vector<OCSP_CERTID*> ids;
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    bool ours = std::any_of(ca_ids_.begin(), ca_ids_.end(), [id](const auto& ca_id) {
      return OCSP_id_issuer_cmp(ca_id.get(), id) == 0;
    });
    if (!ours) return OcspErrorResponse(ResponseStatus::kUnauthorized);
    // The response copies each CertID by re-encoding it; one that does not parse back (odd
    // hashAlgorithm parameters, found by fuzz_ocsp_request) is a malformed request.
    if (!ossl::Own(OCSP_CERTID_dup(id))) {
      ossl::DrainErrors();
      return OcspErrorResponse(ResponseStatus::kMalformedRequest);
    }
    ids.push_back(id);
  }

  TimePoint now = issuer_->clock().Now();
  auto this_update = GeneralizedTime(now);
  auto next_update = GeneralizedTime(now + options_.validity);
  auto basic = ossl::Own(OCSP_BASICRESP_new());
  if (!this_update || !next_update || !basic) return Fail("out of memory");
  for (OCSP_CERTID* id : ids) {
    ASN1_INTEGER* serial = nullptr;
    if (OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id) != 1 || serial == nullptr) {
      return OcspErrorResponse(ResponseStatus::kMalformedRequest);
    }
    std::string serial_hex = SerialHexOf(serial);
    OcspCertStatus status = OcspCertStatus::Unknown();
    if (!serial_hex.empty()) {
      Result<OcspCertStatus> found = lookup(serial_hex);
      if (!found.ok()) {
        return OcspErrorResponse(found.status().code() == StatusCode::kUnavailable
                                     ? ResponseStatus::kTryLater
                                     : ResponseStatus::kInternalError);
      }
      status = *found;
    }
    int code = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    ossl::UniquePtr<ASN1_STRING> revoked_at;
    if (status.kind == OcspCertStatus::Kind::kGood) {
      code = V_OCSP_CERTSTATUS_GOOD;
    } else if (status.kind == OcspCertStatus::Kind::kRevoked) {
      code = V_OCSP_CERTSTATUS_REVOKED;
      revoked_at = GeneralizedTime(status.revoked_at);
      if (!revoked_at) return Fail("out of memory");
      // As in the CRL, an unspecified reason is left out (RFC 5280 5.3.1).
      if (status.reason != RevocationReason::kUnspecified) reason = static_cast<int>(status.reason);
    }
    if (OCSP_basic_add1_status(basic.get(), id, code, reason, revoked_at.get(), this_update.get(),
                               next_update.get()) == nullptr) {
      return Fail("cannot add an OCSP single response");
    }
  }
  // 1 = copied, 2 = the request had no nonce, 0 = error.
  if (OCSP_copy_nonce(basic.get(), request.get()) <= 0) return Fail("cannot copy the nonce");

  std::shared_ptr<const Signer> signer = CurrentSigner();
  // producedAt comes from our clock, not OpenSSL's time(): OCSP_NOTIME leaves it to us.
  auto* produced_at = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic.get()));
  if (produced_at == nullptr ||
      ASN1_GENERALIZEDTIME_set(produced_at, std::chrono::system_clock::to_time_t(now)) == nullptr) {
    return Fail("cannot set producedAt");
  }
  if (OCSP_basic_sign(basic.get(), signer->cert.get(), signer->key.get(), EVP_sha256(),
                      extra_certs_.get(), OCSP_RESPID_KEY | OCSP_NOTIME) != 1) {
    return Fail("cannot sign the OCSP response");
  }
  auto response = ossl::Own(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!response) return Fail("cannot build the OCSP response");
  return ResponseToDer(response.get());
}

Result<std::string> OcspRequestFromBase64(std::string_view text) {
  std::string b64;
  b64.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\t') continue;
    if (c == '-') c = '+';  // URL-safe alphabet
    if (c == '_') c = '/';
    if (c == ' ') c = '+';  // a '+' that something form-decoded on the way
    b64.push_back(c);
  }
  size_t padding = 0;
  while (!b64.empty() && b64.back() == '=') {
    b64.pop_back();
    ++padding;
  }
  bool alphabet_ok = std::all_of(b64.begin(), b64.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
  if (b64.empty() || !alphabet_ok || padding > 2 || b64.size() % 4 == 1) {
    return InvalidArgument("the OCSP request is not valid base64");
  }
  if (b64.size() / 4 * 3 > kMaxOcspRequestBytes) {
    return ResourceExhausted("the OCSP request is larger than " +
                             std::to_string(kMaxOcspRequestBytes) + " bytes");
  }
  size_t missing = (4 - b64.size() % 4) % 4;
  b64.append(missing, '=');
  std::string der(b64.size() / 4 * 3, '\0');
  int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()),
                            static_cast<int>(b64.size()));
  if (len < 0) {
    ossl::DrainErrors();
    return InvalidArgument("the OCSP request is not valid base64");
  }
  // EVP_DecodeBlock counts the zero bytes that '=' padding stands for.
  der.resize(static_cast<size_t>(len) - missing);
  return der;
}

Result<std::string> OcspErrorResponse(OcspResponseStatus status) {
  if (status == OcspResponseStatus::kSuccessful) {
    return Internal("a successful OCSP response must be signed");
  }
  auto response = ossl::Own(OCSP_response_create(static_cast<int>(status), nullptr));
  if (!response) return Fail("cannot build the OCSP response");
  return ResponseToDer(response.get());
}

Result<OcspResponseStatus> OcspResponseStatusOf(std::string_view response_der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(response_der.data());
  auto response = ossl::Own(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(response_der.size())));
  if (!response) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument, "not a valid OCSP response");
  }
  return static_cast<OcspResponseStatus>(OCSP_response_status(response.get()));
}

}  // namespace wott::pki
