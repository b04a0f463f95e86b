// The `audit` object of a heartbeat (POST /v1/ping, docs/API.md "Posture"): the device's
// host audit and its package inventory, validated before anything is recorded. Pure
// functions over values; safe from any thread.
#ifndef WOTT_SERVER_POSTURE_AUDIT_H_
#define WOTT_SERVER_POSTURE_AUDIT_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/dpkg_status.h"
#include "base/result.h"

namespace wott::server {

// Size limits of a reported audit (a request over them is refused, never truncated).
inline constexpr size_t kMaxAuditPackages = 20'000;
inline constexpr size_t kMaxAuditField = 256;             // package fields, os_id, codename
inline constexpr size_t kMaxHostAuditBytes = 256 * 1024;  // the host object, serialised
inline constexpr size_t kMaxHostAuditString = 4096;       // any string inside it
inline constexpr int kMaxHostAuditDepth = 8;

struct ReportedInventory {
  std::string os_id;          // "debian"
  std::string codename;       // "bookworm"; "" when the device did not say
  std::string packages_hash;  // 64 lowercase hex
  // Present only when the device sent its list; sorted by (name, arch).
  std::optional<std::vector<audit::InstalledPackage>> packages;
};

struct ReportedAudit {
  std::optional<nlohmann::json> host;  // an object, as HostAuditToJson made it
  std::optional<ReportedInventory> inventory;
};

// Parses body["audit"]: nullopt when absent or null. Fails with kInvalidArgument whose
// message names the offending field ("field 'audit.inventory.packages[3].version' ...")
// for a non-object, a host object too large, too deep or with an over-long string, a
// missing or malformed packages_hash, more than kMaxAuditPackages packages, a package
// without name or version, a version dpkg would refuse, a field over kMaxAuditField bytes,
// the same (name, arch) twice, or a list whose canonical hash is not packages_hash.
Result<std::optional<ReportedAudit>> ParseReportedAudit(const nlohmann::json& body);

// The canonical package list as stored: [{"name","version","arch","source",
// "source_version"}...] in (name, arch) order.
nlohmann::json PackagesToJson(const std::vector<audit::InstalledPackage>& packages);
// Inverse of PackagesToJson (for stored lists); kInvalidArgument on a malformed list.
Result<std::vector<audit::InstalledPackage>> PackagesFromJson(const nlohmann::json& packages);

}  // namespace wott::server

#endif  // WOTT_SERVER_POSTURE_AUDIT_H_
