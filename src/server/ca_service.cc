#include "server/ca_service.h"

#include <algorithm>

#include "base/encoding.h"
#include "ossl/digest.h"
#include "ossl/random.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/csr.h"
#include "pki/verify.h"
#include "server/metrics.h"
#include "server/posture_service.h"

namespace wott::server {
namespace {

// Longest hostname / OS string a device may report at enrollment.
constexpr size_t kMaxReportedField = 256;

Result<pki::VerifiedCsr> CheckCsr(std::string_view pem) {
  if (pem.empty()) return InvalidArgument("missing csr");
  Result<pki::VerifiedCsr> csr = pki::ParseAndVerifyCsrForIssuance(pem);
  if (!csr.ok()) return csr.status().WithContext("csr");
  return csr;
}

// OK when the expired certificate `serial` of device `id` goes with the recovery token of
// hash `token_hash`, which `device` holds: its current certificate for either token, or, for
// the previous token, the unrevoked certificate issued before the current one (an agent
// killed before it installed its last renewal still holds that generation).
Status CheckRecoveryPair(store::Store& store, const store::DeviceRecord& device,
                         const std::string& token_hash, const pki::DeviceId& id,
                         const std::string& serial) {
  Status mismatch = PermissionDenied("the certificate is not this device's current certificate");
  if (id.hex() != device.id) return mismatch;
  if (serial == device.current_serial) return Status::Ok();
  if (token_hash != device.previous_recovery_token_hash) return mismatch;
  ASSIGN_OR_RETURN(std::vector<store::CertificateRecord> newest,
                   store.ListCertificates(device.id, 2));
  for (const store::CertificateRecord& certificate : newest) {
    if (certificate.serial == serial && !certificate.revoked_at) return Status::Ok();
  }
  return mismatch;
}

}  // namespace

std::string CaService::HashToken(std::string_view token) { return ossl::Sha256Hex(token); }

Result<std::unique_ptr<CaService>> CaService::Create(pki::LoadedCa ca, store::Store* store,
                                                     const Clock* clock, CaServiceOptions options) {
  if (options.device_lifetime <= Duration::zero()) {
    return InvalidArgument("device certificate lifetime must be positive");
  }
  if (options.renew_fraction <= 0 || options.renew_fraction >= 1) {
    return InvalidArgument("renew fraction must be between 0 and 1");
  }
  if (options.session_lifetime < kMinSessionLifetime ||
      options.session_lifetime > kMaxSessionLifetime) {
    return InvalidArgument("dashboard session lifetime must be between " +
                           FormatDuration(kMinSessionLifetime) + " and " +
                           FormatDuration(kMaxSessionLifetime));
  }
  auto service = std::unique_ptr<CaService>(new CaService());
  pki::IssuerOptions issuer_options{ca.config.domain, ca.config.organization, ca.config.public_url};
  ASSIGN_OR_RETURN(pki::Issuer issuer, pki::Issuer::Create(ossl::UpRef(ca.intermediate.get()),
                                                           ossl::UpRef(ca.intermediate_key.get()),
                                                           issuer_options, clock));
  service->issuer_ = std::make_unique<pki::Issuer>(std::move(issuer));
  ASSIGN_OR_RETURN(service->intermediate_pem_, pki::CertificateToPem(ca.intermediate.get()));
  service->ca_ = std::move(ca);
  service->store_ = store;
  service->clock_ = clock;
  service->options_ = options;
  service->posture_ =
      std::make_unique<PostureService>(store, clock, service->ca_.config.domain,
                                       options.vulndb_path, options.posture_refresh_budget);
  return service;
}

CaService::~CaService() = default;

Result<pki::DeviceId> CaService::DeviceOf(X509* cert) const {
  if (cert == nullptr) return Unauthenticated("a client certificate is required");
  auto refuse = [](std::string why) {
    return Unauthenticated("the client certificate is not a wott device certificate", why);
  };
  if (X509_check_issued(ca_.intermediate.get(), cert) != X509_V_OK) {
    return refuse("not issued by our intermediate");
  }
  std::vector<std::string> uris = pki::UriNames(cert);
  if (uris.size() != 1) return refuse("expected exactly one SAN URI");
  Result<pki::DeviceId> id = pki::DeviceId::FromSpiffeUri(uris[0], ca_.config.domain);
  if (!id.ok()) return refuse("bad SPIFFE URI " + uris[0]);
  const std::string name = id->Name(ca_.config.domain);
  std::vector<std::string> dns = pki::DnsNames(cert);
  if (pki::CommonName(cert) != name || dns.size() != 1 || dns[0] != name) {
    return refuse("CN / SAN DNS do not match the SPIFFE ID");
  }
  return id;
}

Result<CaService::Signed> CaService::Sign(const pki::DeviceId& id, const pki::VerifiedCsr& csr) {
  // Encoded once: PEM, fingerprint, serial and validity all come from these bytes.
  ASSIGN_OR_RETURN(pki::EncodedCertificate cert,
                   issuer_->IssueDeviceDerForCsr(id, csr, options_.device_lifetime));
  std::string leaf_pem = pki::DerToPem(cert.der, "CERTIFICATE");
  ASSIGN_OR_RETURN(std::string recovery_token, ossl::RandomHex(32));

  Signed out;
  IssuedCertificate& issued = out.issued;
  issued.device_hex = id.hex();
  issued.device_name = id.Name(ca_.config.domain);
  issued.serial = cert.serial_hex;
  issued.certificate_chain = leaf_pem + intermediate_pem_;
  issued.ca_bundle = ca_.bundle_pem;
  issued.not_before = cert.not_before;
  issued.not_after = cert.not_after;
  auto lifetime = issued.not_after - issued.not_before;
  issued.renew_after =
      issued.not_before + std::chrono::duration_cast<Duration>(lifetime * options_.renew_fraction);
  issued.recovery_token = recovery_token;

  out.record.serial = issued.serial;
  out.record.device_id = id.hex();
  out.record.not_before = issued.not_before;
  out.record.not_after = issued.not_after;
  out.record.fingerprint = ossl::Sha256Hex(cert.der);
  out.record.pem = std::move(leaf_pem);
  out.recovery_hash = HashToken(recovery_token);
  return out;
}

Result<IssuedCertificate> CaService::Enroll(const EnrollRequest& request) {
  Result<IssuedCertificate> issued = DoEnroll(request);
  if (metrics()) metrics()->CountIssuance(IssuanceKind::kEnroll, issued.status());
  return issued;
}

Result<IssuedCertificate> CaService::Renew(X509* peer_certificate, std::string_view csr_pem) {
  Result<IssuedCertificate> issued = DoRenew(peer_certificate, csr_pem);
  if (metrics()) metrics()->CountIssuance(IssuanceKind::kRenew, issued.status());
  return issued;
}

Result<IssuedCertificate> CaService::Recover(const RecoverRequest& request) {
  Result<IssuedCertificate> issued = DoRecover(request);
  if (metrics()) metrics()->CountIssuance(IssuanceKind::kRecover, issued.status());
  return issued;
}

Result<IssuedCertificate> CaService::DoEnroll(const EnrollRequest& request) {
  if (request.token.empty()) return Unauthenticated("missing enrollment token");
  if (request.hostname.size() > kMaxReportedField || request.os.size() > kMaxReportedField) {
    return InvalidArgument("hostname and os must be at most 256 bytes");
  }
  const std::string token_hash = HashToken(request.token);
  // Cheap checks first, so bad tokens never cost a signature.
  RETURN_IF_ERROR(store_->FindEnrollmentToken(token_hash, clock_->Now()));
  ASSIGN_OR_RETURN(pki::VerifiedCsr csr, CheckCsr(request.csr));
  ASSIGN_OR_RETURN(pki::DeviceId id, pki::DeviceId::Generate());
  ASSIGN_OR_RETURN(Signed signed_cert, Sign(id, csr));

  store::NewDevice device;
  device.id = id.hex();
  device.name = signed_cert.issued.device_name;
  if (!request.hostname.empty()) device.metadata["hostname"] = request.hostname;
  if (!request.os.empty()) device.metadata["os"] = request.os;
  RETURN_IF_ERROR(store_->EnrollDevice(token_hash, device, signed_cert.record,
                                       signed_cert.recovery_hash, clock_->Now()));
  return signed_cert.issued;
}

Result<IssuedCertificate> CaService::DoRenew(X509* peer_certificate, std::string_view csr_pem) {
  ASSIGN_OR_RETURN(pki::DeviceId id, DeviceOf(peer_certificate));
  ASSIGN_OR_RETURN(pki::VerifiedCsr csr, CheckCsr(csr_pem));
  ASSIGN_OR_RETURN(Signed signed_cert, Sign(id, csr));
  RETURN_IF_ERROR(store_->RenewDevice(id.hex(), pki::SerialHex(peer_certificate),
                                      signed_cert.record, signed_cert.recovery_hash,
                                      clock_->Now()));
  return signed_cert.issued;
}

Result<IssuedCertificate> CaService::DoRecover(const RecoverRequest& request) {
  if (request.recovery_token.empty()) return Unauthenticated("missing recovery token");
  const std::string token_hash = HashToken(request.recovery_token);
  ASSIGN_OR_RETURN(store::DeviceRecord device, store_->FindDeviceByRecoveryToken(token_hash));

  // Devices send their client.crt as is: the leaf, possibly followed by the intermediate.
  Result<std::vector<pki::Certificate>> expired_chain =
      pki::ParseCertificateChainPem(request.expired_certificate);
  if (!expired_chain.ok()) return expired_chain.status().WithContext("expired_certificate");
  pki::Certificate* expired = &expired_chain->front();
  // The old certificate must have been ours when it was valid.
  ASSIGN_OR_RETURN(auto trust, pki::TrustStore::FromPem(ca_.bundle_pem));
  std::vector<pki::Certificate> chain;
  chain.push_back(ossl::UpRef(ca_.intermediate.get()));
  Status was_valid =
      pki::VerifyCertificate(*trust, expired->get(), chain, pki::Purpose::kClientAuth,
                             pki::NotAfter(expired->get()) - std::chrono::seconds(1));
  if (!was_valid.ok()) return was_valid.WithContext("expired_certificate");
  ASSIGN_OR_RETURN(pki::DeviceId id, DeviceOf(expired->get()));
  RETURN_IF_ERROR(
      CheckRecoveryPair(*store_, device, token_hash, id, pki::SerialHex(expired->get())));
  ASSIGN_OR_RETURN(pki::VerifiedCsr csr, CheckCsr(request.csr));
  ASSIGN_OR_RETURN(Signed signed_cert, Sign(id, csr));
  RETURN_IF_ERROR(store_->RecoverDevice(token_hash, signed_cert.record, signed_cert.recovery_hash,
                                        options_.recovery_grace, clock_->Now()));
  return signed_cert.issued;
}

Result<std::string> CaService::CrlDer() {
  TimePoint now = clock_->Now();
  ASSIGN_OR_RETURN(std::vector<store::RevokedCertificate> revoked,
                   store_->ListRevokedCertificates(now));
  std::vector<pki::RevokedCertificate> entries;
  std::string fingerprint;
  for (const store::RevokedCertificate& r : revoked) {
    entries.push_back({r.serial, r.revoked_at, r.reason});
    fingerprint += r.serial + ":" + std::to_string(store::ToUnixSeconds(r.revoked_at)) + ":" +
                   std::to_string(static_cast<int>(r.reason)) + ";";
  }
  fingerprint = ossl::Sha256Hex(fingerprint);

  std::lock_guard<std::mutex> lock(crl_mu_);
  if (!crl_der_.empty() && fingerprint == crl_revoked_hash_ && now < crl_refresh_at_) {
    return crl_der_;
  }
  ASSIGN_OR_RETURN(int64_t number, store_->NextCrlNumber());
  ASSIGN_OR_RETURN(pki::Crl crl, pki::BuildCrl(*issuer_, entries, static_cast<uint64_t>(number),
                                               options_.crl_validity));
  ASSIGN_OR_RETURN(crl_der_, pki::CrlToDer(crl.get()));
  crl_revoked_hash_ = fingerprint;
  crl_refresh_at_ = now + options_.crl_validity / 2;
  return crl_der_;
}

}  // namespace wott::server
