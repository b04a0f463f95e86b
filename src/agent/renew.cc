#include "agent/renew.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/dir_lock.h"
#include "agent/server_api.h"
#include "base/encoding.h"
#include "pki/csr.h"

namespace wott::agent {
namespace {

// A refusal from the server that retrying will not change, in plain words.
Status Refusal(const net::HttpResponse& response, const Identity& id, bool recovering) {
  const std::string code = ServerErrorCode(response);
  Status server = ErrorFromResponse(response, recovering ? "recovery refused" : "renewal refused");
  if (response.status != 403) return server;
  const std::string& message = server.message();
  if (code == "device_revoked" || message.find("revoked") != std::string::npos) {
    return PermissionDenied("device " + id.info.device_id + " is revoked: renewal refused",
                            server.ToString());
  }
  if (code == "device_deleted" || message.find("deleted") != std::string::npos) {
    return PermissionDenied("device " + id.info.device_id + " was deleted: renewal refused",
                            server.ToString());
  }
  if (recovering) {
    return PermissionDenied(server.message() + " (enroll again with a new token)", server.detail());
  }
  return server;
}

// One renewal request: POST /v1/renew over mTLS, or POST /v1/recover with the recovery
// token when `expired`. Returns the answer whatever its HTTP status.
Result<net::HttpResponse> Exchange(const AgentConfig& config, const Identity& current,
                                   const std::string& csr_pem, bool expired) {
  if (expired) {
    spdlog::info("the certificate of {} expired at {}; recovering with the recovery token",
                 current.info.device_id, FormatRfc3339(current.info.not_after));
    ASSIGN_OR_RETURN(net::HttpsClient client, NewServerClient(current.files.ca_bundle));
    nlohmann::json body = {{"recovery_token", current.info.recovery_token},
                           {"csr", csr_pem},
                           {"expired_certificate", current.files.client_chain}};
    return client.PostJson(Endpoint(config.server_url, "/v1/recover"), body.dump());
  }
  ASSIGN_OR_RETURN(net::HttpsClient client, NewServerClient(current.files.ca_bundle, &current));
  nlohmann::json body = {{"csr", csr_pem}};
  return client.PostJson(Endpoint(config.server_url, "/v1/renew"), body.dump());
}

Result<RenewResult> DoRenew(const AgentPaths& paths, const AgentConfig& config,
                            const RenewOptions& options, Identity current, TimePoint now) {
  std::string key_pem = current.files.client_key;
  if (!options.keep_key) {
    ASSIGN_OR_RETURN(pki::KeyType type, pki::ParseKeyType(config.key_type));
    ASSIGN_OR_RETURN(pki::PrivateKey key, pki::GenerateKey(type));
    ASSIGN_OR_RETURN(key_pem, pki::PrivateKeyToPem(key.get()));
  }
  ASSIGN_OR_RETURN(pki::PrivateKey key, pki::PrivateKeyFromPem(key_pem));
  ASSIGN_OR_RETURN(pki::Csr csr, pki::CreateCsr(key.get(), ""));
  ASSIGN_OR_RETURN(std::string csr_pem, pki::CsrToPem(csr.get()));

  // Which flow the local clock says; the other one when the server's clock disagrees (a
  // handshake refused for an expired certificate, or a recovery "not expired yet").
  bool expired = now >= current.info.not_after;
  Result<net::HttpResponse> response = Exchange(config, current, csr_pem, expired);
  const bool server_says_expired = !expired && !response.ok() &&
                                   response.status().code() == StatusCode::kUnauthenticated &&
                                   response.status().message().find("expired") != std::string::npos;
  const bool server_says_valid = expired && response.ok() && response->status == 409;
  if (server_says_expired || server_says_valid) {
    spdlog::info("the server's clock disagrees about expiry; trying the {} flow",
                 expired ? "renewal" : "recovery");
    expired = !expired;
    response = Exchange(config, current, csr_pem, expired);
  }
  if (!response.ok()) return response.status();
  if (response->status != 200) return Refusal(*response, current, expired);
  ASSIGN_OR_RETURN(CertSet set, CertSetFromIssued(response->body, key_pem, current.info.device_id));
  CertFiles certs(paths.certs);
  ASSIGN_OR_RETURN(uint64_t generation, certs.Install(set));
  ASSIGN_OR_RETURN(Identity renewed, LoadIdentity(certs));
  spdlog::info("{} {}: serial {}, valid until {} (generation {})", renewed.info.device_id,
               expired ? "recovered" : "renewed", renewed.info.serial,
               FormatRfc3339(renewed.info.not_after), generation);
  return RenewResult{expired ? RenewOutcome::kRecovered : RenewOutcome::kRenewed,
                     std::move(renewed)};
}

}  // namespace

Result<RenewResult> Renew(const AgentPaths& paths, const AgentConfig& config,
                          const RenewOptions& options, const Clock& clock) {
  ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(paths.lock));
  CertFiles certs(paths.certs);
  RETURN_IF_ERROR(certs.RemoveLeftovers());
  ASSIGN_OR_RETURN(Identity current, LoadIdentity(certs));
  const TimePoint now = clock.Now();
  if (!options.force && now < current.info.renew_after) {
    return RenewResult{RenewOutcome::kNotDue, std::move(current)};
  }
  Result<RenewResult> result = DoRenew(paths, config, options, std::move(current), now);
  RecordAttempt(paths, now, result.status());
  return result;
}

}  // namespace wott::agent
