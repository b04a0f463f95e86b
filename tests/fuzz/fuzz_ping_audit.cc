// Fuzzes the heartbeat body (POST /v1/ping) as the server reads it: the JSON object parse of
// api_util, then server::ParseReportedAudit. (The agent fields are parsed by a function
// private to ping_handler.cc, reachable only behind mTLS; fuzz_api_request covers the router.)
// Invariants on an accepted audit: the package list is sorted by (name, arch) without
// repeats, survives PackagesToJson -> PackagesFromJson unchanged, and the audit rebuilt as a
// body parses again to the same value.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "server/api_util.h"
#include "server/posture_audit.h"

namespace {

using nlohmann::json;
using wott::audit::InstalledPackage;

bool SamePackages(const std::vector<InstalledPackage>& a, const std::vector<InstalledPackage>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tie(a[i].name, a[i].version, a[i].architecture, a[i].source_name,
                 a[i].source_version) != std::tie(b[i].name, b[i].version, b[i].architecture,
                                                  b[i].source_name, b[i].source_version)) {
      return false;
    }
  }
  return true;
}

// The body a device would send for `audit`.
json ToBody(const wott::server::ReportedAudit& audit) {
  json a = json::object();
  if (audit.host) a["host"] = *audit.host;
  if (audit.inventory) {
    const wott::server::ReportedInventory& inv = *audit.inventory;
    json i = {{"os_id", inv.os_id},
              {"version_codename", inv.codename},
              {"packages_hash", inv.packages_hash}};
    if (inv.packages) i["packages"] = wott::server::PackagesToJson(*inv.packages);
    a["inventory"] = std::move(i);
  }
  return {{"audit", std::move(a)}};
}

bool SameAudit(const wott::server::ReportedAudit& a, const wott::server::ReportedAudit& b) {
  if (a.host != b.host || a.inventory.has_value() != b.inventory.has_value()) return false;
  if (!a.inventory) return true;
  const auto& x = *a.inventory;
  const auto& y = *b.inventory;
  if (x.os_id != y.os_id || x.codename != y.codename || x.packages_hash != y.packages_hash ||
      x.packages.has_value() != y.packages.has_value()) {
    return false;
  }
  return !x.packages || SamePackages(*x.packages, *y.packages);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wott::net::HttpRequest request;
  request.method = "POST";
  request.path = request.target = "/v1/ping";
  request.headers.Set("Content-Type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  wott::Result<json> body = wott::server::ParseJsonObject(request);
  if (!body.ok()) return 0;
  wott::Result<std::optional<wott::server::ReportedAudit>> audit =
      wott::server::ParseReportedAudit(*body);
  if (!audit.ok()) {
    if (audit.status().message().empty()) __builtin_trap();  // errors name the field
    return 0;
  }
  if (!audit->has_value()) return 0;
  const wott::server::ReportedAudit& first = **audit;
  if (first.host && !first.host->is_object()) __builtin_trap();
  if (first.inventory && first.inventory->packages) {
    const std::vector<InstalledPackage>& list = *first.inventory->packages;
    for (size_t i = 1; i < list.size(); ++i) {
      if (!(std::tie(list[i - 1].name, list[i - 1].architecture) <
            std::tie(list[i].name, list[i].architecture))) {
        __builtin_trap();  // unsorted or repeated (name, arch)
      }
    }
    wott::Result<std::vector<InstalledPackage>> stored =
        wott::server::PackagesFromJson(wott::server::PackagesToJson(list));
    if (!stored.ok() || !SamePackages(*stored, list)) __builtin_trap();
  }
  // Re-serialised (as text, the way it travels) and parsed again: the same audit.
  json again = json::parse(ToBody(first).dump(), nullptr, /*allow_exceptions=*/false);
  if (again.is_discarded()) __builtin_trap();
  wott::Result<std::optional<wott::server::ReportedAudit>> second =
      wott::server::ParseReportedAudit(again);
  if (!second.ok() || !second->has_value() || !SameAudit(first, **second)) __builtin_trap();
  return 0;
}
