// Fuzzes device-ID parsing (bare hex, names, SPIFFE URIs): IDs arrive in URLs, admin
// commands and certificate names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "pki/device_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  using wott::pki::DeviceId;
  using wott::pki::kDefaultDomain;
  for (wott::Result<DeviceId> id :
       {DeviceId::Parse(input, kDefaultDomain), DeviceId::FromSpiffeUri(input, kDefaultDomain)}) {
    if (!id.ok()) continue;
    // Anything accepted is canonical: it prints back to the text it came from.
    if (input != id->hex() && input != id->Name(kDefaultDomain) &&
        input != id->SpiffeUri(kDefaultDomain)) {
      __builtin_trap();
    }
  }
  // Arbitrary bytes as the domain must never crash either.
  (void)wott::pki::ValidateDomain(input);
  return 0;
}
