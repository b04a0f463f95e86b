// ossl::UniquePtr<T>: std::unique_ptr with the right OpenSSL free function for T, so every
// OpenSSL object is owned on the line that creates it. UpRef() takes an extra reference on
// reference-counted types (X509, EVP_PKEY, X509_STORE, SSL_CTX) and returns a new owner.
// Thread safety is that of the underlying OpenSSL object.
#ifndef WOTT_OSSL_UNIQUE_PTR_H_
#define WOTT_OSSL_UNIQUE_PTR_H_

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/param_build.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace wott::ossl {

template <typename T>
struct Deleter;

// Frees a certificate stack and the certificates in it.
inline void FreeX509Stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }

#define WOTT_OSSL_DELETER(Type, free_fn)              \
  template <>                                         \
  struct Deleter<Type> {                              \
    void operator()(Type* p) const { free_fn(p); }    \
  }

// ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING, ... are all the one type ASN1_STRING.
WOTT_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free);
WOTT_OSSL_DELETER(ASN1_OBJECT, ASN1_OBJECT_free);
WOTT_OSSL_DELETER(AUTHORITY_KEYID, AUTHORITY_KEYID_free);
WOTT_OSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free);
WOTT_OSSL_DELETER(BIGNUM, BN_free);
WOTT_OSSL_DELETER(BIO, BIO_free_all);
WOTT_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
WOTT_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free);
WOTT_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
WOTT_OSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free);
WOTT_OSSL_DELETER(GENERAL_NAME, GENERAL_NAME_free);
WOTT_OSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free);
WOTT_OSSL_DELETER(OCSP_BASICRESP, OCSP_BASICRESP_free);
WOTT_OSSL_DELETER(OCSP_CERTID, OCSP_CERTID_free);
WOTT_OSSL_DELETER(OCSP_REQUEST, OCSP_REQUEST_free);
WOTT_OSSL_DELETER(OCSP_RESPONSE, OCSP_RESPONSE_free);
WOTT_OSSL_DELETER(OSSL_PARAM_BLD, OSSL_PARAM_BLD_free);
WOTT_OSSL_DELETER(SSL, SSL_free);
WOTT_OSSL_DELETER(SSL_CTX, SSL_CTX_free);
WOTT_OSSL_DELETER(X509, X509_free);
WOTT_OSSL_DELETER(X509_CRL, X509_CRL_free);
WOTT_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free);
WOTT_OSSL_DELETER(X509_NAME, X509_NAME_free);
WOTT_OSSL_DELETER(X509_REQ, X509_REQ_free);
WOTT_OSSL_DELETER(X509_REVOKED, X509_REVOKED_free);
WOTT_OSSL_DELETER(X509_STORE, X509_STORE_free);
WOTT_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free);
WOTT_OSSL_DELETER(X509_VERIFY_PARAM, X509_VERIFY_PARAM_free);
WOTT_OSSL_DELETER(STACK_OF(X509), FreeX509Stack);

#undef WOTT_OSSL_DELETER

template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

// Takes ownership of a raw pointer returned by an OpenSSL constructor.
template <typename T>
UniquePtr<T> Own(T* p) {
  return UniquePtr<T>(p);
}

// New owning references to a shared object (the refcount is incremented).
UniquePtr<X509> UpRef(X509* p);
UniquePtr<EVP_PKEY> UpRef(EVP_PKEY* p);
UniquePtr<X509_STORE> UpRef(X509_STORE* p);
UniquePtr<SSL_CTX> UpRef(SSL_CTX* p);

}  // namespace wott::ossl

#endif  // WOTT_OSSL_UNIQUE_PTR_H_
