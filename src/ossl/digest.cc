#include "ossl/digest.h"

#include <openssl/evp.h>

#include "base/encoding.h"

namespace wott::ossl {

const EVP_MD* Sha1() {
  // Never freed: shared by every thread for the life of the process.
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  return md != nullptr ? md : EVP_sha1();
}

const EVP_MD* Sha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; an empty result then makes every hash
  // comparison fail closed.
  if (EVP_Digest(data.data(), data.size(), md, &len, Sha256(), nullptr) != 1) return "";
  return HexEncode(std::span<const uint8_t>(md, len));
}

}  // namespace wott::ossl
