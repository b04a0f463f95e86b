#include "pki/csr.h"

#include <openssl/asn1t.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <vector>

#include "ossl/error.h"

namespace wott::pki {
namespace {

// The X.509 upper bound for a CommonName (ub-common-name, RFC 5280).
constexpr size_t kMaxCommonNameBytes = 64;

// Decodes one DER CSR that must span all of `der`.
Result<Csr> ParseCsrDer(std::string_view der) {
  const unsigned char* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  Csr csr = ossl::Own(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (csr == nullptr) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "not a valid certificate request (malformed or truncated DER)");
  }
  if (p != begin + der.size()) {
    return InvalidArgument("unexpected data after the certificate request");
  }
  // PKCS#10 defines only version 1 (encoded as 0).
  if (X509_REQ_get_version(csr.get()) != X509_REQ_VERSION_1) {
    return InvalidArgument("unsupported certificate request version");
  }
  return csr;
}

// The DER inside a CSR PEM text: exactly one block, with a CSR label and no headers.
Result<std::string> CsrPemToDer(std::string_view pem) {
  ASSIGN_OR_RETURN(std::vector<internal::PemBlock> blocks, internal::DecodePemBlocks(pem));
  if (blocks.size() != 1) {
    return InvalidArgument("expected one certificate request PEM block, found " +
                           std::to_string(blocks.size()) + " PEM blocks");
  }
  const internal::PemBlock& block = blocks[0];
  if (block.label != "CERTIFICATE REQUEST" && block.label != "NEW CERTIFICATE REQUEST") {
    return InvalidArgument("expected a CERTIFICATE REQUEST PEM block, found \"" +
                           block.label.substr(0, 40) + "\"");
  }
  if (!block.headers.empty()) return InvalidArgument("unexpected headers in the PEM block");
  return block.der;
}

// The DER of a CSR given as PEM or DER, after ParseCsr's size and framing checks. Points
// into `pem_or_der` or into `storage` (decoded PEM).
Result<std::string_view> CsrDer(std::string_view pem_or_der, std::string& storage) {
  if (pem_or_der.size() > kMaxCsrBytes) {
    return ResourceExhausted("certificate request is larger than " + std::to_string(kMaxCsrBytes) +
                             " bytes");
  }
  if (pem_or_der.empty()) return InvalidArgument("certificate request is empty");
  // DER always starts with a SEQUENCE tag (0x30); anything else is treated as PEM text.
  if (static_cast<unsigned char>(pem_or_der[0]) == 0x30) return pem_or_der;
  ASSIGN_OR_RETURN(storage, CsrPemToDer(pem_or_der));
  return std::string_view(storage);
}

// OpenSSL decodes the point at infinity (the one-byte encoding 00) as a valid EC public
// key, and ECDSA verification with it only checks r against u1*G: anyone can "sign" for
// it, so a CSR carrying it proves nothing and a certificate for it could be used by anyone.
// Every other encoding OpenSSL accepts is a point on the curve with coordinates below p
// (EC_POINT_oct2point checks both), so refusing 00 is all that EVP_PKEY_public_check_quick
// would add, without its cost.
Status CheckNotInfinity(int key_nid, const unsigned char* bits, int bits_len) {
  if (key_nid == NID_X9_62_id_ecPublicKey && bits_len == 1 && bits[0] == 0x00) {
    return InvalidArgument("certificate request key: invalid EC public key (point at infinity)");
  }
  return Status::Ok();
}

template <typename Write>
Result<std::string> WriteToBio(Write write) {
  ossl::UniquePtr<BIO> bio = ossl::Own(BIO_new(BIO_s_mem()));
  if (bio == nullptr || write(bio.get()) != 1) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument, "cannot encode the certificate request");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  if (data == nullptr || size <= 0) return Internal("cannot encode the certificate request");
  return std::string(data, static_cast<size_t>(size));
}

// ---- The fast path (see ParseAndVerifyCsrForIssuance) ----

// PKCS#10 (RFC 2986) with the SubjectPublicKeyInfo kept raw. The same ASN.1 templates as
// OpenSSL's X509_REQ, except that X509_PUBKEY's custom decoder (which builds an EVP_PKEY
// through the provider decoders) is replaced by its plain SEQUENCE { algorithm, bits }.
struct RawSpki {
  X509_ALGOR* algorithm;
  ASN1_BIT_STRING* public_key;
};
struct RawCsrInfo {
  ASN1_ENCODING enc;  // the DER as received: what the signature covers
  ASN1_INTEGER* version;
  X509_NAME* subject;
  RawSpki* spki;
  STACK_OF(X509_ATTRIBUTE) * attributes;
};
struct RawCsr {
  RawCsrInfo* info;
  X509_ALGOR* signature_algorithm;
  ASN1_BIT_STRING* signature;
};

// clang-format off
ASN1_SEQUENCE(RawSpki) = {
    ASN1_SIMPLE(RawSpki, algorithm, X509_ALGOR),
    ASN1_SIMPLE(RawSpki, public_key, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(RawSpki)

ASN1_SEQUENCE_enc(RawCsrInfo, enc, 0) = {
    ASN1_SIMPLE(RawCsrInfo, version, ASN1_INTEGER),
    ASN1_SIMPLE(RawCsrInfo, subject, X509_NAME),
    ASN1_SIMPLE(RawCsrInfo, spki, RawSpki),
    // Not OPTIONAL in RFC 2986, but OpenSSL's X509_REQ_INFO accepts its absence too.
    ASN1_IMP_SET_OF_OPT(RawCsrInfo, attributes, X509_ATTRIBUTE, 0),
} static_ASN1_SEQUENCE_END_ref(RawCsrInfo, RawCsrInfo)  // the end of an _enc sequence

ASN1_SEQUENCE(RawCsr) = {
    ASN1_SIMPLE(RawCsr, info, RawCsrInfo),
    ASN1_SIMPLE(RawCsr, signature_algorithm, X509_ALGOR),
    ASN1_SIMPLE(RawCsr, signature, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(RawCsr)

struct RawCsrDeleter {
  void operator()(RawCsr* p) const {
    ASN1_item_free(reinterpret_cast<ASN1_VALUE*>(p), ASN1_ITEM_rptr(RawCsr));
  }
};
// clang-format on
using RawCsrPtr = std::unique_ptr<RawCsr, RawCsrDeleter>;

// A parameters-only key of `group` ("P-256"), duplicated for each request: creating the
// EC_GROUP is most of the cost of building a key from scratch (EVP_PKEY_fromdata).
EVP_PKEY* MakeCurveTemplate(const char* group) {
  auto ctx = ossl::Own(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEY_PARAMETERS, params) != 1) {
    ossl::DrainErrors();
    return nullptr;  // the caller falls back to the generic path
  }
  return key;
}

// The shared template for a named curve we accept, or null. Built once, never modified
// (only read by EVP_PKEY_dup), deliberately never freed.
EVP_PKEY* CurveTemplate(int curve_nid) {
  static EVP_PKEY* const p256 = MakeCurveTemplate("P-256");
  static EVP_PKEY* const p384 = MakeCurveTemplate("P-384");
  if (curve_nid == NID_X9_62_prime256v1) return p256;
  if (curve_nid == NID_secp384r1) return p384;
  return nullptr;
}

Status NoUsableKey() {
  return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                           "certificate request has no usable public key");
}

Status BadSignature() {
  return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                           "certificate request signature does not verify with its own key");
}

// The key of `spki` when it is a type the fast path handles: nullopt when not, an error
// when it is but the key bits are invalid (as the generic decoder would find).
Result<std::optional<PrivateKey>> FastKey(const RawSpki& spki) {
  const ASN1_OBJECT* algorithm = nullptr;
  int param_type = V_ASN1_UNDEF;
  const void* param = nullptr;
  X509_ALGOR_get0(&algorithm, &param_type, &param, spki.algorithm);
  const unsigned char* bits = ASN1_STRING_get0_data(spki.public_key);
  int bits_len = ASN1_STRING_length(spki.public_key);
  switch (OBJ_obj2nid(algorithm)) {
    case NID_X9_62_id_ecPublicKey: {
      // Named curves only: explicit parameters go the generic way (and are refused there).
      if (param_type != V_ASN1_OBJECT) return std::optional<PrivateKey>();
      EVP_PKEY* curve = CurveTemplate(OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(param)));
      if (curve == nullptr) return std::optional<PrivateKey>();
      PrivateKey key = ossl::Own(EVP_PKEY_dup(curve));
      if (!key) return Internal("out of memory");
      // EC_KEY_oct2key, as the generic decoder: checks the point is on the curve.
      if (bits_len <= 0 ||
          EVP_PKEY_set1_encoded_public_key(key.get(), bits, static_cast<size_t>(bits_len)) != 1) {
        return NoUsableKey();
      }
      return std::optional<PrivateKey>(std::move(key));
    }
    case NID_ED25519: {
      if (param_type != V_ASN1_UNDEF || bits_len != 32) return std::optional<PrivateKey>();
      PrivateKey key = ossl::Own(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bits,
                                                                static_cast<size_t>(bits_len)));
      if (!key) return NoUsableKey();
      return std::optional<PrivateKey>(std::move(key));
    }
    default:
      return std::optional<PrivateKey>();
  }
}

// X509_REQ_verify's steps (ASN1_item_verify_ctx in OpenSSL 3.0) over the saved bytes.
Status VerifySignature(const RawCsr& csr, EVP_PKEY* key) {
  const ASN1_BIT_STRING* signature = csr.signature;
  if (signature->type == V_ASN1_BIT_STRING && (signature->flags & 0x7) != 0) {
    return BadSignature();
  }
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, csr.signature_algorithm);
  int md_nid = NID_undef, key_nid = NID_undef;
  if (OBJ_find_sigid_algs(OBJ_obj2nid(algorithm), &md_nid, &key_nid) != 1 ||
      EVP_PKEY_is_a(key, OBJ_nid2sn(key_nid)) != 1) {
    return BadSignature();
  }
  const EVP_MD* md = nullptr;  // Ed25519 signs the message itself
  if (md_nid != NID_undef && (md = EVP_get_digestbynid(md_nid)) == nullptr) return BadSignature();
  auto ctx = ossl::Own(EVP_MD_CTX_new());
  const ASN1_ENCODING& tbs = csr.info->enc;
  if (!ctx || tbs.enc == nullptr || tbs.len <= 0 ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
      EVP_DigestVerify(ctx.get(), signature->data, static_cast<size_t>(signature->length), tbs.enc,
                       static_cast<size_t>(tbs.len)) != 1) {
    return BadSignature();
  }
  return Status::Ok();
}

// An X509_PUBKEY holding a copy of `algorithm` and `bits`, with no decoded key.
Result<Spki> CopySpki(const X509_ALGOR* algorithm, const unsigned char* bits, int bits_len) {
  Spki spki(X509_PUBKEY_new());
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
  ASN1_OBJECT* oid_copy = OBJ_dup(oid);
  unsigned char* bits_copy =
      bits_len > 0 ? static_cast<unsigned char*>(OPENSSL_memdup(bits, bits_len)) : nullptr;
  // set0_param takes the OID and the bits; X509_ALGOR_copy then adds the parameters.
  if (!spki || oid_copy == nullptr || (bits_len > 0 && bits_copy == nullptr) ||
      X509_PUBKEY_set0_param(spki.get(), oid_copy, V_ASN1_UNDEF, nullptr, bits_copy, bits_len) !=
          1) {
    ASN1_OBJECT_free(oid_copy);
    OPENSSL_free(bits_copy);
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot copy the public key");
  }
  X509_ALGOR* spki_algorithm = nullptr;  // borrowed from spki
  if (X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &spki_algorithm, spki.get()) != 1 ||
      X509_ALGOR_copy(spki_algorithm, algorithm) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot copy the public key");
  }
  return spki;
}

Result<VerifiedCsr> GenericFromDer(std::string_view der) {
  ASSIGN_OR_RETURN(Csr csr, ParseCsrDer(der));
  ASSIGN_OR_RETURN(PrivateKey key, VerifyCsr(csr.get()));
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  X509_ALGOR* algorithm = nullptr;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &bits_len, &algorithm,
                             X509_REQ_get_X509_PUBKEY(csr.get())) != 1) {
    return NoUsableKey();
  }
  ASSIGN_OR_RETURN(Spki spki, CopySpki(algorithm, bits, bits_len));
  return VerifiedCsr{std::move(key), std::move(spki)};
}

}  // namespace

void SpkiDeleter::operator()(X509_PUBKEY* p) const { X509_PUBKEY_free(p); }

Result<Csr> ParseCsr(std::string_view pem_or_der) {
  std::string storage;
  ASSIGN_OR_RETURN(std::string_view der, CsrDer(pem_or_der, storage));
  return ParseCsrDer(der);
}

Result<PrivateKey> VerifyCsr(X509_REQ* csr) {
  if (csr == nullptr) return InvalidArgument("no certificate request");
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr);
  if (key == nullptr) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "certificate request has no usable public key");
  }
  // Policy first: it is cheap, and it spares signature checks with keys we refuse anyway.
  RETURN_IF_ERROR(CheckKeyPolicy(key).WithContext("certificate request key"));
  ASN1_OBJECT* algorithm = nullptr;  // borrowed
  const unsigned char* bits = nullptr;
  int bits_len = 0;
  if (X509_PUBKEY_get0_param(&algorithm, &bits, &bits_len, nullptr,
                             X509_REQ_get_X509_PUBKEY(csr)) != 1) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "certificate request has no usable public key");
  }
  RETURN_IF_ERROR(CheckNotInfinity(OBJ_obj2nid(algorithm), bits, bits_len));
  // 1 = valid; 0 = bad signature; -1 = malformed signature or algorithm mismatch.
  if (X509_REQ_verify(csr, key) != 1) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "certificate request signature does not verify with its own key");
  }
  return ossl::UpRef(key);
}

Result<PrivateKey> ParseAndVerifyCsr(std::string_view pem_or_der) {
  ASSIGN_OR_RETURN(Csr csr, ParseCsr(pem_or_der));
  return VerifyCsr(csr.get());
}

Result<VerifiedCsr> ParseAndVerifyCsrForIssuance(std::string_view pem_or_der) {
  std::string storage;
  ASSIGN_OR_RETURN(std::string_view der, CsrDer(pem_or_der, storage));
  ASSIGN_OR_RETURN(std::optional<VerifiedCsr> fast, internal::ParseAndVerifyCsrDerFast(der));
  if (fast) return std::move(*fast);
  return GenericFromDer(der);
}

namespace internal {

Result<std::optional<VerifiedCsr>> ParseAndVerifyCsrDerFast(std::string_view der) {
  if (der.size() > kMaxCsrBytes) return std::optional<VerifiedCsr>();
  const unsigned char* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  RawCsrPtr csr(reinterpret_cast<RawCsr*>(
      ASN1_item_d2i(nullptr, &p, static_cast<long>(der.size()), ASN1_ITEM_rptr(RawCsr))));
  // The same checks and messages as ParseCsrDer.
  if (csr == nullptr) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "not a valid certificate request (malformed or truncated DER)");
  }
  if (p != begin + der.size()) {
    return InvalidArgument("unexpected data after the certificate request");
  }
  if (ASN1_INTEGER_get(csr->info->version) != X509_REQ_VERSION_1) {
    return InvalidArgument("unsupported certificate request version");
  }
  ASSIGN_OR_RETURN(std::optional<PrivateKey> key, FastKey(*csr->info->spki));
  if (!key) return std::optional<VerifiedCsr>();
  // Then VerifyCsr's: policy first, then the signature.
  RETURN_IF_ERROR(CheckKeyPolicy(key->get()).WithContext("certificate request key"));
  const RawSpki& raw = *csr->info->spki;
  const unsigned char* bits = ASN1_STRING_get0_data(raw.public_key);
  int bits_len = ASN1_STRING_length(raw.public_key);
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm, nullptr, nullptr, raw.algorithm);
  RETURN_IF_ERROR(CheckNotInfinity(OBJ_obj2nid(algorithm), bits, bits_len));
  RETURN_IF_ERROR(VerifySignature(*csr, key->get()));
  ASSIGN_OR_RETURN(Spki spki, CopySpki(raw.algorithm, bits, bits_len));
  return std::optional<VerifiedCsr>(VerifiedCsr{std::move(*key), std::move(spki)});
}

Result<VerifiedCsr> ParseAndVerifyCsrGeneric(std::string_view pem_or_der) {
  std::string storage;
  ASSIGN_OR_RETURN(std::string_view der, CsrDer(pem_or_der, storage));
  return GenericFromDer(der);
}

}  // namespace internal

Result<Csr> CreateCsr(EVP_PKEY* key, std::string_view common_name) {
  if (key == nullptr) return InvalidArgument("no key");
  RETURN_IF_ERROR(CheckKeyPolicy(key));
  if (common_name.size() > kMaxCommonNameBytes) {
    return InvalidArgument("common name is longer than 64 bytes");
  }
  Csr csr = ossl::Own(X509_REQ_new());
  if (csr == nullptr || X509_REQ_set_version(csr.get(), X509_REQ_VERSION_1) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "out of memory");
  }
  if (!common_name.empty()) {
    X509_NAME* subject = X509_REQ_get_subject_name(csr.get());  // borrowed
    if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.data()),
                                   static_cast<int>(common_name.size()), -1, 0) != 1) {
      return ossl::ErrorStatus(StatusCode::kInvalidArgument, "invalid common name");
    }
  }
  if (X509_REQ_set_pubkey(csr.get(), key) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot set the request's public key");
  }
  // EdDSA signs the message itself, so it takes no digest.
  const EVP_MD* md = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  if (X509_REQ_sign(csr.get(), key, md) <= 0) {
    return ossl::ErrorStatus(StatusCode::kInvalidArgument,
                             "cannot sign the certificate request (is the key private?)");
  }
  return csr;
}

Result<std::string> CsrToPem(X509_REQ* csr) {
  if (csr == nullptr) return InvalidArgument("no certificate request");
  return WriteToBio([csr](BIO* bio) { return PEM_write_bio_X509_REQ(bio, csr); });
}

Result<std::string> CsrToDer(X509_REQ* csr) {
  if (csr == nullptr) return InvalidArgument("no certificate request");
  return WriteToBio([csr](BIO* bio) { return i2d_X509_REQ_bio(bio, csr); });
}

}  // namespace wott::pki
