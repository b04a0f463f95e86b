// Cryptographically secure random bytes from OpenSSL's DRBG. Thread-safe.
#ifndef WOTT_OSSL_RANDOM_H_
#define WOTT_OSSL_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace wott::ossl {

// Fills `out` with random bytes. Fails (kInternal) only when the DRBG cannot be seeded.
Status RandomBytes(std::span<uint8_t> out);

// `n` random bytes as 2n lowercase hex characters.
Result<std::string> RandomHex(size_t n);

// Constant-time comparison of two equal-length secrets; false when the lengths differ
// (the length itself is not secret).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace wott::ossl

#endif  // WOTT_OSSL_RANDOM_H_
