#include "agent/enroll.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "agent/ca_pin.h"
#include "agent/dir_lock.h"
#include "agent/host_info.h"
#include "agent/server_api.h"
#include "base/file.h"
#include "net/url.h"
#include "pki/certificate.h"
#include "pki/csr.h"

namespace wott::agent {
namespace {

// The trust anchors for talking to the server and the fingerprint to store.
struct Trust {
  std::string bundle;
  std::string fingerprint;
};

Result<Trust> EstablishTrust(const EnrollOptions& options) {
  if (options.ca_fingerprint.empty() == options.ca_file.empty()) {
    return InvalidArgument("give exactly one of --ca-fingerprint and --ca-file");
  }
  Trust trust;
  if (!options.ca_file.empty()) {
    Result<std::string> pem = ReadFile(options.ca_file, pki::kMaxChainBytes);
    if (!pem.ok()) return pem.status().WithContext("--ca-file");
    Result<std::string> fp = RootFingerprint(*pem);
    if (!fp.ok()) return fp.status().WithContext("--ca-file " + options.ca_file);
    trust.bundle = std::move(*pem);
    trust.fingerprint = std::move(*fp);
    return trust;
  }
  Result<std::string> fp = pki::NormalizeFingerprint(options.ca_fingerprint);
  if (!fp.ok()) return fp.status().WithContext("--ca-fingerprint");
  trust.fingerprint = std::move(*fp);
  ASSIGN_OR_RETURN(trust.bundle, FetchPinnedCaBundle(options.server_url, trust.fingerprint));
  return trust;
}

// Fails early (before the token is spent) when DIR/certs cannot be written.
Status PrepareDirectory(const AgentPaths& paths) {
  std::error_code ec;
  if (!std::filesystem::is_directory(paths.dir, ec))
    RETURN_IF_ERROR(MakeDirectory(paths.dir, 0700));
  if (!std::filesystem::is_directory(paths.certs, ec)) {
    RETURN_IF_ERROR(MakeDirectory(paths.certs, 0755));
  }
  std::filesystem::path probe = paths.certs / ".write-test";
  RETURN_IF_ERROR(WriteFileAtomically(probe, "", 0600));
  ::unlink(probe.c_str());
  return Status::Ok();
}

}  // namespace

Result<Identity> Enroll(const AgentPaths& paths, const EnrollOptions& options) {
  if (options.token.empty()) return InvalidArgument("--token is required");
  Result<net::HttpsUrl> url = net::ParseHttpsUrl(options.server_url);
  if (!url.ok()) return url.status().WithContext("--server");
  CertFiles certs(paths.certs);
  if (!options.force) {
    Result<std::optional<uint64_t>> current = certs.CurrentGeneration();
    if (!current.ok() || current->has_value()) {
      Result<Identity> id = LoadIdentity(certs);
      std::string who = id.ok() ? " as " + id->info.device_id : "";
      return AlreadyExists("already enrolled" + who + " in " + paths.dir.string() +
                           " (use --force to enroll again as a new device)");
    }
  }
  ASSIGN_OR_RETURN(Trust trust, EstablishTrust(options));
  RETURN_IF_ERROR(PrepareDirectory(paths));
  ASSIGN_OR_RETURN(DirLock lock, DirLock::Acquire(paths.lock));
  RETURN_IF_ERROR(certs.RemoveLeftovers());

  ASSIGN_OR_RETURN(pki::PrivateKey key, pki::GenerateKey(options.key_type));
  ASSIGN_OR_RETURN(std::string key_pem, pki::PrivateKeyToPem(key.get()));
  ASSIGN_OR_RETURN(pki::Csr csr, pki::CreateCsr(key.get(), ""));
  ASSIGN_OR_RETURN(std::string csr_pem, pki::CsrToPem(csr.get()));
  HostInfo host = ReadHostInfo();
  nlohmann::json request = {
      {"token", options.token},
      {"csr", csr_pem},
      {"hostname", options.hostname.empty() ? host.hostname : options.hostname},
      {"os", host.os}};
  ASSIGN_OR_RETURN(net::HttpsClient client, NewServerClient(trust.bundle));
  ASSIGN_OR_RETURN(
      net::HttpResponse response,
      client.PostJson(Endpoint(options.server_url, "/v1/enroll"),
                      request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  if (response.status != 201 && response.status != 200) {
    return ErrorFromResponse(response, "the server refused the enrollment");
  }
  ASSIGN_OR_RETURN(CertSet set, CertSetFromIssued(response.body, key_pem, ""));

  AgentConfig config;
  config.server_url = options.server_url;
  while (config.server_url.ends_with('/')) config.server_url.pop_back();
  config.ca_fingerprint = trust.fingerprint;
  config.key_type = std::string(pki::KeyTypeName(options.key_type));
  config.on_renew = options.on_renew;
  RETURN_IF_ERROR(SaveAgentConfig(paths, config));
  ASSIGN_OR_RETURN(uint64_t generation, certs.Install(set));
  spdlog::debug("installed generation {}", generation);
  RETURN_IF_ERROR(SaveAgentState(paths, AgentState{}));
  return LoadIdentity(certs);
}

}  // namespace wott::agent
