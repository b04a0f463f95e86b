// Message digests for non-certificate uses (token hashing, change detection). Thread-safe.
#ifndef WOTT_OSSL_DIGEST_H_
#define WOTT_OSSL_DIGEST_H_

#include <openssl/types.h>

#include <string>
#include <string_view>

namespace wott::ossl {

// SHA-256 of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

// The SHA-1 and SHA-256 implementations, fetched from the default provider once per
// process. OpenSSL 3.0's EVP_sha1()/EVP_sha256() handles make every EVP_Digest call fetch
// the implementation again (a locked lookup in the provider store).
const EVP_MD* Sha1();
const EVP_MD* Sha256();

}  // namespace wott::ossl

#endif  // WOTT_OSSL_DIGEST_H_
