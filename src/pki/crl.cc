#include "pki/crl.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>


#include "ossl/error.h"

namespace wott::pki {
namespace {

Status Fail(std::string what) { return ossl::ErrorStatus(StatusCode::kInternal, std::move(what)); }

Result<ossl::UniquePtr<ASN1_INTEGER>> SerialFromHex(const std::string& hex) {
  if (hex.empty() || hex.size() > 40 ||
      hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return InvalidArgument("invalid certificate serial '" + hex + "'");
  }
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, hex.c_str()) == 0) return InvalidArgument("invalid serial '" + hex + "'");
  auto bn = ossl::Own(raw);
  auto serial = ossl::Own(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return Fail("cannot encode serial");
  return serial;
}

Status AddRevoked(X509_CRL* crl, const RevokedCertificate& entry) {
  ASSIGN_OR_RETURN(auto serial, SerialFromHex(entry.serial_hex));
  auto revoked = ossl::Own(X509_REVOKED_new());
  auto when = ossl::Own(
      ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(entry.revoked_at)));
  if (!revoked || !when || X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
    return Fail("cannot build CRL entry");
  }
  if (entry.reason != RevocationReason::kUnspecified) {
    auto code = ossl::Own(ASN1_ENUMERATED_new());
    if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(entry.reason)) != 1 ||
        X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, code.get(), 0, 0) != 1) {
      return Fail("cannot set revocation reason");
    }
  }
  if (X509_CRL_add0_revoked(crl, revoked.get()) != 1) return Fail("cannot add CRL entry");
  revoked.release();  // owned by the CRL now
  return Status::Ok();
}

}  // namespace

Result<Crl> BuildCrl(const Issuer& issuer, const std::vector<RevokedCertificate>& revoked,
                     uint64_t crl_number, Duration validity) {
  Crl crl = ossl::Own(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.certificate())) != 1) {
    return Fail("cannot build CRL");
  }
  TimePoint now = issuer.clock().Now();
  auto this_update = ossl::Own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(now)));
  auto next_update =
      ossl::Own(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(now + validity)));
  if (!this_update || !next_update || X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return Fail("cannot set CRL times");
  }
  for (const RevokedCertificate& entry : revoked) RETURN_IF_ERROR(AddRevoked(crl.get(), entry));

  auto number = ossl::Own(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return Fail("cannot set CRL number");
  }
  auto aki = ossl::Own(AUTHORITY_KEYID_new());
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issuer.certificate());
  if (!aki || ski == nullptr || (aki->keyid = ASN1_OCTET_STRING_dup(ski)) == nullptr ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki.get(), 0, 0) != 1) {
    return Fail("cannot set CRL authority key id");
  }
  if (X509_CRL_sort(crl.get()) != 1) return Fail("cannot sort CRL");
  RETURN_IF_ERROR(issuer.Sign(crl.get()));
  return crl;
}

Result<std::string> CrlToDer(X509_CRL* crl) {
  unsigned char* buf = nullptr;
  int len = i2d_X509_CRL(crl, &buf);
  if (len <= 0) return Fail("cannot encode CRL");
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

Result<std::string> CrlToPem(X509_CRL* crl) {
  auto bio = ossl::Own(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl) != 1) return Fail("cannot encode CRL");
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio.get(), &mem);
  return std::string(mem->data, mem->length);
}

Result<Crl> ParseCrlDer(std::string_view der) {
  if (der.size() > 64 * 1024 * 1024) return ResourceExhausted("CRL is too large");
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Crl crl = ossl::Own(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return ossl::ErrorStatus(StatusCode::kInvalidArgument, "malformed DER CRL");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument("trailing data after DER CRL");
  }
  return crl;
}

Result<Crl> ParseCrlPem(std::string_view pem) {
  if (pem.size() > 64 * 1024 * 1024) return ResourceExhausted("CRL is too large");
  auto bio = ossl::Own(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Crl crl = ossl::Own(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!crl) return ossl::ErrorStatus(StatusCode::kInvalidArgument, "malformed PEM CRL");
  return crl;
}

}  // namespace wott::pki
