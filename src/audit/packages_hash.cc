#include "audit/packages_hash.h"

#include <algorithm>
#include <tuple>

#include "ossl/digest.h"

namespace wott::audit {
namespace {

std::vector<const InstalledPackage*> Sorted(const std::vector<InstalledPackage>& packages) {
  std::vector<const InstalledPackage*> out;
  out.reserve(packages.size());
  for (const InstalledPackage& p : packages) out.push_back(&p);
  std::sort(out.begin(), out.end(), [](const InstalledPackage* a, const InstalledPackage* b) {
    return std::tie(a->name, a->architecture, a->version, a->source_name, a->source_version) <
           std::tie(b->name, b->architecture, b->version, b->source_name, b->source_version);
  });
  return out;
}

}  // namespace

std::string CanonicalPackageList(const std::vector<InstalledPackage>& packages) {
  std::string out;
  for (const InstalledPackage* p : Sorted(packages)) {
    out += p->name + '\t' + p->architecture + '\t' + p->version + '\t' + p->source_name + '\t' +
           p->source_version + '\n';
  }
  return out;
}

std::string PackagesHash(const std::vector<InstalledPackage>& packages) {
  return ossl::Sha256Hex(CanonicalPackageList(packages));
}

nlohmann::json InventoryToJson(const Inventory& inventory, bool with_packages) {
  nlohmann::json j = {{"os_id", inventory.os.id},
                      {"version_codename", inventory.os.version_codename},
                      {"packages_hash", PackagesHash(inventory.packages)}};
  if (with_packages) {
    nlohmann::json list = nlohmann::json::array();
    for (const InstalledPackage* p : Sorted(inventory.packages)) {
      list.push_back({{"name", p->name},
                      {"version", p->version},
                      {"arch", p->architecture},
                      {"source", p->source_name},
                      {"source_version", p->source_version}});
    }
    j["packages"] = std::move(list);
  }
  return j;
}

}  // namespace wott::audit
