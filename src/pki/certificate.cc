#include "pki/certificate.h"

#include <arpa/inet.h>
#include <openssl/pem.h>

#include <cctype>
#include <cstring>

#include "base/encoding.h"
#include "ossl/error.h"

namespace wott::pki {
namespace {

constexpr std::string_view kPemCertBegin = "-----BEGIN CERTIFICATE-----";

Result<ossl::UniquePtr<BIO>> MemBio(std::string_view data) {
  auto bio = ossl::Own(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return ossl::ErrorStatus(StatusCode::kInternal, "out of memory");
  return bio;
}

Status CheckSize(std::string_view data) {
  if (data.size() > kMaxChainBytes) {
    return ResourceExhausted("certificate data is larger than " +
                             std::to_string(kMaxChainBytes) + " bytes");
  }
  if (data.empty()) return InvalidArgument("certificate data is empty");
  return Status::Ok();
}

size_t CountOccurrences(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

Result<std::string> BioContents(BIO* bio) {
  BUF_MEM* mem = nullptr;
  BIO_get_mem_ptr(bio, &mem);
  if (mem == nullptr) return ossl::ErrorStatus(StatusCode::kInternal, "cannot encode");
  return std::string(mem->data, mem->length);
}

std::vector<std::string> AltNames(X509* cert, int type) {
  std::vector<std::string> out;
  auto names = ossl::Own(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != type) continue;
    if (type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {};
      int family = ip->length == 4 ? AF_INET : ip->length == 16 ? AF_INET6 : -1;
      if (family != -1 && inet_ntop(family, ip->data, buf, sizeof buf) != nullptr) {
        out.emplace_back(buf);
      }
    } else {
      const ASN1_IA5STRING* s = type == GEN_DNS ? gn->d.dNSName : gn->d.uniformResourceIdentifier;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  return out;
}

std::string NameString(const X509_NAME* name) {
  auto bio = ossl::Own(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  Result<std::string> s = BioContents(bio.get());
  return s.ok() ? *s : "";
}

TimePoint AsnTimeToTimePoint(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

Result<Certificate> ParseCertificatePem(std::string_view pem) {
  RETURN_IF_ERROR(CheckSize(pem));
  size_t blocks = CountOccurrences(pem, kPemCertBegin);
  if (blocks != 1) {
    return InvalidArgument(blocks == 0 ? "no PEM certificate found"
                                       : "expected one certificate, found " +
                                             std::to_string(blocks));
  }
  ASSIGN_OR_RETURN(auto bio, MemBio(pem));
  Certificate cert = ossl::Own(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return ossl::ErrorStatus(StatusCode::kInvalidArgument, "malformed PEM certificate");
  return cert;
}

Result<Certificate> ParseCertificateDer(std::string_view der) {
  RETURN_IF_ERROR(CheckSize(der));
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  Certificate cert = ossl::Own(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return ossl::ErrorStatus(StatusCode::kInvalidArgument, "malformed DER certificate");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return InvalidArgument("trailing data after DER certificate");
  }
  return cert;
}

Result<std::vector<Certificate>> ParseCertificateChainPem(std::string_view pem) {
  RETURN_IF_ERROR(CheckSize(pem));
  size_t blocks = CountOccurrences(pem, kPemCertBegin);
  if (blocks == 0) return InvalidArgument("no PEM certificate found");
  ASSIGN_OR_RETURN(auto bio, MemBio(pem));
  std::vector<Certificate> out;
  for (size_t i = 0; i < blocks; ++i) {
    Certificate cert = ossl::Own(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
      return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                               "malformed PEM certificate #" + std::to_string(i + 1));
    }
    out.push_back(std::move(cert));
  }
  return out;
}

Result<std::string> CertificateToPem(X509* cert) {
  auto bio = ossl::Own(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot encode certificate");
  }
  return BioContents(bio.get());
}

Result<std::string> CertificateToDer(X509* cert) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  if (len <= 0) return ossl::ErrorStatus(StatusCode::kInternal, "cannot encode certificate");
  std::string out(reinterpret_cast<char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

Result<std::string> ChainToPem(const std::vector<Certificate>& certs) {
  std::string out;
  for (const Certificate& c : certs) {
    ASSIGN_OR_RETURN(std::string pem, CertificateToPem(c.get()));
    out += pem;
  }
  return out;
}

namespace {
std::vector<uint8_t> Sha256Digest(X509* cert) {
  std::vector<uint8_t> md(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1) len = 0;
  md.resize(len);
  return md;
}
}  // namespace

std::string Sha256Fingerprint(X509* cert) { return HexEncode(Sha256Digest(cert)); }

std::string Sha256FingerprintColons(X509* cert) { return HexEncodeColons(Sha256Digest(cert)); }

Result<std::string> NormalizeFingerprint(std::string_view text) {
  std::string_view t = text;
  for (std::string_view prefix : {"sha256:", "SHA256:", "sha256=", "SHA256="}) {
    if (t.starts_with(prefix)) t.remove_prefix(prefix.size());
  }
  std::string out;
  for (char c : t) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return InvalidArgument("invalid SHA-256 fingerprint '" + std::string(text) + "'");
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() != 64) {
    return InvalidArgument("invalid SHA-256 fingerprint '" + std::string(text) +
                           "' (want 64 hex digits)");
  }
  return out;
}

std::string SerialHex(X509* cert) {
  auto bn = ossl::Own(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return "";
  if (BN_is_zero(bn.get())) return "0";
  char* hex = BN_bn2hex(bn.get());
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t nz = out.find_first_not_of('0');
  return nz == std::string::npos ? "0" : out.substr(nz);
}

TimePoint NotBefore(X509* cert) { return AsnTimeToTimePoint(X509_get0_notBefore(cert)); }
TimePoint NotAfter(X509* cert) { return AsnTimeToTimePoint(X509_get0_notAfter(cert)); }

std::string SubjectString(X509* cert) { return NameString(X509_get_subject_name(cert)); }
std::string IssuerString(X509* cert) { return NameString(X509_get_issuer_name(cert)); }

std::string CommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::vector<std::string> DnsNames(X509* cert) { return AltNames(cert, GEN_DNS); }
std::vector<std::string> UriNames(X509* cert) { return AltNames(cert, GEN_URI); }
std::vector<std::string> IpAddresses(X509* cert) { return AltNames(cert, GEN_IPADD); }

bool IsCa(X509* cert) { return X509_check_ca(cert) != 0 && (X509_get_extension_flags(cert) & EXFLAG_CA); }

}  // namespace wott::pki
