#include "ossl/unique_ptr.h"

namespace wott::ossl {

UniquePtr<X509> UpRef(X509* p) {
  if (p != nullptr) X509_up_ref(p);
  return UniquePtr<X509>(p);
}

UniquePtr<EVP_PKEY> UpRef(EVP_PKEY* p) {
  if (p != nullptr) EVP_PKEY_up_ref(p);
  return UniquePtr<EVP_PKEY>(p);
}

UniquePtr<X509_STORE> UpRef(X509_STORE* p) {
  if (p != nullptr) X509_STORE_up_ref(p);
  return UniquePtr<X509_STORE>(p);
}

UniquePtr<SSL_CTX> UpRef(SSL_CTX* p) {
  if (p != nullptr) SSL_CTX_up_ref(p);
  return UniquePtr<SSL_CTX>(p);
}

}  // namespace wott::ossl
