// CertFiles: the device's certificate set on disk, always complete and matching.
//
// Layout under the certs directory (the Kubernetes AtomicWriter pattern):
//   ..gen-<N>/      one complete generation: ca.crt 0644, client.crt 0644, client.key 0600,
//                   combined.pem 0600, identity.json 0600
//   ..data          symlink -> ..gen-<N>, replaced atomically with rename(2)
//   ca.crt, client.crt, client.key, combined.pem   symlinks -> ..data/<name>, made once
// Install writes a new generation completely (each file and the directory fsynced), renames
// a temporary symlink over ..data, fsyncs the directory, and only then removes generations
// older than the previous one. A generation newer than the one ..data names can only be a
// crash's leftover; RemoveLeftovers deletes those. So a reader (or a kill -9 at any instant)
// sees the old set or the new one, never a mix.
//
// Not safe for concurrent writers: callers serialise Install with DirLock. Readers need no
// lock (ReadCurrent resolves ..data once and reads that generation, which the next Install
// keeps).
#ifndef WOTT_AGENT_CERT_FILES_H_
#define WOTT_AGENT_CERT_FILES_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::agent {

inline constexpr std::string_view kCaFile = "ca.crt";
inline constexpr std::string_view kClientCertFile = "client.crt";
inline constexpr std::string_view kClientKeyFile = "client.key";
inline constexpr std::string_view kCombinedFile = "combined.pem";
inline constexpr std::string_view kIdentityFile = "identity.json";

// The contents of one generation (combined.pem is derived: chain + key).
struct CertSet {
  std::string ca_bundle;      // ca.crt: trust anchors, PEM
  std::string client_chain;   // client.crt: leaf + intermediate, PEM
  std::string client_key;     // client.key: PKCS#8 PEM
  std::string identity_json;  // identity.json (see identity.h)
};

// Refuses a set that must never be installed: a bundle, chain or key that does not parse,
// a key that does not match the leaf, a chain that does not lead to the bundle (checked at
// a time inside the leaf's validity, so it does not depend on the clock), or an empty
// identity. kInvalidArgument naming the problem.
Status CheckCertSet(const CertSet& set);

class CertFiles {
 public:
  explicit CertFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }

  // The generation ..data points to; nullopt when there is none (not enrolled). Fails
  // with kFailedPrecondition when ..data is not a symlink to a "..gen-<N>" name.
  Result<std::optional<uint64_t>> CurrentGeneration() const;

  // Removes what a crash can leave: generation directories newer than the current one
  // (all of them when there is none) and temporary ..data links. Succeeds when the
  // directory does not exist.
  Status RemoveLeftovers() const;

  // Checks `set` (CheckCertSet), writes it as a new generation and makes it current.
  // Returns the new generation number. On failure nothing visible changes: the partial
  // generation is removed and ..data still names the previous one. Creates the directory
  // (0755) when missing.
  Result<uint64_t> Install(const CertSet& set) const;

  // Reads the current generation. kNotFound when not enrolled; kFailedPrecondition when
  // the generation is incomplete (names the missing file).
  Result<CertSet> ReadCurrent() const;

  std::filesystem::path GenerationDir(uint64_t generation) const;

 private:
  std::filesystem::path dir_;
};

// Parses a generation directory name "..gen-<N>"; nullopt for anything else.
std::optional<uint64_t> ParseGenerationName(std::string_view name);

}  // namespace wott::agent

#endif  // WOTT_AGENT_CERT_FILES_H_
