#include "agent/enroll.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

// Removes the directories a failed enrollment created (innermost first; only if empty).
void RemoveCreated(const std::vector<std::filesystem::path>& created) {
  for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
}

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

// Fails early (before the token is spent) when DIR/certs cannot be written. Returns the
// directories it created, so a failed enrollment can remove them again.
Result<std::vector<std::filesystem::path>> PrepareDirectory(const AgentPaths& paths) {
  std::vector<std::filesystem::path> created;
  auto fail = [&created](Status s) {
    RemoveCreated(created);
    return s;
  };
  for (const auto& [dir, mode] : {std::pair{paths.dir, 0700}, std::pair{paths.certs, 0755}}) {
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) continue;
    if (std::filesystem::exists(dir, ec)) {
      return fail(FailedPrecondition(dir.string() + " exists and is not a directory"));
    }
    if (::mkdir(dir.c_str(), static_cast<mode_t>(mode)) != 0) {
      std::string message = "cannot create directory " + dir.string() + ": " + std::strerror(errno);
      return fail(errno == ENOENT ? NotFound(message) : PermissionDenied(message));
    }
    created.push_back(dir);
  }
  std::filesystem::path probe = paths.certs / ".write-test";
  if (Status s = WriteFileAtomically(probe, "", 0600); !s.ok()) return fail(s);
  ::unlink(probe.c_str());
  return created;
}

// The enrollment proper, once trust is established and DIR is writable.
Result<Identity> EnrollPrepared(const AgentPaths& paths, const EnrollOptions& options,
                                const Trust& trust) {
  CertFiles certs(paths.certs);
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
  ASSIGN_OR_RETURN(std::vector<std::filesystem::path> created, PrepareDirectory(paths));
  Result<Identity> id = EnrollPrepared(paths, options, trust);
  if (!id.ok() && !created.empty()) {
    ::unlink(paths.lock.c_str());  // ours: the directory held no identity before
    RemoveCreated(created);
  }
  return id;
}

}  // namespace wott::agent
