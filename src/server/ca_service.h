// CaService: the certificate authority's domain logic, between the HTTP handlers and the
// PKI library and registry. Enrollment, renewal, recovery and revocation are decided here;
// handlers only parse JSON and render results.
//
// Every issuance follows the same order: check the credential read-only, check the CSR
// (proof of possession, key policy), sign, then record the certificate and consume the
// credential in one store transaction. A certificate is returned only after that commit;
// when the commit fails the signed certificate is discarded.
//
// Thread safety: all methods may be called from many threads at once (worker threads of
// the HTTPS server). They block on the registry and on signing.
#ifndef WOTT_SERVER_CA_SERVICE_H_
#define WOTT_SERVER_CA_SERVICE_H_

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "pki/ca_directory.h"
#include "pki/csr.h"
#include "pki/device_id.h"
#include "pki/issuer.h"
#include "store/store.h"

namespace wott::server {

class PostureService;
class ServerMetrics;

struct CaServiceOptions {
  // Lifetime of device certificates.
  Duration device_lifetime = pki::kDeviceLifetime;
  // Agents are told to renew after this fraction of the lifetime has passed.
  double renew_fraction = 2.0 / 3.0;
  // How long after expiry a device may still recover with its recovery token.
  Duration recovery_grace = std::chrono::days(30);
  // nextUpdate - thisUpdate of the CRL; it is regenerated when half of this has passed
  // or when the set of revoked certificates changed.
  Duration crl_validity = std::chrono::hours(24);
  // Counts each Enroll / Renew / Recover outcome and is served on GET /metrics; shared
  // with the HTTPS server's request hook. Null: nothing is counted.
  std::shared_ptr<ServerMetrics> metrics;
  // The vulnerability database devices' inventories are matched against
  // (DATA_DIR/vulndb.sqlite); "" = none (findings unknown).
  std::filesystem::path vulndb_path;
  // Absolute lifetime of a dashboard login session (not extended by use), within
  // [kMinSessionLifetime, kMaxSessionLifetime].
  Duration session_lifetime = std::chrono::hours(12);
  // How long a fleet view (fleet CVEs, policy requirements) may spend per request bringing
  // stale device postures up to date (see PostureService).
  Duration posture_refresh_budget = std::chrono::seconds(1);
};

inline constexpr Duration kMinSessionLifetime = std::chrono::minutes(5);
inline constexpr Duration kMaxSessionLifetime = std::chrono::days(30);

// What a successful enrollment, renewal or recovery returns to the device.
struct IssuedCertificate {
  std::string device_name;        // "<hex>.d.<domain>"
  std::string device_hex;         // "<hex>"
  std::string serial;             // lowercase hex
  std::string certificate_chain;  // leaf + intermediate, PEM
  std::string ca_bundle;          // trust anchors, PEM
  TimePoint not_before;
  TimePoint not_after;
  TimePoint renew_after;
  std::string recovery_token;  // one-time secret for POST /v1/recover
};

struct EnrollRequest {
  std::string token;     // the enrollment token as printed by `token create`
  std::string csr;       // PEM
  std::string hostname;  // optional, stored as metadata
  std::string os;        // optional, stored as metadata
};

struct RecoverRequest {
  std::string recovery_token;
  std::string csr;                  // PEM
  std::string expired_certificate;  // PEM, the device's last certificate (chain allowed)
};

class CaService {
 public:
  // `store` and `clock` must outlive the service.
  static Result<std::unique_ptr<CaService>> Create(pki::LoadedCa ca, store::Store* store,
                                                   const Clock* clock,
                                                   CaServiceOptions options = {});
  ~CaService();

  // First certificate for a new device. kUnauthenticated (unknown token) or
  // kPermissionDenied (revoked, expired, used up) for token problems; kInvalidArgument for
  // a bad CSR.
  Result<IssuedCertificate> Enroll(const EnrollRequest& request);

  // New certificate for the device that presented `peer_certificate` (already verified by
  // the TLS handshake against our trust anchors). Same device ID; refused (kPermissionDenied)
  // for revoked, deleted, expired or superseded-and-revoked certificates, kUnauthenticated
  // when the certificate is not a wott device certificate.
  Result<IssuedCertificate> Renew(X509* peer_certificate, std::string_view csr_pem);

  // New certificate for a device whose certificate expired less than recovery_grace ago.
  Result<IssuedCertificate> Recover(const RecoverRequest& request);

  // The device ID ("<hex>") of a verified client certificate issued by our intermediate;
  // kUnauthenticated otherwise. Reads the SPIFFE URI and checks CN and SAN DNS agree.
  Result<pki::DeviceId> DeviceOf(X509* peer_certificate) const;

  // The current CRL (DER), regenerated when stale or when revocations changed.
  Result<std::string> CrlDer();

  const std::string& ca_bundle() const { return ca_.bundle_pem; }
  const pki::CaConfig& config() const { return ca_.config; }
  const pki::Issuer& issuer() const { return *issuer_; }
  X509* intermediate() const { return ca_.intermediate.get(); }
  store::Store& registry() const { return *store_; }
  ServerMetrics* metrics() const { return options_.metrics.get(); }
  // Device posture (heartbeat audits, findings, trust scores) over the same registry.
  PostureService& posture() const { return *posture_; }
  const Clock& clock() const { return *clock_; }
  Duration session_lifetime() const { return options_.session_lifetime; }

  // SHA-256 hex of a secret token, as the registry stores it.
  static std::string HashToken(std::string_view token);

 private:
  CaService() = default;

  // Signs a device certificate for `id` with the key of `csr` (already verified) and a
  // fresh recovery token; the caller records it.
  struct Signed {
    IssuedCertificate issued;
    store::CertificateRecord record;
    std::string recovery_hash;
  };
  Result<Signed> Sign(const pki::DeviceId& id, const pki::VerifiedCsr& csr);

  // The bodies of Enroll / Renew / Recover; the public methods count their outcome.
  Result<IssuedCertificate> DoEnroll(const EnrollRequest& request);
  Result<IssuedCertificate> DoRenew(X509* peer_certificate, std::string_view csr_pem);
  Result<IssuedCertificate> DoRecover(const RecoverRequest& request);

  pki::LoadedCa ca_;
  std::unique_ptr<pki::Issuer> issuer_;
  std::string intermediate_pem_;
  store::Store* store_ = nullptr;
  const Clock* clock_ = nullptr;
  CaServiceOptions options_;
  std::unique_ptr<PostureService> posture_;

  std::mutex crl_mu_;
  std::string crl_der_;           // guarded by crl_mu_
  std::string crl_revoked_hash_;  // guarded by crl_mu_: hash of the list it was built from
  TimePoint crl_refresh_at_;      // guarded by crl_mu_
};

}  // namespace wott::server

#endif  // WOTT_SERVER_CA_SERVICE_H_
