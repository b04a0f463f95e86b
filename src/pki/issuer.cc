#include "pki/issuer.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <array>

#include "ossl/error.h"
#include "ossl/random.h"

namespace wott::pki {

// What varies between certificate profiles.
struct Issuer::Spec {
  std::string common_name;
  bool is_ca = false;
  int path_length = -1;  // -1: no pathLenConstraint
  std::vector<int> key_usage_bits;
  std::vector<int> extended_key_usage_nids;
  std::vector<std::string> dns_names;
  std::vector<std::string> uris;
  std::vector<std::string> ip_addresses;
  bool revocation_pointers = false;  // CRL DP + OCSP URL when a public URL is configured
  bool ocsp_no_check = false;
};

namespace {

// keyUsage bit positions (RFC 5280 4.2.1.3).
constexpr int kDigitalSignature = 0;
constexpr int kKeyEncipherment = 2;
constexpr int kKeyCertSign = 5;
constexpr int kCrlSign = 6;

Status Fail(std::string what) { return ossl::ErrorStatus(StatusCode::kInternal, std::move(what)); }

const EVP_MD* DigestFor(EVP_PKEY* key) {
  // EdDSA signs the message itself; every other key type signs a SHA-256 digest.
  return EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
}

// A random positive serial of 127 bits (16 octets with the top bit clear), far above the
// 64 bits CA/B rules ask for and within the 20-octet limit of RFC 5280.
Status SetRandomSerial(X509* cert) {
  std::array<uint8_t, 16> bytes;
  RETURN_IF_ERROR(ossl::RandomBytes(bytes));
  bytes[0] &= 0x7f;
  bytes[0] |= 0x40;  // keep the full length so serials are all the same size
  auto bn = ossl::Own(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return Fail("cannot set serial number");
  }
  return Status::Ok();
}

Status SetValidity(X509* cert, TimePoint not_before, TimePoint not_after) {
  auto to_time_t = [](TimePoint t) { return std::chrono::system_clock::to_time_t(t); };
  if (ASN1_TIME_set(X509_getm_notBefore(cert), to_time_t(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), to_time_t(not_after)) == nullptr) {
    return Fail("cannot set validity");
  }
  return Status::Ok();
}

Result<ossl::UniquePtr<X509_NAME>> MakeName(std::string_view organization,
                                            std::string_view common_name) {
  auto name = ossl::Own(X509_NAME_new());
  auto add = [&](int nid, std::string_view value) {
    return value.empty() ||
           X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  if (!name || !add(NID_organizationName, organization) || !add(NID_commonName, common_name)) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument, "invalid subject name");
  }
  return name;
}

Status AddBasicConstraints(X509* cert, bool is_ca, int path_length) {
  auto bc = ossl::Own(BASIC_CONSTRAINTS_new());
  if (!bc) return Fail("out of memory");
  bc->ca = is_ca ? 0xff : 0;
  if (path_length >= 0) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, path_length) != 1) {
      return Fail("cannot set path length");
    }
  }
  if (X509_add1_ext_i2d(cert, NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT) != 1) {
    return Fail("cannot add basicConstraints");
  }
  return Status::Ok();
}

Status AddKeyUsage(X509* cert, const std::vector<int>& bits) {
  auto ku = ossl::Own(ASN1_BIT_STRING_new());
  if (!ku) return Fail("out of memory");
  for (int bit : bits) {
    if (ASN1_BIT_STRING_set_bit(ku.get(), bit, 1) != 1) return Fail("cannot set key usage");
  }
  if (X509_add1_ext_i2d(cert, NID_key_usage, ku.get(), 1, X509V3_ADD_DEFAULT) != 1) {
    return Fail("cannot add keyUsage");
  }
  return Status::Ok();
}

Status AddExtendedKeyUsage(X509* cert, const std::vector<int>& nids) {
  if (nids.empty()) return Status::Ok();
  auto eku = ossl::Own(sk_ASN1_OBJECT_new_null());
  if (!eku) return Fail("out of memory");
  for (int nid : nids) {
    // OBJ_nid2obj returns a static object; ASN1_OBJECT_free ignores those.
    if (sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(nid)) <= 0) return Fail("out of memory");
  }
  if (X509_add1_ext_i2d(cert, NID_ext_key_usage, eku.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return Fail("cannot add extendedKeyUsage");
  }
  return Status::Ok();
}

Status PushName(GENERAL_NAMES* names, int type, std::string_view value) {
  ossl::UniquePtr<GENERAL_NAME> gn;
  if (type == GEN_IPADD) {
    std::string text(value);
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(text.c_str());
    if (ip == nullptr) return InvalidArgument("invalid IP address '" + text + "'");
    gn = ossl::Own(GENERAL_NAME_new());
    if (!gn) {
      ASN1_OCTET_STRING_free(ip);
      return Fail("out of memory");
    }
    GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, ip);
  } else {
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    if (s == nullptr || ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
      ASN1_IA5STRING_free(s);
      return Fail("out of memory");
    }
    gn = ossl::Own(GENERAL_NAME_new());
    if (!gn) {
      ASN1_IA5STRING_free(s);
      return Fail("out of memory");
    }
    GENERAL_NAME_set0_value(gn.get(), type, s);
  }
  if (sk_GENERAL_NAME_push(names, gn.get()) <= 0) return Fail("out of memory");
  gn.release();  // now owned by the stack
  return Status::Ok();
}

Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns,
                          const std::vector<std::string>& uris,
                          const std::vector<std::string>& ips) {
  if (dns.empty() && uris.empty() && ips.empty()) return Status::Ok();
  auto names = ossl::Own(GENERAL_NAMES_new());
  if (!names) return Fail("out of memory");
  for (const auto& d : dns) RETURN_IF_ERROR(PushName(names.get(), GEN_DNS, d));
  for (const auto& u : uris) RETURN_IF_ERROR(PushName(names.get(), GEN_URI, u));
  for (const auto& i : ips) RETURN_IF_ERROR(PushName(names.get(), GEN_IPADD, i));
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return Fail("cannot add subjectAltName");
  }
  return Status::Ok();
}

// Adds the subjectKeyIdentifier and returns its value. (X509_get0_subject_key_id cannot be
// used on a certificate that is not signed yet.)
Result<ossl::UniquePtr<ASN1_OCTET_STRING>> AddSubjectKeyId(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // RFC 5280 method 1: SHA-1 of the subjectPublicKey bits.
  if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) return Fail("cannot hash key");
  auto ski = ossl::Own(ASN1_OCTET_STRING_new());
  if (!ski || ASN1_OCTET_STRING_set(ski.get(), md, static_cast<int>(len)) != 1 ||
      X509_add1_ext_i2d(cert, NID_subject_key_identifier, ski.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return Fail("cannot add subjectKeyIdentifier");
  }
  return ski;
}

// An authorityKeyIdentifier extension naming the key whose SKI is `ski`.
Result<ossl::UniquePtr<X509_EXTENSION>> MakeAuthorityKeyId(const ASN1_OCTET_STRING* ski) {
  auto aki = ossl::Own(AUTHORITY_KEYID_new());
  if (!aki || (aki->keyid = ASN1_OCTET_STRING_dup(ski)) == nullptr) return Fail("out of memory");
  auto ext = ossl::Own(X509V3_EXT_i2d(NID_authority_key_identifier, 0, aki.get()));
  if (!ext) return Fail("cannot build authorityKeyIdentifier");
  return ext;
}

Result<ossl::UniquePtr<X509_EXTENSION>> MakeConfExtension(int nid, const std::string& value) {
  auto ext = ossl::Own(X509V3_EXT_conf_nid(nullptr, nullptr, nid, value.c_str()));
  if (!ext) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "invalid public URL for certificate extension: " + value);
  }
  return ext;
}

bool IsIpAddress(const std::string& s) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(s.c_str());
  ASN1_OCTET_STRING_free(ip);
  return ip != nullptr;
}

// Copies the algorithm and key bits of `from` into `cert`'s (empty) public key field.
Status CopyPublicKey(X509* cert, X509_PUBKEY* from) {
  ASN1_OBJECT* algorithm = nullptr;
  const unsigned char* key_bits = nullptr;
  int key_len = 0;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(&algorithm, &key_bits, &key_len, &algor, from) != 1) {
    return InvalidArgument("malformed public key");
  }
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(nullptr, &param_type, &param, algor);
  void* param_copy = nullptr;  // named curve OID (EC), absent (Ed25519) or NULL (RSA)
  if (param_type == V_ASN1_OBJECT) {
    param_copy = OBJ_dup(static_cast<const ASN1_OBJECT*>(param));
  } else if (param_type == V_ASN1_SEQUENCE) {
    param_copy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(param));
  }
  auto algorithm_copy = ossl::Own(OBJ_dup(algorithm));
  unsigned char* bits_copy = static_cast<unsigned char*>(OPENSSL_memdup(key_bits, key_len));
  if (!algorithm_copy || bits_copy == nullptr || (param != nullptr && param_copy == nullptr) ||
      X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), algorithm_copy.get(), param_type,
                             param_copy, bits_copy, key_len) != 1) {
    OPENSSL_free(bits_copy);
    if (param_type == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(param_copy));
    if (param_type == V_ASN1_SEQUENCE) ASN1_STRING_free(static_cast<ASN1_STRING*>(param_copy));
    return Fail("cannot copy public key");
  }
  algorithm_copy.release();  // owned by the certificate now, like the copies above
  return Status::Ok();
}

// Builds the parts every profile shares; the caller adds extensions and signs. The public
// key comes from `spki` when given, else from `public_key`.
Result<Certificate> NewCertificate(EVP_PKEY* public_key, X509_PUBKEY* spki, X509_NAME* subject,
                                   X509_NAME* issuer, TimePoint not_before, TimePoint not_after) {
  Certificate cert = ossl::Own(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return Fail("out of memory");
  RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  RETURN_IF_ERROR(SetValidity(cert.get(), not_before, not_after));
  if (X509_set_subject_name(cert.get(), subject) != 1 ||
      X509_set_issuer_name(cert.get(), issuer) != 1) {
    return Fail("cannot set certificate names");
  }
  if (spki != nullptr) {
    RETURN_IF_ERROR(CopyPublicKey(cert.get(), spki));
  } else if (X509_set_pubkey(cert.get(), public_key) != 1) {
    return Fail("cannot set public key");
  }
  return cert;
}

// Appends the DER of each of `cert`'s extensions to `out`.
Status AppendExtensions(X509* cert, std::string& out) {
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    unsigned char* der = nullptr;
    int len = i2d_X509_EXTENSION(X509_get_ext(cert, i), &der);
    if (len <= 0) return Fail("cannot encode extension");
    out.append(reinterpret_cast<char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<DeviceCertTemplate>> Issuer::MakeDeviceTemplate() const {
  // The device profile's fixed extensions, made by the same calls Issue makes (DeviceSpec:
  // basicConstraints, keyUsage, EKU; then, after SAN and SKI, AKI and the revocation
  // pointers), so the template holds exactly the bytes the generic path encodes.
  DeviceCertTemplate::Parts parts;
  parts.ca_key = key_.get();
  parts.issuer_name = X509_get_subject_name(cert_.get());
  parts.organization = options_.organization;
  ASSIGN_OR_RETURN(DeviceId any_id, DeviceId::Parse(std::string(32, '0'), options_.domain));
  Spec spec = DeviceSpec(any_id);
  auto before = ossl::Own(X509_new());
  auto after = ossl::Own(X509_new());
  if (!before || !after) return Fail("out of memory");
  RETURN_IF_ERROR(AddBasicConstraints(before.get(), spec.is_ca, spec.path_length));
  RETURN_IF_ERROR(AddKeyUsage(before.get(), spec.key_usage_bits));
  RETURN_IF_ERROR(AddExtendedKeyUsage(before.get(), spec.extended_key_usage_nids));
  RETURN_IF_ERROR(AppendExtensions(before.get(), parts.extensions_before_san));
  if (X509_add_ext(after.get(), authority_key_id_.get(), -1) != 1) {
    return Fail("cannot add AKI");
  }
  if (spec.revocation_pointers && crl_distribution_point_ &&
      (X509_add_ext(after.get(), crl_distribution_point_.get(), -1) != 1 ||
       X509_add_ext(after.get(), ocsp_access_.get(), -1) != 1)) {
    return Fail("cannot add revocation pointers");
  }
  RETURN_IF_ERROR(AppendExtensions(after.get(), parts.extensions_after_ski));
  return DeviceCertTemplate::Create(parts);
}

Result<Certificate> MakeRootCertificate(EVP_PKEY* key, std::string_view common_name,
                                        std::string_view organization, Duration lifetime,
                                        TimePoint now) {
  RETURN_IF_ERROR(CheckKeyPolicy(key));
  ASSIGN_OR_RETURN(auto name, MakeName(organization, common_name));
  ASSIGN_OR_RETURN(Certificate cert, NewCertificate(key, nullptr, name.get(), name.get(),
                                                    now - kBackdate, now + lifetime));
  RETURN_IF_ERROR(AddBasicConstraints(cert.get(), true, -1));
  RETURN_IF_ERROR(AddKeyUsage(cert.get(), {kKeyCertSign, kCrlSign}));
  ASSIGN_OR_RETURN(auto ski, AddSubjectKeyId(cert.get()));
  ASSIGN_OR_RETURN(auto aki, MakeAuthorityKeyId(ski.get()));
  if (X509_add_ext(cert.get(), aki.get(), -1) != 1) return Fail("cannot add extension");
  if (X509_sign(cert.get(), key, DigestFor(key)) <= 0) return Fail("cannot sign root");
  return cert;
}

Result<Issuer> Issuer::Create(Certificate ca_cert, PrivateKey ca_key, IssuerOptions options,
                              const Clock* clock) {
  if (!ca_cert || !ca_key) return InvalidArgument("issuer needs a certificate and a key");
  if (!IsCa(ca_cert.get())) {
    return InvalidArgument("issuer certificate " + SubjectString(ca_cert.get()) +
                           " is not a CA certificate");
  }
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "CA private key does not match the CA certificate");
  }
  RETURN_IF_ERROR(ValidateDomain(options.domain));
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca_cert.get());
  if (ski == nullptr) return InvalidArgument("CA certificate has no subjectKeyIdentifier");

  Issuer issuer;
  ASSIGN_OR_RETURN(issuer.authority_key_id_, MakeAuthorityKeyId(ski));
  if (!options.public_url.empty()) {
    std::string url = options.public_url;
    while (url.ends_with('/')) url.pop_back();
    if (!url.starts_with("https://") && !url.starts_with("http://")) {
      return InvalidArgument("public URL must start with https:// or http://: " + url);
    }
    ASSIGN_OR_RETURN(issuer.crl_distribution_point_,
                     MakeConfExtension(NID_crl_distribution_points, "URI:" + url + "/v1/crl"));
    ASSIGN_OR_RETURN(issuer.ocsp_access_,
                     MakeConfExtension(NID_info_access, "OCSP;URI:" + url + "/v1/ocsp"));
    options.public_url = url;
  }
  issuer.cert_ = std::move(ca_cert);
  issuer.key_ = std::move(ca_key);
  issuer.options_ = std::move(options);
  issuer.clock_ = clock;
  ASSIGN_OR_RETURN(issuer.device_template_, issuer.MakeDeviceTemplate());
  return issuer;
}

Status Issuer::Sign(X509* cert) const {
  if (X509_sign(cert, key_.get(), DigestFor(key_.get())) <= 0) return Fail("cannot sign");
  return Status::Ok();
}

Status Issuer::Sign(X509_CRL* crl) const {
  if (X509_CRL_sign(crl, key_.get(), DigestFor(key_.get())) <= 0) return Fail("cannot sign CRL");
  return Status::Ok();
}

Result<std::pair<TimePoint, TimePoint>> Issuer::Validity(Duration lifetime) const {
  if (lifetime <= Duration::zero()) return InvalidArgument("certificate lifetime must be positive");
  TimePoint now = clock_->Now();
  // A certificate never outlives its issuer: the chain would stop verifying before it.
  TimePoint not_after = std::min(now + lifetime, NotAfter(cert_.get()));
  if (not_after <= now) return FailedPrecondition("the issuing CA certificate has expired");
  return std::pair(now - kBackdate, not_after);
}

Result<Certificate> Issuer::Issue(const Spec& spec, EVP_PKEY* public_key, X509_PUBKEY* spki,
                                  Duration lifetime) const {
  RETURN_IF_ERROR(CheckKeyPolicy(public_key));
  ASSIGN_OR_RETURN(auto validity, Validity(lifetime));
  ASSIGN_OR_RETURN(auto subject, MakeName(options_.organization, spec.common_name));
  ASSIGN_OR_RETURN(Certificate cert, NewCertificate(public_key, spki, subject.get(),
                                                    X509_get_subject_name(cert_.get()),
                                                    validity.first, validity.second));
  X509* c = cert.get();
  RETURN_IF_ERROR(AddBasicConstraints(c, spec.is_ca, spec.path_length));
  RETURN_IF_ERROR(AddKeyUsage(c, spec.key_usage_bits));
  RETURN_IF_ERROR(AddExtendedKeyUsage(c, spec.extended_key_usage_nids));
  RETURN_IF_ERROR(AddSubjectAltNames(c, spec.dns_names, spec.uris, spec.ip_addresses));
  RETURN_IF_ERROR(AddSubjectKeyId(c));
  if (X509_add_ext(c, authority_key_id_.get(), -1) != 1) return Fail("cannot add AKI");
  if (spec.revocation_pointers && crl_distribution_point_) {
    if (X509_add_ext(c, crl_distribution_point_.get(), -1) != 1 ||
        X509_add_ext(c, ocsp_access_.get(), -1) != 1) {
      return Fail("cannot add revocation pointers");
    }
  }
  if (spec.ocsp_no_check) {
    ASSIGN_OR_RETURN(auto ext, MakeConfExtension(NID_id_pkix_OCSP_noCheck, "ignored"));
    if (X509_add_ext(c, ext.get(), -1) != 1) return Fail("cannot add ocsp-nocheck");
  }
  RETURN_IF_ERROR(Sign(c));
  return cert;
}

Result<Certificate> Issuer::IssueIntermediate(EVP_PKEY* public_key, std::string_view common_name,
                                              Duration lifetime) const {
  Spec spec;
  spec.common_name = std::string(common_name);
  spec.is_ca = true;
  spec.path_length = 0;
  spec.key_usage_bits = {kKeyCertSign, kCrlSign};
  return Issue(spec, public_key, nullptr, lifetime);
}

Issuer::Spec Issuer::DeviceSpec(const DeviceId& id) const {
  Spec spec;
  spec.common_name = id.Name(options_.domain);
  spec.key_usage_bits = {kDigitalSignature};
  spec.extended_key_usage_nids = {NID_client_auth, NID_server_auth};
  spec.dns_names = {spec.common_name};
  spec.uris = {id.SpiffeUri(options_.domain)};
  spec.revocation_pointers = true;
  return spec;
}

Result<Certificate> Issuer::IssueDevice(const DeviceId& id, EVP_PKEY* public_key,
                                        Duration lifetime) const {
  return Issue(DeviceSpec(id), public_key, nullptr, lifetime);
}

Result<Certificate> Issuer::IssueDeviceForCsr(const DeviceId& id, const VerifiedCsr& csr,
                                              Duration lifetime) const {
  if (!csr.public_key || !csr.spki) return InvalidArgument("the CSR has no usable public key");
  return Issue(DeviceSpec(id), csr.public_key.get(), csr.spki.get(), lifetime);
}

Result<EncodedCertificate> Issuer::IssueDeviceDerForCsr(const DeviceId& id, const VerifiedCsr& csr,
                                                        Duration lifetime) const {
  if (!csr.public_key || !csr.spki) return InvalidArgument("the CSR has no usable public key");
  std::string name = id.Name(options_.domain);
  if (!device_template_ || !DeviceCertTemplate::Encodable(name)) {
    ASSIGN_OR_RETURN(Certificate cert, IssueDeviceForCsr(id, csr, lifetime));
    EncodedCertificate out;
    ASSIGN_OR_RETURN(out.der, CertificateToDer(cert.get()));
    out.serial_hex = SerialHex(cert.get());
    out.not_before = NotBefore(cert.get());
    out.not_after = NotAfter(cert.get());
    return out;
  }
  RETURN_IF_ERROR(CheckKeyPolicy(csr.public_key.get()));
  ASSIGN_OR_RETURN(auto validity, Validity(lifetime));
  return device_template_->Issue(name, id.SpiffeUri(options_.domain), csr.spki.get(),
                                 validity.first, validity.second);
}

Result<Certificate> Issuer::IssueServerTls(EVP_PKEY* public_key,
                                           const std::vector<std::string>& sans,
                                           Duration lifetime) const {
  if (sans.empty()) return InvalidArgument("a server certificate needs at least one name");
  Spec spec;
  spec.common_name = sans.front();
  spec.key_usage_bits = {kDigitalSignature};
  // RSA server keys may still be used for RSA key exchange by old TLS 1.2 clients.
  if (EVP_PKEY_get_base_id(public_key) == EVP_PKEY_RSA) {
    spec.key_usage_bits.push_back(kKeyEncipherment);
  }
  spec.extended_key_usage_nids = {NID_server_auth};
  for (const std::string& san : sans) {
    if (san.empty()) return InvalidArgument("empty server name");
    (IsIpAddress(san) ? spec.ip_addresses : spec.dns_names).push_back(san);
  }
  spec.revocation_pointers = true;
  return Issue(spec, public_key, nullptr, lifetime);
}

Result<Certificate> Issuer::IssueOcspResponder(EVP_PKEY* public_key, Duration lifetime) const {
  Spec spec;
  spec.common_name = "wott OCSP responder";
  spec.key_usage_bits = {kDigitalSignature};
  spec.extended_key_usage_nids = {NID_OCSP_sign};
  spec.ocsp_no_check = true;
  return Issue(spec, public_key, nullptr, lifetime);
}

}  // namespace wott::pki
