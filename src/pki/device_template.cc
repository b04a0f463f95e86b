#include "pki/device_template.h"

#include <openssl/x509v3.h>

#include <array>
#include <ctime>

#include "base/encoding.h"
#include "ossl/digest.h"
#include "ossl/error.h"
#include "ossl/random.h"

namespace wott::pki {
namespace {

// DER tags used below.
constexpr uint8_t kInteger = 0x02;
constexpr uint8_t kBitString = 0x03;
constexpr uint8_t kOctetString = 0x04;
constexpr uint8_t kUtf8String = 0x0c;
constexpr uint8_t kUtcTime = 0x17;
constexpr uint8_t kGeneralizedTime = 0x18;
constexpr uint8_t kSequence = 0x30;
constexpr uint8_t kSet = 0x31;
constexpr uint8_t kExplicit3 = 0xa3;  // [3] EXPLICIT: the TBSCertificate's extensions
constexpr uint8_t kSanDns = 0x82;     // GeneralName dNSName [2] IMPLICIT IA5String
constexpr uint8_t kSanUri = 0x86;     // GeneralName uniformResourceIdentifier [6]
constexpr std::string_view kVersion3("\xa0\x03\x02\x01\x02", 5);
constexpr std::string_view kOidOrganization("\x06\x03\x55\x04\x0a", 5);
constexpr std::string_view kOidCommonName("\x06\x03\x55\x04\x03", 5);
constexpr std::string_view kOidSubjectAltName("\x06\x03\x55\x1d\x11", 5);
constexpr std::string_view kOidSubjectKeyId("\x06\x03\x55\x1d\x0e", 5);

// AlgorithmIdentifier of the signature X509_sign makes with each CA key type (SHA-256, or
// EdDSA without a digest), as OpenSSL encodes it.
constexpr std::string_view kEcdsaWithSha256("\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 12);
constexpr std::string_view kEd25519("\x30\x05\x06\x03\x2b\x65\x70", 7);
constexpr std::string_view kSha256WithRsa(
    "\x30\x0d\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b\x05\x00", 15);

void AppendTlv(std::string& out, uint8_t tag, std::string_view content) {
  out.push_back(static_cast<char>(tag));
  size_t len = content.size();
  if (len < 0x80) {
    out.push_back(static_cast<char>(len));
  } else {
    std::array<char, sizeof(size_t)> bytes;
    size_t n = 0;
    for (; len > 0; len >>= 8) bytes[n++] = static_cast<char>(len & 0xff);
    out.push_back(static_cast<char>(0x80 | n));
    while (n > 0) out.push_back(bytes[--n]);
  }
  out.append(content);
}

std::string Tlv(uint8_t tag, std::string_view content) {
  std::string out;
  out.reserve(content.size() + 6);
  AppendTlv(out, tag, content);
  return out;
}

// A Time as ASN1_TIME_set writes it: UTCTime for 1950-2049, GeneralizedTime otherwise.
Status AppendTime(std::string& out, TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  if (gmtime_r(&seconds, &tm) == nullptr) return Internal("certificate time out of range");
  int year = tm.tm_year + 1900;
  char text[32];
  int n;
  uint8_t tag;
  if (year >= 1950 && year < 2050) {
    tag = kUtcTime;
    n = std::snprintf(text, sizeof(text), "%02d%02d%02d%02d%02d%02dZ", year % 100, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  } else if (year >= 0 && year <= 9999) {
    tag = kGeneralizedTime;
    n = std::snprintf(text, sizeof(text), "%04d%02d%02d%02d%02d%02dZ", year, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  } else {
    return Internal("certificate time out of range");
  }
  AppendTlv(out, tag, std::string_view(text, static_cast<size_t>(n)));
  return Status::Ok();
}

// SEQUENCE { extnID, [critical,] extnValue OCTET STRING } for a non-critical extension.
void AppendExtension(std::string& out, std::string_view oid, std::string_view value) {
  std::string ext(oid);
  AppendTlv(ext, kOctetString, value);
  AppendTlv(out, kSequence, ext);
}

TimePoint WholeSeconds(TimePoint t) {
  return std::chrono::system_clock::from_time_t(std::chrono::system_clock::to_time_t(t));
}

}  // namespace

bool DeviceCertTemplate::Encodable(std::string_view value) {
  if (value.empty() || value.size() > 64) return false;
  for (char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

Result<std::unique_ptr<DeviceCertTemplate>> DeviceCertTemplate::Create(const Parts& parts) {
  std::unique_ptr<DeviceCertTemplate> t(new DeviceCertTemplate());
  switch (EVP_PKEY_get_base_id(parts.ca_key)) {
    case EVP_PKEY_EC:
      t->signature_algorithm_ = kEcdsaWithSha256;
      break;
    case EVP_PKEY_ED25519:
      t->signature_algorithm_ = kEd25519;
      break;
    case EVP_PKEY_RSA:
      t->signature_algorithm_ = kSha256WithRsa;
      break;
    default:
      return std::unique_ptr<DeviceCertTemplate>();
  }
  if (!parts.organization.empty()) {
    if (!Encodable(parts.organization)) return std::unique_ptr<DeviceCertTemplate>();
    std::string atv(kOidOrganization);
    AppendTlv(atv, kUtf8String, parts.organization);
    t->organization_rdn_ = Tlv(kSet, Tlv(kSequence, atv));
  }
  unsigned char* name = nullptr;
  int name_len = i2d_X509_NAME(parts.issuer_name, &name);
  if (name_len <= 0) return ossl::ErrorStatus(StatusCode::kInternal, "cannot encode issuer name");
  t->issuer_name_.assign(reinterpret_cast<char*>(name), static_cast<size_t>(name_len));
  OPENSSL_free(name);
  t->extensions_before_san_ = parts.extensions_before_san;
  t->extensions_after_ski_ = parts.extensions_after_ski;

  const bool eddsa = EVP_PKEY_get_base_id(parts.ca_key) == EVP_PKEY_ED25519;
  t->sign_template_ = ossl::Own(EVP_MD_CTX_new());
  if (!t->sign_template_ ||
      EVP_DigestSignInit_ex(t->sign_template_.get(), nullptr, eddsa ? nullptr : "SHA256", nullptr,
                            nullptr, parts.ca_key, nullptr) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot set up the CA signing context");
  }
  return t;
}

Result<EncodedCertificate> DeviceCertTemplate::Issue(std::string_view common_name,
                                                     std::string_view uri, X509_PUBKEY* spki,
                                                     TimePoint not_before,
                                                     TimePoint not_after) const {
  EncodedCertificate out;
  out.not_before = WholeSeconds(not_before);
  out.not_after = WholeSeconds(not_after);

  // A random positive serial of 127 bits, its top bits 01 as in issuer.cc.
  std::array<uint8_t, 16> serial;
  RETURN_IF_ERROR(ossl::RandomBytes(serial));
  serial[0] &= 0x7f;
  serial[0] |= 0x40;
  out.serial_hex = HexEncode(serial);

  unsigned char* spki_der = nullptr;
  int spki_len = i2d_X509_PUBKEY(spki, &spki_der);
  const unsigned char* key_bits = nullptr;
  int key_len = 0;
  if (spki_len <= 0 || X509_PUBKEY_get0_param(nullptr, &key_bits, &key_len, nullptr, spki) != 1) {
    OPENSSL_free(spki_der);
    return InvalidArgument("malformed public key");
  }
  std::string_view spki_view(reinterpret_cast<char*>(spki_der), static_cast<size_t>(spki_len));
  // RFC 5280 method 1, as X509_pubkey_digest: SHA-1 of the subjectPublicKey bits.
  unsigned char ski[EVP_MAX_MD_SIZE];
  unsigned int ski_len = 0;
  if (EVP_Digest(key_bits, static_cast<size_t>(key_len), ski, &ski_len, ossl::Sha1(), nullptr) !=
      1) {
    OPENSSL_free(spki_der);
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot hash key");
  }

  std::string tbs;
  tbs.reserve(1024);
  tbs.append(kVersion3);
  AppendTlv(tbs, kInteger,
            std::string_view(reinterpret_cast<const char*>(serial.data()), serial.size()));
  tbs.append(signature_algorithm_);
  tbs.append(issuer_name_);
  std::string validity;
  RETURN_IF_ERROR(AppendTime(validity, out.not_before));
  RETURN_IF_ERROR(AppendTime(validity, out.not_after));
  AppendTlv(tbs, kSequence, validity);
  std::string cn(kOidCommonName);
  AppendTlv(cn, kUtf8String, common_name);
  AppendTlv(tbs, kSequence, organization_rdn_ + Tlv(kSet, Tlv(kSequence, cn)));
  tbs.append(spki_view);
  OPENSSL_free(spki_der);

  std::string extensions = extensions_before_san_;
  std::string names;
  AppendTlv(names, kSanDns, common_name);
  AppendTlv(names, kSanUri, uri);
  AppendExtension(extensions, kOidSubjectAltName, Tlv(kSequence, names));
  AppendExtension(extensions, kOidSubjectKeyId,
                  Tlv(kOctetString, std::string_view(reinterpret_cast<char*>(ski), ski_len)));
  extensions.append(extensions_after_ski_);
  AppendTlv(tbs, kExplicit3, Tlv(kSequence, extensions));
  std::string tbs_der = Tlv(kSequence, tbs);

  // One copy of the prepared context per signature: no digest or signature fetch, no key
  // set-up. FINALISE lets the final step sign in place instead of duplicating the context.
  auto ctx = ossl::Own(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), sign_template_.get()) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot copy the signing context");
  }
  EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
  std::array<unsigned char, 1024> signature;  // RSA-8192 at most
  size_t signature_len = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &signature_len,
                     reinterpret_cast<const unsigned char*>(tbs_der.data()), tbs_der.size()) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot sign");
  }
  std::string bits(1, '\0');  // no unused bits
  bits.append(reinterpret_cast<char*>(signature.data()), signature_len);
  std::string cert = std::move(tbs_der);
  cert.append(signature_algorithm_);
  AppendTlv(cert, kBitString, bits);
  out.der = Tlv(kSequence, cert);
  return out;
}

std::string DerToPem(std::string_view der, std::string_view label) {
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  out.reserve(out.size() * 2 + der.size() * 4 / 3 + der.size() / 48 + 8);
  unsigned char line[65];
  for (size_t i = 0; i < der.size(); i += 48) {
    int chunk = static_cast<int>(std::min<size_t>(48, der.size() - i));
    int n = EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + i), chunk);
    out.append(reinterpret_cast<char*>(line), static_cast<size_t>(n));
    out.push_back('\n');
  }
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

}  // namespace wott::pki
