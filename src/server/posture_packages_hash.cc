#include "server/posture_packages_hash.h"

#include "audit/packages_hash.h"

namespace wott::server {

// One definition for both sides: the agent's (src/audit/packages_hash.h).
std::string CanonicalPackagesHash(const std::vector<audit::InstalledPackage>& sorted) {
  return audit::PackagesHash(sorted);
}

}  // namespace wott::server
