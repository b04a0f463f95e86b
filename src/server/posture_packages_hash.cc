#include "server/posture_packages_hash.h"

#include "ossl/digest.h"

namespace wott::server {

std::string CanonicalPackagesHash(const std::vector<audit::InstalledPackage>& sorted) {
  std::string text;
  for (const audit::InstalledPackage& p : sorted) {
    text += p.name + '\t' + p.architecture + '\t' + p.version + '\t' + p.source_name + '\t' +
            p.source_version + '\n';
  }
  return ossl::Sha256Hex(text);
}

}  // namespace wott::server
