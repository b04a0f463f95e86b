#include "ossl/digest.h"

#include <openssl/evp.h>

#include "base/encoding.h"

namespace wott::ossl {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; an empty result then makes every hash
  // comparison fail closed.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return "";
  return HexEncode(std::span<const uint8_t>(md, len));
}

}  // namespace wott::ossl
