// The canonical hash of a package list (docs/API.md "Posture"): SHA-256 hex over the list
// sorted by (name, arch), one "name\tarch\tversion\tsource\tsource_version\n" line each.
// Forwards to the agent's audit::PackagesHash (src/audit/packages_hash.h), so that both
// sides share one definition. Pure; thread-safe.
#ifndef WOTT_SERVER_POSTURE_PACKAGES_HASH_H_
#define WOTT_SERVER_POSTURE_PACKAGES_HASH_H_

#include <string>
#include <vector>

#include "audit/dpkg_status.h"

namespace wott::server {

// REQUIRES: `sorted` is in (name, architecture) order.
std::string CanonicalPackagesHash(const std::vector<audit::InstalledPackage>& sorted);

}  // namespace wott::server

#endif  // WOTT_SERVER_POSTURE_PACKAGES_HASH_H_
