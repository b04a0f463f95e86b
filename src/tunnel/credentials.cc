// The tunnel's TLS glue. Besides src/ossl and src/pki, raw OpenSSL calls live here (the
// certificate-verify callback: chain, CRL, then peer policy in one step; tls_context.h has
// no hook for it), in crl_cache.cc (the CRL index) and in tls_io.cc (TLS on the socket).
#include "tunnel/credentials.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <ctime>
#include <string>

#include "base/file.h"
#include "ossl/error.h"
#include "ossl/tls_context.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/device_id.h"
#include "tunnel/crl_cache.h"

namespace wott::tunnel {
namespace {

// SSL ex_data slot for the connection's PeerCheck.
int PeerCheckIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Why the verified `leaf` must be refused for revocation ("" = fine). `crl` null: no CRL
// loaded, so revocation cannot be checked (fail closed).
std::string RevocationProblem(const CrlIndex* crl, X509_STORE_CTX* store_ctx, X509* leaf) {
  if (crl == nullptr) return "unable to get certificate CRL";
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(store_ctx);  // borrowed
  X509* issuer = sk_X509_num(chain) >= 2 ? sk_X509_value(chain, 1) : nullptr;
  return crl->Check(leaf, issuer, std::time(nullptr));
}

// Verify step: OpenSSL's chain check (anchors, validity, purpose, host name), the CRL (a
// lookup in the snapshot's CrlIndex), then the policy. `arg` is the snapshot.
int VerifyPeer(X509_STORE_CTX* store_ctx, void* arg) {
  const auto* creds = static_cast<const Credentials*>(arg);
  const PeerPolicy* policy = creds->inputs().policy.get();
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store_ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  PeerCheck* check =
      ssl == nullptr ? nullptr : static_cast<PeerCheck*>(SSL_get_ex_data(ssl, PeerCheckIndex()));
  PeerCheck ignored;
  if (check == nullptr) check = &ignored;
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);  // borrowed
  if (leaf == nullptr) return 0;
  std::string domain =
      policy != nullptr ? policy->rules().domain : std::string(pki::kDefaultDomain);
  check->saw_certificate = true;
  check->peer = IdentityOf(leaf, domain);
  if (X509_verify_cert(store_ctx) != 1) {
    check->deny_reason = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store_ctx));
    return 0;
  }
  if (creds->inputs().crl_mode == CrlMode::kRequired) {
    std::string revocation = RevocationProblem(creds->crl_index(), store_ctx, leaf);
    if (!revocation.empty()) {
      X509_STORE_CTX_set_error(store_ctx, revocation == "certificate revoked"
                                              ? X509_V_ERR_CERT_REVOKED
                                              : X509_V_ERR_UNABLE_TO_GET_CRL);
      check->deny_reason = std::move(revocation);
      return 0;
    }
  }
  if (policy == nullptr) {
    check->allow_reason = "any certificate from the CA";
    return 1;
  }
  Decision decision = policy->Evaluate(check->peer);
  if (!decision.allowed) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_APPLICATION_VERIFICATION);
    check->deny_reason = decision.reason;
    check->policy_denied = true;
    check->posture_denied = decision.posture;
    return 0;
  }
  check->allow_reason = decision.reason;
  return 1;
}

struct SplitKeystore {
  std::string chain_pem;
  std::string key_pem;
};

// Splits a combined PEM file into its certificates and its one private key.
Result<SplitKeystore> SplitCombinedPem(std::string_view text) {
  SplitKeystore out;
  int keys = 0;
  size_t pos = 0;
  constexpr std::string_view kBegin = "-----BEGIN ";
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    size_t label_end = text.find("-----", pos + kBegin.size());
    if (label_end == std::string_view::npos)
      return InvalidArgument("keystore: truncated PEM block");
    std::string label(text.substr(pos + kBegin.size(), label_end - pos - kBegin.size()));
    std::string end_marker = "-----END " + label + "-----";
    size_t end = text.find(end_marker, label_end);
    if (end == std::string_view::npos) {
      return InvalidArgument("keystore: PEM block '" + label + "' has no END line");
    }
    end += end_marker.size();
    std::string block = std::string(text.substr(pos, end - pos)) + "\n";
    if (label == "CERTIFICATE") {
      out.chain_pem += block;
    } else if (label == "ENCRYPTED PRIVATE KEY") {
      return InvalidArgument("keystore: encrypted private keys are not supported");
    } else if (label.size() >= 11 && label.compare(label.size() - 11, 11, "PRIVATE KEY") == 0) {
      out.key_pem = block;
      ++keys;
    }
    pos = end;
  }
  if (out.chain_pem.empty()) return InvalidArgument("keystore: no certificate found");
  if (keys == 0) return InvalidArgument("keystore: no private key found");
  if (keys > 1) return InvalidArgument("keystore: more than one private key");
  return out;
}

TimePoint FromAsn1(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint();
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

Result<TimePoint> CrlNextUpdate(std::string_view der) {
  ASSIGN_OR_RETURN(pki::Crl crl, pki::ParseCrlDer(der));
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
  if (next == nullptr) return InvalidArgument("CRL: no nextUpdate");
  return FromAsn1(next);
}

Credentials::~Credentials() = default;

Result<std::shared_ptr<const Credentials>> Credentials::Build(CredentialInputs inputs) {
  ASSIGN_OR_RETURN(SplitKeystore split, SplitCombinedPem(inputs.keystore_pem));
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(split.chain_pem);
  if (!chain.ok()) return InvalidArgument("keystore: " + chain.status().message());

  ossl::TlsContextOptions options;
  options.role = inputs.side == Side::kServer ? ossl::TlsRole::kServer : ossl::TlsRole::kClient;
  options.certificate_chain_pem = split.chain_pem;
  options.private_key_pem = split.key_pem;
  options.trust_anchors_pem = inputs.cacert_pem;
  options.peer_verification = ossl::PeerVerification::kRequired;
  // Resumed sessions skip the verify step (policy, CRL); every connection is checked anew.
  options.session_resumption = false;
  Result<ossl::UniquePtr<SSL_CTX>> ctx = ossl::BuildTlsContext(options);
  if (!ctx.ok()) {
    std::string what = ctx.status().message();
    bool about_ca = what.find("trust anchor") != std::string::npos;
    return Status(ctx.status().code(), (about_ca ? "CA bundle: " : "keystore: ") + what,
                  ctx.status().detail());
  }

  auto creds = std::shared_ptr<Credentials>(new Credentials());
  creds->ctx_ = std::move(*ctx);
  SSL_CTX* raw = creds->ctx_.get();
  X509* leaf = (*chain)[0].get();
  creds->serial_ = pki::SerialHex(leaf);
  creds->common_name_ = pki::CommonName(leaf);
  creds->not_after_ = pki::NotAfter(leaf);

  if (inputs.crl_mode == CrlMode::kRequired && !inputs.crl_der.empty()) {
    // Parsed and indexed once here; OpenSSL's own CRL check (X509_V_FLAG_CRL_CHECK) would
    // redo the signature and lookups in every handshake. With no CRL the verify step
    // refuses every peer ("unable to get certificate CRL": fail closed).
    ASSIGN_OR_RETURN(creds->crl_index_, CrlIndex::Parse(inputs.crl_der));
    creds->crl_next_update_ =
        std::chrono::system_clock::from_time_t(creds->crl_index_->next_update());
    // Verify the signature now with the issuing CA when we hold it (our own chain or the
    // bundle), so handshakes only compare certificates.
    for (const pki::Certificate& cert : *chain) creds->crl_index_->PreVerify(cert.get());
    STACK_OF(X509_OBJECT)* anchors = X509_STORE_get0_objects(SSL_CTX_get_cert_store(raw));
    for (int i = 0; i < sk_X509_OBJECT_num(anchors); ++i) {
      creds->crl_index_->PreVerify(X509_OBJECT_get0_X509(sk_X509_OBJECT_value(anchors, i)));
    }
  }
  // Our peers may end a direction with a TCP FIN instead of close_notify (half-close).
  SSL_CTX_set_options(raw, SSL_OP_IGNORE_UNEXPECTED_EOF);
  creds->inputs_ = std::move(inputs);
  SSL_CTX_set_cert_verify_callback(raw, VerifyPeer, creds.get());
  return std::shared_ptr<const Credentials>(std::move(creds));
}

Result<std::shared_ptr<const Credentials>> Credentials::Load(
    Side side, const std::filesystem::path& keystore, const std::filesystem::path& cacert,
    std::shared_ptr<const PeerPolicy> policy, CrlMode crl_mode, std::string crl_der) {
  CredentialInputs inputs;
  inputs.side = side;
  Result<std::string> ks = ReadFile(keystore);
  if (!ks.ok())
    return Status(ks.status().code(),
                  "keystore " + keystore.string() + ": " + ks.status().message());
  Result<std::string> ca = ReadFile(cacert);
  if (!ca.ok())
    return Status(ca.status().code(),
                  "CA bundle " + cacert.string() + ": " + ca.status().message());
  inputs.keystore_pem = std::move(*ks);
  inputs.cacert_pem = std::move(*ca);
  inputs.policy = std::move(policy);
  inputs.crl_mode = crl_mode;
  inputs.crl_der = std::move(crl_der);
  return Build(std::move(inputs));
}

Result<ossl::UniquePtr<SSL>> Credentials::NewConnection(PeerCheck* check,
                                                        const std::string& server_name) const {
  ASSIGN_OR_RETURN(ossl::UniquePtr<SSL> ssl, ossl::NewConnection(ctx_.get()));
  if (SSL_set_ex_data(ssl.get(), PeerCheckIndex(), check) != 1) {
    return ossl::ErrorStatus(StatusCode::kInternal, "cannot attach the peer check");
  }
  if (inputs_.side == Side::kClient && !server_name.empty()) {
    RETURN_IF_ERROR(ossl::SetExpectedPeerName(ssl.get(), server_name));
  }
  return ssl;
}

}  // namespace wott::tunnel
