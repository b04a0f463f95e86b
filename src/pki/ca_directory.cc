#include "pki/ca_directory.h"

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/file.h"
#include "ossl/random.h"
#include "pki/verify.h"

namespace wott::pki {

namespace fs = std::filesystem;

CaPaths::CaPaths(const fs::path& dir)
    : data_dir(dir),
      ca_dir(dir / "ca"),
      root_cert(ca_dir / "root.crt"),
      root_key(ca_dir / "root.key"),
      intermediate_cert(ca_dir / "intermediate.crt"),
      intermediate_key(ca_dir / "intermediate.key"),
      server_cert(ca_dir / "server.crt"),
      server_key(ca_dir / "server.key"),
      config(ca_dir / "ca.json") {}

Result<CaConfig> ParseCaConfig(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("ca.json is not a JSON object");
  CaConfig config;
  auto get = [&](const char* key, std::string* out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_string()) return InvalidArgument(std::string("ca.json: ") + key + " must be a string");
    *out = j[key].get<std::string>();
    return Status::Ok();
  };
  std::string key_type(KeyTypeName(config.key_type));
  RETURN_IF_ERROR(get("domain", &config.domain));
  RETURN_IF_ERROR(get("organization", &config.organization));
  RETURN_IF_ERROR(get("public_url", &config.public_url));
  RETURN_IF_ERROR(get("key_type", &key_type));
  ASSIGN_OR_RETURN(config.key_type, ParseKeyType(key_type));
  RETURN_IF_ERROR(ValidateDomain(config.domain));
  return config;
}

std::string SerializeCaConfig(const CaConfig& config) {
  nlohmann::json j = {{"domain", config.domain},
                      {"organization", config.organization},
                      {"key_type", std::string(KeyTypeName(config.key_type))},
                      {"public_url", config.public_url}};
  return j.dump(2) + "\n";
}

namespace {

std::vector<std::string> DefaultServerNames() {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0' &&
      std::string_view(host) != "localhost") {
    names.emplace_back(host);
  }
  return names;
}

struct Material {
  std::string root_cert, root_key, intermediate_cert, intermediate_key, server_chain, server_key;
  CaSummary summary;
};

Result<Material> MakeMaterial(const CaInitOptions& options, const Clock& clock) {
  const CaConfig& config = options.config;
  Material m;
  ASSIGN_OR_RETURN(PrivateKey root_key, GenerateKey(config.key_type));
  ASSIGN_OR_RETURN(Certificate root,
                   MakeRootCertificate(root_key.get(), config.organization + " Root CA",
                                       config.organization, kRootLifetime, clock.Now()));
  IssuerOptions issuer_options{config.domain, config.organization, config.public_url};
  ASSIGN_OR_RETURN(Issuer root_issuer,
                   Issuer::Create(ossl::UpRef(root.get()), ossl::UpRef(root_key.get()),
                                  issuer_options, &clock));
  ASSIGN_OR_RETURN(PrivateKey intermediate_key, GenerateKey(config.key_type));
  ASSIGN_OR_RETURN(Certificate intermediate,
                   root_issuer.IssueIntermediate(intermediate_key.get(),
                                                 config.organization + " Intermediate CA"));
  ASSIGN_OR_RETURN(Issuer intermediate_issuer,
                   Issuer::Create(ossl::UpRef(intermediate.get()),
                                  ossl::UpRef(intermediate_key.get()), issuer_options, &clock));
  std::vector<std::string> names =
      options.server_names.empty() ? DefaultServerNames() : options.server_names;
  ASSIGN_OR_RETURN(PrivateKey server_key, GenerateKey(config.key_type));
  ASSIGN_OR_RETURN(Certificate server, intermediate_issuer.IssueServerTls(server_key.get(), names));

  ASSIGN_OR_RETURN(m.root_cert, CertificateToPem(root.get()));
  ASSIGN_OR_RETURN(m.root_key, PrivateKeyToPem(root_key.get()));
  ASSIGN_OR_RETURN(m.intermediate_cert, CertificateToPem(intermediate.get()));
  ASSIGN_OR_RETURN(m.intermediate_key, PrivateKeyToPem(intermediate_key.get()));
  ASSIGN_OR_RETURN(std::string server_pem, CertificateToPem(server.get()));
  m.server_chain = server_pem + m.intermediate_cert;
  ASSIGN_OR_RETURN(m.server_key, PrivateKeyToPem(server_key.get()));
  m.summary.root_fingerprint = Sha256Fingerprint(root.get());
  m.summary.root_subject = SubjectString(root.get());
  m.summary.intermediate_subject = SubjectString(intermediate.get());
  m.summary.server_names = names;
  return m;
}

Status WriteStaging(const fs::path& staging, const Material& m, const CaInitOptions& options) {
  RETURN_IF_ERROR(MakeDirectory(staging, 0700));
  // The same file names as in DIR/ca, inside the staging directory.
  const CaPaths p(staging.parent_path());
  auto at = [&](const fs::path& final_path) { return staging / final_path.filename(); };
  RETURN_IF_ERROR(WriteFileAtomically(at(p.root_cert), m.root_cert, 0644));
  if (options.root_key_out.empty()) {
    RETURN_IF_ERROR(WriteFileAtomically(at(p.root_key), m.root_key, 0600));
  }
  RETURN_IF_ERROR(WriteFileAtomically(at(p.intermediate_cert), m.intermediate_cert, 0644));
  RETURN_IF_ERROR(WriteFileAtomically(at(p.intermediate_key), m.intermediate_key, 0600));
  RETURN_IF_ERROR(WriteFileAtomically(at(p.server_cert), m.server_chain, 0644));
  RETURN_IF_ERROR(WriteFileAtomically(at(p.server_key), m.server_key, 0600));
  RETURN_IF_ERROR(WriteFileAtomically(at(p.config), SerializeCaConfig(options.config), 0644));
  return Status::Ok();
}

}  // namespace

Result<CaSummary> InitCa(const CaInitOptions& options, const Clock& clock) {
  const CaPaths paths(options.data_dir);
  std::error_code ec;
  if (fs::exists(paths.ca_dir, ec)) {
    return AlreadyExists(options.data_dir.string() + " already holds a CA (" +
                         paths.ca_dir.string() + "); refusing to overwrite it");
  }
  if (!options.root_key_out.empty() && fs::exists(options.root_key_out, ec)) {
    return AlreadyExists(options.root_key_out.string() + " already exists; refusing to overwrite it");
  }
  RETURN_IF_ERROR(ValidateDomain(options.config.domain));
  RETURN_IF_ERROR(MakeDirectory(options.data_dir, 0700));
  // Generate everything before touching the disk further: a failure leaves nothing behind.
  ASSIGN_OR_RETURN(Material material, MakeMaterial(options, clock));

  ASSIGN_OR_RETURN(std::string suffix, ossl::RandomHex(6));
  const fs::path staging = options.data_dir / (".ca-staging-" + suffix);
  Status written = WriteStaging(staging, material, options);
  if (written.ok() && !options.root_key_out.empty()) {
    written = WriteFileAtomically(options.root_key_out, material.root_key, 0600);
  }
  if (written.ok() && ::rename(staging.c_str(), paths.ca_dir.c_str()) != 0) {
    written = Internal("cannot move the new CA into " + paths.ca_dir.string() + ": " +
                       std::strerror(errno));
    if (!options.root_key_out.empty()) fs::remove(options.root_key_out, ec);
  }
  if (!written.ok()) {
    fs::remove_all(staging, ec);
    return written;
  }
  RETURN_IF_ERROR(SyncDirectory(options.data_dir));
  return material.summary;
}

namespace {

Status CheckPrivateMode(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return NotFound("missing " + path.string());
  if (st.st_mode & 077) {
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return PermissionDenied(path.string() + " is accessible by group or others (mode " + mode +
                            "); run: chmod 600 " + path.string());
  }
  return Status::Ok();
}

Result<PrivateKey> LoadKey(const fs::path& path) {
  RETURN_IF_ERROR(CheckPrivateMode(path));
  ASSIGN_OR_RETURN(std::string pem, ReadFile(path, 64 * 1024));
  Result<PrivateKey> key = PrivateKeyFromPem(pem);
  if (!key.ok()) return key.status().WithContext(path.string());
  return key;
}

Result<std::vector<Certificate>> LoadChain(const fs::path& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(path, kMaxChainBytes));
  Result<std::vector<Certificate>> chain = ParseCertificateChainPem(pem);
  if (!chain.ok()) return chain.status().WithContext(path.string());
  return chain;
}

}  // namespace

Result<LoadedCa> LoadCa(const fs::path& data_dir) {
  const CaPaths paths(data_dir);
  std::error_code ec;
  if (!fs::is_directory(paths.ca_dir, ec)) {
    return NotFound("no CA in " + data_dir.string() + " (run: wott-server init --data-dir " +
                    data_dir.string() + ")");
  }
  LoadedCa ca;
  ASSIGN_OR_RETURN(std::string config_json, ReadFile(paths.config, 64 * 1024));
  Result<CaConfig> config = ParseCaConfig(config_json);
  if (!config.ok()) return config.status().WithContext(paths.config.string());
  ca.config = *config;

  ASSIGN_OR_RETURN(std::vector<Certificate> roots, LoadChain(paths.root_cert));
  ASSIGN_OR_RETURN(std::vector<Certificate> intermediates, LoadChain(paths.intermediate_cert));
  ASSIGN_OR_RETURN(ca.server_chain, LoadChain(paths.server_cert));
  ASSIGN_OR_RETURN(ca.intermediate_key, LoadKey(paths.intermediate_key));
  ASSIGN_OR_RETURN(ca.server_key, LoadKey(paths.server_key));
  ca.root = std::move(roots.front());
  ca.intermediate = std::move(intermediates.front());
  if (X509_check_private_key(ca.intermediate.get(), ca.intermediate_key.get()) != 1) {
    return InvalidArgument(paths.intermediate_key.string() + " does not match " +
                           paths.intermediate_cert.string());
  }
  if (X509_check_private_key(ca.server_chain.front().get(), ca.server_key.get()) != 1) {
    return InvalidArgument(paths.server_key.string() + " does not match " +
                           paths.server_cert.string());
  }
  ASSIGN_OR_RETURN(std::string root_pem, ReadFile(paths.root_cert, kMaxChainBytes));
  ca.bundle_pem = root_pem;
  ASSIGN_OR_RETURN(auto trust, TrustStore::FromPem(ca.bundle_pem));
  Status chain_ok = VerifyCertificate(*trust, ca.intermediate.get(), {}, Purpose::kAny,
                                      RealClock::Instance().Now());
  if (!chain_ok.ok()) {
    return chain_ok.WithContext(paths.intermediate_cert.string() + " does not chain to " +
                                paths.root_cert.string());
  }
  return ca;
}

}  // namespace wott::pki
