#include "pki/csr.h"

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

Result<Csr> ParseCsrPem(std::string_view pem) {
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
  return ParseCsrDer(block.der);
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

}  // namespace

Result<Csr> ParseCsr(std::string_view pem_or_der) {
  if (pem_or_der.size() > kMaxCsrBytes) {
    return ResourceExhausted("certificate request is larger than " + std::to_string(kMaxCsrBytes) +
                             " bytes");
  }
  if (pem_or_der.empty()) return InvalidArgument("certificate request is empty");
  // DER always starts with a SEQUENCE tag (0x30); anything else is treated as PEM text.
  if (static_cast<unsigned char>(pem_or_der[0]) == 0x30) return ParseCsrDer(pem_or_der);
  return ParseCsrPem(pem_or_der);
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
