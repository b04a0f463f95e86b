// Credentials: one immutable snapshot of what a tunnel listener needs for TLS, built from
// the keystore (certificate chain + private key in one PEM file, as ghostunnel takes it),
// the CA bundle, the peer policy and the current CRL. A snapshot owns its SSL_CTX; its
// certificate-verify step runs, in order, OpenSSL's chain check (anchors = the CA bundle,
// validity, EKU for the role), the revocation check (a serial lookup in the snapshot's
// CrlIndex, whose signature and issuer were checked once; see crl_cache.h) and then the peer
// policy, so a revoked or unauthorised peer's handshake is refused with an alert. The trust
// store is built once per snapshot and shared by all its connections; session resumption is
// off (every connection runs the verify step).
//
// Thread safety: a Credentials is immutable and shared by any number of threads and
// connections. CredentialStore holds the current snapshot; Current/Swap are atomic, so a
// reload changes what new connections get while open ones keep theirs.
#ifndef WOTT_TUNNEL_CREDENTIALS_H_
#define WOTT_TUNNEL_CREDENTIALS_H_

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "ossl/unique_ptr.h"
#include "tunnel/peer_policy.h"

namespace wott::tunnel {

class CrlIndex;

enum class Side {
  kServer,  // accepts TLS from peers, forwards plain TCP to the target
  kClient,  // accepts plain TCP, forwards over TLS to the target
};

// How the verify step treats revocation.
enum class CrlMode {
  kOff,       // --no-crl: no revocation check
  kRequired,  // a CRL for the peer's issuer must be present and current; else the peer is refused
};

struct CredentialInputs {
  Side side = Side::kServer;
  // PEM: certificate chain (leaf first) and its unencrypted private key, in any order.
  std::string keystore_pem;
  // PEM bundle of trust anchors for peers.
  std::string cacert_pem;
  // Who may connect (servers) / which server we accept (clients); null = any certificate
  // that verifies against the bundle.
  std::shared_ptr<const PeerPolicy> policy;
  CrlMode crl_mode = CrlMode::kOff;
  // DER CRL of the issuing CA; "" = none yet (with kRequired every peer is then refused:
  // fail closed).
  std::string crl_der;
};

// Filled by the verify step of one handshake, for logs and metrics. Owned by the
// connection; lives at least as long as its SSL object.
struct PeerCheck {
  bool saw_certificate = false;
  PeerIdentity peer;
  std::string deny_reason;      // "" unless verification or policy refused the peer
  bool policy_denied = false;   // the chain was fine but no rule allowed the peer
  bool posture_denied = false;  // ... and a central policy refused it for posture
  std::string allow_reason;     // the rule that allowed the peer
};

class Credentials {
 public:
  // Builds a snapshot. kInvalidArgument with a message naming the file problem ("keystore:
  // no private key", "keystore: the private key does not match the certificate", "CA bundle:
  // ...", "CRL: ...").
  static Result<std::shared_ptr<const Credentials>> Build(CredentialInputs inputs);

  // Reads both files and builds; kNotFound/kPermissionDenied name the unreadable file.
  static Result<std::shared_ptr<const Credentials>> Load(Side side,
                                                         const std::filesystem::path& keystore,
                                                         const std::filesystem::path& cacert,
                                                         std::shared_ptr<const PeerPolicy> policy,
                                                         CrlMode crl_mode, std::string crl_der);

  ~Credentials();

  // A new connection object. `check` (may be null) receives the verify step's outcome.
  // Client side: `server_name` ("" = none) is sent as SNI and the server certificate must be
  // valid for it. kInternal when OpenSSL cannot allocate; kInvalidArgument on a bad name.
  Result<ossl::UniquePtr<SSL>> NewConnection(PeerCheck* check,
                                             const std::string& server_name = {}) const;

  Side side() const { return inputs_.side; }
  const std::string& serial() const { return serial_; }
  const std::string& common_name() const { return common_name_; }
  TimePoint not_after() const { return not_after_; }
  const CredentialInputs& inputs() const { return inputs_; }
  // The CRL's nextUpdate, when one is loaded.
  std::optional<TimePoint> crl_next_update() const { return crl_next_update_; }
  // The loaded CRL (kRequired with a CRL only), else null.
  const CrlIndex* crl_index() const { return crl_index_.get(); }

 private:
  Credentials() = default;
  CredentialInputs inputs_;
  ossl::UniquePtr<SSL_CTX> ctx_;
  std::string serial_;
  std::string common_name_;
  TimePoint not_after_;
  std::optional<TimePoint> crl_next_update_;
  std::unique_ptr<CrlIndex> crl_index_;
};

// Parses a DER CRL and returns its nextUpdate (kInvalidArgument when malformed or it has
// none).
Result<TimePoint> CrlNextUpdate(std::string_view der);

// The current snapshot of one listener; starts empty.
class CredentialStore {
 public:
  std::shared_ptr<const Credentials> Current() const { return current_.load(); }
  void Swap(std::shared_ptr<const Credentials> next) { current_.store(std::move(next)); }

 private:
  std::atomic<std::shared_ptr<const Credentials>> current_;
};

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_CREDENTIALS_H_
