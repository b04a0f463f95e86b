// TLS contexts for servers and clients, built with one policy everywhere: TLS 1.2 minimum,
// AEAD-only TLS 1.2 suites (ECDHE with AES-GCM or ChaCha20-Poly1305), TLS 1.3 defaults,
// no renegotiation, no compression. A context is immutable once built and may be shared
// by any number of threads; to change credentials, build a new one and swap it in.
//
// Also the few per-connection calls src/net needs (peer name, peer chain, why
// verification failed), so raw OpenSSL stays inside src/ossl.
#ifndef WOTT_OSSL_TLS_CONTEXT_H_
#define WOTT_OSSL_TLS_CONTEXT_H_

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "ossl/unique_ptr.h"

namespace wott::ossl {

enum class TlsRole { kServer, kClient };

// How the peer's certificate is checked against the trust anchors.
enum class PeerVerification {
  kNone,      // not requested (servers) / not checked (clients). No trust anchors needed.
  kOptional,  // servers: requested; a certificate that is sent must verify, none is fine.
              // clients: same as kRequired (a server always sends one).
  kRequired,  // the peer must send a certificate that verifies; otherwise the handshake fails.
};

struct TlsContextOptions {
  // Which side of the handshake the context is for.
  TlsRole role = TlsRole::kServer;

  // Our certificate chain as PEM, leaf first, then intermediates (the root may be left
  // out). Required for servers; optional for clients (the client certificate). Give either
  // the PEM text or a file, not both.
  std::string certificate_chain_pem;
  std::filesystem::path certificate_chain_file;

  // The private key of the leaf, unencrypted PEM (PKCS#8 or traditional). Required exactly
  // when a certificate chain is given. Either the PEM text or a file, not both.
  std::string private_key_pem;
  std::filesystem::path private_key_file;

  // Trust anchors that verify the peer, a PEM bundle of one or more CA certificates. Only
  // these are trusted (never the system store): a client pins the server's CA this way.
  // Needed unless peer_verification is kNone. Either the PEM text or a file, not both.
  std::string trust_anchors_pem;
  std::filesystem::path trust_anchors_file;

  // Default: the safe choice for both roles. A wott server uses kOptional (client
  // certificates requested, required by the handlers that need one).
  PeerVerification peer_verification = PeerVerification::kRequired;

  // Servers: list the trust anchors' subjects in the CertificateRequest, so clients
  // (browsers, curl) offer the certificate issued by our CA.
  bool advertise_ca_names = true;

  // Servers: allow session resumption (TLS 1.3 tickets, TLS 1.2 session cache and tickets).
  // The ticket key is random per context, so a rebuilt context invalidates old tickets.
  bool session_resumption = true;

  // Servers: how long a resumable session stays valid.
  std::chrono::seconds session_lifetime = std::chrono::hours(2);

  // Maximum number of intermediate certificates in a peer chain.
  int verify_depth = 4;
};

// Builds a context from `options`. Fails with kInvalidArgument (a user-safe message that
// says which input is wrong: "private key does not match the certificate", "no
// certificate found in the certificate chain", "malformed PEM in trust anchors", ...) or
// kNotFound/kPermissionDenied when a file cannot be read. Never prompts for a passphrase.
Result<UniquePtr<SSL_CTX>> BuildTlsContext(const TlsContextOptions& options);

// The TLS 1.2 cipher list every context uses (OpenSSL syntax).
std::string_view Tls12CipherList();

// --- Per-connection helpers -------------------------------------------------------------

// A new connection object for `ctx` (which it keeps a reference to). Fails with kInternal
// only when OpenSSL cannot allocate.
// REQUIRES: ctx != nullptr.
Result<UniquePtr<SSL>> NewConnection(SSL_CTX* ctx);

// Client side: sends `name` as SNI (unless it is an IP address, which SNI does not carry)
// and makes verification check that the server certificate is valid for `name` (a DNS
// name, or an IP address against IP SANs). Fails with kInvalidArgument on an empty name.
Status SetExpectedPeerName(SSL* ssl, std::string_view name);

// The peer's certificate chain, leaf first, after a completed handshake whose
// verification passed: the verified chain up to the trust anchor, or on a resumed
// session the leaf and the chain the peer sent originally. Empty when the peer sent no
// certificate or verification was off or failed.
std::vector<UniquePtr<X509>> VerifiedPeerChain(const SSL* ssl);

// Why certificate verification failed ("certificate has expired", "unable to get local
// issuer certificate", "hostname mismatch", ...), or "" when it did not fail.
std::string VerifyFailureReason(const SSL* ssl);

// "TLSv1.3", "TLSv1.2", ... of an established connection.
std::string_view ProtocolVersion(const SSL* ssl);

// The subject's commonName (UTF-8), or "" when there is none.
std::string SubjectCommonName(const X509* cert);

}  // namespace wott::ossl

#endif  // WOTT_OSSL_TLS_CONTEXT_H_
