// Trust on first use, made safe by a pin: the agent fetches /v1/ca-bundle without
// verifying the server (it has no trust anchor yet), accepts the bundle only when it holds
// the certificate whose SHA-256 the operator gave (--ca-fingerprint), and from then on
// talks to the server only through that bundle. Thread-safe.
#ifndef WOTT_AGENT_CA_PIN_H_
#define WOTT_AGENT_CA_PIN_H_

#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::agent {

// Succeeds when `bundle_pem` parses and one of its certificates is a CA whose SHA-256
// fingerprint is `fingerprint` (64 lowercase hex). kUnauthenticated otherwise, with both
// fingerprints in the message; kInvalidArgument for a malformed bundle.
Status CheckPin(std::string_view bundle_pem, std::string_view fingerprint);

// The fingerprint to pin for a CA file given with --ca-file: its first self-signed
// certificate (the root), else its first certificate. kInvalidArgument when it holds no
// CA certificate.
Result<std::string> RootFingerprint(std::string_view bundle_pem);

// GET <server_url>/v1/ca-bundle without verification, then CheckPin. Returns the bundle.
// Fails with the client's errors (kUnavailable, kDeadlineExceeded, ...) or CheckPin's.
Result<std::string> FetchPinnedCaBundle(std::string_view server_url, std::string_view fingerprint);

}  // namespace wott::agent

#endif  // WOTT_AGENT_CA_PIN_H_
