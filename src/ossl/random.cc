#include "ossl/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <vector>

#include "base/encoding.h"
#include "ossl/error.h"

namespace wott::ossl {

Status RandomBytes(std::span<uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return ErrorStatus(StatusCode::kInternal, "random number generator failed");
  }
  return Status::Ok();
}

Result<std::string> RandomHex(size_t n) {
  std::vector<uint8_t> bytes(n);
  RETURN_IF_ERROR(RandomBytes(bytes));
  return HexEncode(bytes);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace wott::ossl
