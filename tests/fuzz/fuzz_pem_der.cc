// Fuzzes the key parsers (private PEM and DER, public PEM) on arbitrary bytes: CA keys,
// device keys and pinned public keys are read from files an operator may get wrong.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pki/key.h"

namespace {

// A parsed key must pass policy and round-trip through our encoders to the same key.
void CheckParsed(const wott::Result<wott::pki::PrivateKey>& key, bool is_private) {
  if (!key.ok()) return;
  if (!wott::pki::CheckKeyPolicy(key->get()).ok()) __builtin_trap();
  wott::Result<std::string> pem =
      is_private ? wott::pki::PrivateKeyToPem(key->get()) : wott::pki::PublicKeyToPem(key->get());
  if (!pem.ok()) __builtin_trap();
  wott::Result<wott::pki::PrivateKey> again =
      is_private ? wott::pki::PrivateKeyFromPem(*pem) : wott::pki::PublicKeyFromPem(*pem);
  if (!again.ok() || !wott::pki::SamePublicKey(again->get(), key->get())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckParsed(wott::pki::PrivateKeyFromPem(input), true);
  CheckParsed(wott::pki::PrivateKeyFromDer(input), true);
  CheckParsed(wott::pki::PublicKeyFromPem(input), false);
  return 0;
}
