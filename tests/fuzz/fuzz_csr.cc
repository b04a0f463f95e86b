// Fuzzes CSR parsing and verification (PEM and DER) on arbitrary bytes: what the server
// does with every enrollment and renewal request body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pki/csr.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  wott::Result<wott::pki::PrivateKey> key = wott::pki::ParseAndVerifyCsr(input);
  if (key.ok()) {
    // A CSR that verifies must pass policy and survive our own encoder: re-parsing the
    // re-encoded request gives the same public key. (Its signature need not verify again:
    // it covers the original bytes, which OpenSSL may have accepted in a non-canonical form.)
    wott::Result<wott::pki::Csr> csr = wott::pki::ParseCsr(input);
    if (!csr.ok() || !wott::pki::CheckKeyPolicy(key->get()).ok()) __builtin_trap();
    wott::Result<std::string> der = wott::pki::CsrToDer(csr->get());
    if (!der.ok()) __builtin_trap();
    wott::Result<wott::pki::Csr> again = wott::pki::ParseCsr(*der);
    if (!again.ok() || !wott::pki::SamePublicKey(X509_REQ_get0_pubkey(again->get()), key->get())) {
      __builtin_trap();
    }
  }
  return 0;
}
