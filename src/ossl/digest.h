// Message digests for non-certificate uses (token hashing, change detection). Thread-safe.
#ifndef WOTT_OSSL_DIGEST_H_
#define WOTT_OSSL_DIGEST_H_

#include <string>
#include <string_view>

namespace wott::ossl {

// SHA-256 of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace wott::ossl

#endif  // WOTT_OSSL_DIGEST_H_
