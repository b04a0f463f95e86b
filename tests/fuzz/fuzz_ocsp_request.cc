// Fuzzes the OCSP responder on arbitrary request bytes (what POST /v1/ocsp passes on) and
// the GET form's base64 decoding. The CA key and names are fixed so the seed corpus (made
// reaches the signing path, not only "unauthorized". The seeds were made with the CLI:
//   openssl req -x509 -new -key <kCaKey> -subj /O=wott/CN=fuzz -days 1 -out ca.pem
//   openssl ocsp -issuer ca.pem [-sha256] -serial 0x11 ... [-no_nonce] -reqout seed.der
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "pki/ocsp.h"

namespace {

using namespace wott;  // NOLINT: a fuzz target, not library code

// A throwaway P-256 key that only this fuzzer and its seeds use.
constexpr std::string_view kCaKey = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4WC7HeBGvN9T3cfC
ji6G5lHrdeQ5tcFyB0tZ/z2Ezv2hRANCAARP627j0lMnCuzgQxotc6mdi048rwuI
VvRALURCrX2/FBVDlEoUAGcTSjY0/yQn27AHARhkFO61n2XQ5Y5uAkL4
-----END PRIVATE KEY-----
)";

struct Responder {
  Responder() {
    pki::PrivateKey key = *pki::PrivateKeyFromPem(kCaKey);
    pki::Certificate ca =
        *pki::MakeRootCertificate(key.get(), "fuzz", "wott", pki::kRootLifetime, clock.Now());
    issuer = std::make_unique<pki::Issuer>(
        *pki::Issuer::Create(std::move(ca), std::move(key), {}, &clock));
    responder = std::move(*pki::OcspResponder::Create(issuer.get()));
  }
  RealClock clock;
  std::unique_ptr<pki::Issuer> issuer;
  std::unique_ptr<pki::OcspResponder> responder;
};

// Answers by the serial's last digit, so every status and both failure kinds are reached.
Result<pki::OcspCertStatus> Lookup(std::string_view serial) {
  switch (serial.back()) {
    case '1':
      return pki::OcspCertStatus::Good();
    case '2':
      return pki::OcspCertStatus::Revoked(TimePoint(), pki::RevocationReason::kKeyCompromise);
    case '3':
      return Unavailable("registry down");
    case '4':
      return Internal("bug");
    default:
      return pki::OcspCertStatus::Unknown();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Responder* r = new Responder();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Respond answers every input; an error would mean it failed to build a response.
  Result<std::string> response = r->responder->Respond(input, Lookup);
  if (!response.ok()) __builtin_trap();
  Result<pki::OcspResponseStatus> status = pki::OcspResponseStatusOf(*response);
  if (!status.ok()) __builtin_trap();

  Result<std::string> der = pki::OcspRequestFromBase64(input);
  if (der.ok() && der->size() > pki::kMaxOcspRequestBytes) __builtin_trap();
  return 0;
}
