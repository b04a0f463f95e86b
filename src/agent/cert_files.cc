#include "agent/cert_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "base/file.h"
#include "ossl/tls_context.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/verify.h"

namespace wott::agent {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kGenPrefix = "..gen-";
constexpr std::string_view kDataLink = "..data";
constexpr std::string_view kDataTmpPrefix = "..data.tmp";
constexpr size_t kMaxFileBytes = 256 * 1024;

// The files of a generation, their modes, and whether certs/<name> links to it.
struct FileSpec {
  std::string_view name;
  mode_t mode;
  bool linked;
};
constexpr std::array<FileSpec, 5> kFiles = {{{kCaFile, 0644, true},
                                             {kClientCertFile, 0644, true},
                                             {kClientKeyFile, 0600, true},
                                             {kCombinedFile, 0600, true},
                                             {kIdentityFile, 0600, false}}};

Status ErrnoStatus(int err, const std::string& what, const fs::path& path) {
  std::string message = what + " " + path.string() + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return NotFound(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return PermissionDenied(message);
    case ENOSPC:
    case EDQUOT:
      return ResourceExhausted(message);
    default:
      return Internal(message);
  }
}

// Creates `path` (which must not exist) with exactly `mode`, writes `data` and fsyncs it.
Status WriteNewFile(const fs::path& path, std::string_view data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return ErrnoStatus(errno, "cannot create", path);
  Status status;
  if (::fchmod(fd, mode) != 0) status = ErrnoStatus(errno, "cannot chmod", path);
  while (status.ok() && !data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = ErrnoStatus(errno, "cannot write", path);
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus(errno, "cannot sync", path);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus(errno, "cannot close", path);
  return status;
}

// Points `link` at `target` atomically: a temporary symlink renamed over it.
Status ReplaceSymlink(const fs::path& dir, std::string_view link, const std::string& target) {
  fs::path tmp = dir / (std::string(kDataTmpPrefix) + "-" + std::string(link));
  ::unlink(tmp.c_str());  // a crash's leftover, if any
  if (::symlink(target.c_str(), tmp.c_str()) != 0) {
    return ErrnoStatus(errno, "cannot create symlink", tmp);
  }
  fs::path final_path = dir / std::string(link);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    Status s = ErrnoStatus(errno, "cannot rename symlink to", final_path);
    ::unlink(tmp.c_str());
    return s;
  }
  return Status::Ok();
}

// The symlink target of `path`, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadLink(const fs::path& path) {
  std::array<char, 256> buf;
  ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == EINVAL) return FailedPrecondition(path.string() + " is not a symlink");
    return ErrnoStatus(errno, "cannot read symlink", path);
  }
  if (static_cast<size_t>(n) == buf.size()) {
    return FailedPrecondition(path.string() + " points to an unexpected place");
  }
  return std::optional<std::string>(std::string(buf.data(), static_cast<size_t>(n)));
}

// The generation numbers present in `dir` (sorted is not needed).
Result<std::vector<uint64_t>> ListGenerations(const fs::path& dir) {
  std::vector<uint64_t> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return out;
    return ErrnoStatus(ec.value(), "cannot list", dir);
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (auto n = ParseGenerationName(it->path().filename().string())) out.push_back(*n);
  }
  if (ec) return ErrnoStatus(ec.value(), "cannot list", dir);
  return out;
}

Status RemoveTree(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return ErrnoStatus(ec.value(), "cannot remove", path);
  return Status::Ok();
}

}  // namespace

std::optional<uint64_t> ParseGenerationName(std::string_view name) {
  if (!name.starts_with(kGenPrefix)) return std::nullopt;
  std::string_view digits = name.substr(kGenPrefix.size());
  if (digits.empty() || digits.size() > 19 || (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

Status CheckCertSet(const CertSet& set) {
  Result<std::vector<pki::Certificate>> bundle = pki::ParseCertificateChainPem(set.ca_bundle);
  if (!bundle.ok()) return bundle.status().WithContext("ca.crt");
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(set.client_chain);
  if (!chain.ok()) return chain.status().WithContext("client.crt");
  Result<pki::PrivateKey> key = pki::PrivateKeyFromPem(set.client_key);
  if (!key.ok()) return key.status().WithContext("client.key");
  // The TLS context builder checks that the key belongs to the leaf (as a TLS stack would).
  ossl::TlsContextOptions tls;
  tls.role = ossl::TlsRole::kClient;
  tls.certificate_chain_pem = set.client_chain;
  tls.private_key_pem = set.client_key;
  tls.peer_verification = ossl::PeerVerification::kNone;
  if (Result<ossl::UniquePtr<SSL_CTX>> ctx = ossl::BuildTlsContext(tls); !ctx.ok()) {
    return InvalidArgument("client.key does not match client.crt", ctx.status().ToString());
  }
  Result<std::shared_ptr<const pki::TrustStore>> trust = pki::TrustStore::FromPem(set.ca_bundle);
  if (!trust.ok()) return trust.status().WithContext("ca.crt");
  X509* leaf = chain->front().get();
  std::vector<pki::Certificate> intermediates;
  for (size_t i = 1; i < chain->size(); ++i)
    intermediates.push_back(ossl::UpRef((*chain)[i].get()));
  TimePoint inside = pki::NotBefore(leaf) + (pki::NotAfter(leaf) - pki::NotBefore(leaf)) / 2;
  if (Status s =
          pki::VerifyCertificate(**trust, leaf, intermediates, pki::Purpose::kClientAuth, inside);
      !s.ok()) {
    return InvalidArgument("client.crt does not verify with ca.crt: " + s.message());
  }
  if (set.identity_json.empty()) return InvalidArgument("identity.json is empty");
  return Status::Ok();
}

fs::path CertFiles::GenerationDir(uint64_t generation) const {
  return dir_ / (std::string(kGenPrefix) + std::to_string(generation));
}

Result<std::optional<uint64_t>> CertFiles::CurrentGeneration() const {
  ASSIGN_OR_RETURN(std::optional<std::string> target, ReadLink(dir_ / std::string(kDataLink)));
  if (!target) return std::optional<uint64_t>();
  std::optional<uint64_t> n = ParseGenerationName(*target);
  if (!n) {
    return FailedPrecondition((dir_ / std::string(kDataLink)).string() +
                              " points to an unexpected place: " + *target);
  }
  return n;
}

Status CertFiles::RemoveLeftovers() const {
  ASSIGN_OR_RETURN(std::optional<uint64_t> current, CurrentGeneration());
  ASSIGN_OR_RETURN(std::vector<uint64_t> generations, ListGenerations(dir_));
  for (uint64_t n : generations) {
    if (!current || n > *current) RETURN_IF_ERROR(RemoveTree(GenerationDir(n)));
  }
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with(kDataTmpPrefix)) {
      ::unlink(it->path().c_str());
    }
  }
  return Status::Ok();
}

Result<uint64_t> CertFiles::Install(const CertSet& set) const {
  RETURN_IF_ERROR(CheckCertSet(set));
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) RETURN_IF_ERROR(MakeDirectory(dir_, 0755));
  RETURN_IF_ERROR(RemoveLeftovers());
  ASSIGN_OR_RETURN(std::optional<uint64_t> previous, CurrentGeneration());
  ASSIGN_OR_RETURN(std::vector<uint64_t> generations, ListGenerations(dir_));
  uint64_t next = 1;
  for (uint64_t n : generations) next = std::max(next, n + 1);

  // 1. The new generation, complete and durable, still invisible to readers.
  const fs::path gen_dir = GenerationDir(next);
  if (::mkdir(gen_dir.c_str(), 0755) != 0) return ErrnoStatus(errno, "cannot create", gen_dir);
  const std::string combined = set.client_chain + set.client_key;
  auto write_all = [&]() -> Status {
    for (const FileSpec& f : kFiles) {
      std::string_view data = f.name == kCaFile           ? set.ca_bundle
                              : f.name == kClientCertFile ? set.client_chain
                              : f.name == kClientKeyFile  ? set.client_key
                              : f.name == kCombinedFile   ? combined
                                                          : set.identity_json;
      RETURN_IF_ERROR(WriteNewFile(gen_dir / std::string(f.name), data, f.mode));
    }
    RETURN_IF_ERROR(SyncDirectory(gen_dir));
    return SyncDirectory(dir_);
  };
  if (Status s = write_all(); !s.ok()) {
    (void)RemoveTree(gen_dir);
    return s;
  }

  // 2. The switch: one rename(2) makes the whole new set visible.
  if (Status s = ReplaceSymlink(dir_, kDataLink, gen_dir.filename().string()); !s.ok()) {
    (void)RemoveTree(gen_dir);
    return s;
  }
  RETURN_IF_ERROR(SyncDirectory(dir_));

  // 3. The stable names, made once (they point through ..data, so they never change).
  bool linked = false;
  for (const FileSpec& f : kFiles) {
    if (!f.linked) continue;
    const std::string target = std::string(kDataLink) + "/" + std::string(f.name);
    Result<std::optional<std::string>> existing = ReadLink(dir_ / std::string(f.name));
    if (existing.ok() && *existing == target) continue;
    RETURN_IF_ERROR(ReplaceSymlink(dir_, f.name, target));
    linked = true;
  }
  if (linked) RETURN_IF_ERROR(SyncDirectory(dir_));

  // 4. Only now: generations older than the previous one (readers may still be in it).
  for (uint64_t n : generations) {
    if (n != next && (!previous || n != *previous)) RETURN_IF_ERROR(RemoveTree(GenerationDir(n)));
  }
  return next;
}

Result<CertSet> CertFiles::ReadCurrent() const {
  ASSIGN_OR_RETURN(std::optional<uint64_t> current, CurrentGeneration());
  if (!current) return NotFound("not enrolled (no certificates in " + dir_.string() + ")");
  const fs::path gen_dir = GenerationDir(*current);
  CertSet set;
  for (const FileSpec& f : kFiles) {
    if (f.name == kCombinedFile) continue;  // derived from client.crt + client.key
    Result<std::string> data = ReadFile(gen_dir / std::string(f.name), kMaxFileBytes);
    if (!data.ok()) {
      if (data.status().code() == StatusCode::kNotFound) {
        return FailedPrecondition("the certificate set in " + gen_dir.string() +
                                  " is incomplete: " + std::string(f.name) + " is missing");
      }
      return data.status();
    }
    std::string* out = f.name == kCaFile           ? &set.ca_bundle
                       : f.name == kClientCertFile ? &set.client_chain
                       : f.name == kClientKeyFile  ? &set.client_key
                                                   : &set.identity_json;
    *out = std::move(*data);
  }
  return set;
}

}  // namespace wott::agent
