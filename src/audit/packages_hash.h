// The package list as the heartbeat carries it (posture contract section 2): its canonical
// form, the SHA-256 of that form (packages_hash: the agent sends the full list only when the
// server lacks this hash) and the inventory JSON. Pure functions; thread-safe.
#ifndef WOTT_AUDIT_PACKAGES_HASH_H_
#define WOTT_AUDIT_PACKAGES_HASH_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/inventory.h"

namespace wott::audit {

// Packages sorted by (name, architecture) (then by the other fields, for duplicates), one
// line each: "name\tarch\tversion\tsource\tsource_version\n". "" for no packages.
std::string CanonicalPackageList(const std::vector<InstalledPackage>& packages);

// SHA-256 of CanonicalPackageList, 64 lowercase hex.
std::string PackagesHash(const std::vector<InstalledPackage>& packages);

// {"os_id", "version_codename", "packages_hash"} and, with `with_packages`, "packages":
// [{"name", "version", "arch", "source", "source_version"}, ...] in canonical order.
nlohmann::json InventoryToJson(const Inventory& inventory, bool with_packages);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_PACKAGES_HASH_H_
