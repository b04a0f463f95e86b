// The CA's files in the server's data directory, and `init`: making them once.
//
//   DIR/                 0700
//   DIR/ca/              0700, appears atomically (built in a staging dir, then renamed)
//     root.crt           0644  self-signed root (the trust anchor devices pin)
//     root.key           0600  absent when taken offline with root_key_out
//     intermediate.crt   0644  signs device, server and OCSP certificates
//     intermediate.key   0600
//     server.crt         0644  the server's TLS certificate + intermediate
//     server.key         0600
//     ca.json            0644  domain, organisation, key type, public URL
//
// Functions are thread-compatible (they touch only the files named above).
#ifndef WOTT_PKI_CA_DIRECTORY_H_
#define WOTT_PKI_CA_DIRECTORY_H_

#include <filesystem>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/issuer.h"
#include "pki/key.h"

namespace wott::pki {

struct CaPaths {
  explicit CaPaths(const std::filesystem::path& data_dir);
  std::filesystem::path data_dir, ca_dir, root_cert, root_key, intermediate_cert,
      intermediate_key, server_cert, server_key, config;
};

// The CA parameters chosen at init, stored in ca.json.
struct CaConfig {
  std::string domain = std::string(kDefaultDomain);
  std::string organization = "wott";
  KeyType key_type = KeyType::kP256;
  std::string public_url;  // may be empty
};

struct CaInitOptions {
  std::filesystem::path data_dir;
  CaConfig config;
  // SANs of the server's TLS certificate (DNS names or IPs); empty means
  // {"localhost", "127.0.0.1", "::1", <this host's name>}.
  std::vector<std::string> server_names;
  // When set, the root key is written to this file (0600, must not exist) instead of
  // DIR/ca/root.key, so the server never holds it.
  std::filesystem::path root_key_out;
};

struct CaSummary {
  std::string root_fingerprint;  // SHA-256, 64 lowercase hex
  std::string root_subject;
  std::string intermediate_subject;
  std::vector<std::string> server_names;
};

// Creates the CA under options.data_dir. Refuses with kAlreadyExists, changing nothing,
// when DIR/ca exists; kPermissionDenied / kNotFound when DIR cannot be written; leaves no
// partial DIR/ca on any failure.
Result<CaSummary> InitCa(const CaInitOptions& options, const Clock& clock);

// The CA as the server uses it.
struct LoadedCa {
  CaConfig config;
  Certificate root;
  Certificate intermediate;
  PrivateKey intermediate_key;
  std::vector<Certificate> server_chain;  // server certificate, then the intermediate
  PrivateKey server_key;
  std::string bundle_pem;  // the trust anchors devices get as ca.crt (the root)
};

// Loads and checks DIR/ca: every file present, keys match their certificates, the chain
// verifies, key files are not readable by group or others. Clear errors naming the file.
Result<LoadedCa> LoadCa(const std::filesystem::path& data_dir);

Result<CaConfig> ParseCaConfig(std::string_view json);
std::string SerializeCaConfig(const CaConfig& config);

}  // namespace wott::pki

#endif  // WOTT_PKI_CA_DIRECTORY_H_
