#include "server/posture_audit.h"

#include <algorithm>
#include <set>
#include <utility>

#include "audit/deb_version.h"
#include "audit/packages_hash.h"

namespace wott::server {
namespace {

using nlohmann::json;

Status BadField(const std::string& field, std::string_view problem) {
  return InvalidArgument("field '" + field + "' " + std::string(problem));
}

// A string of at most `max` bytes at object[key]: "" when absent or null and !required.
Result<std::string> BoundedString(const json& object, std::string_view key,
                                  const std::string& field, bool required,
                                  size_t max = kMaxAuditField) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return BadField(field, "is missing");
    return std::string();
  }
  if (!it->is_string()) return BadField(field, "must be a string");
  const std::string& value = it->get_ref<const std::string&>();
  if (value.size() > max) {
    return BadField(field, "is too long (at most " + std::to_string(max) + " bytes)");
  }
  return value;
}

// Depth and string sizes of the host object (its keys are the agent's business; the
// server stores it as it came and the score reads what it knows).
Status CheckHostValue(const json& value, const std::string& field, int depth) {
  if (depth > kMaxHostAuditDepth) return BadField(field, "is nested too deeply");
  if (value.is_string() && value.get_ref<const std::string&>().size() > kMaxHostAuditString) {
    return BadField(field, "is too long (at most 4096 bytes)");
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (key.size() > kMaxAuditField) return BadField(field, "has an over-long key");
      RETURN_IF_ERROR(CheckHostValue(item, field + "." + key, depth + 1));
    }
  } else if (value.is_array()) {
    size_t i = 0;
    for (const json& item : value) {
      RETURN_IF_ERROR(CheckHostValue(item, field + "[" + std::to_string(i++) + "]", depth + 1));
    }
  }
  return Status::Ok();
}

Result<json> ParseHost(const json& host) {
  const std::string field = "audit.host";
  if (!host.is_object()) return BadField(field, "must be an object");
  if (host.dump(-1, ' ', false, json::error_handler_t::replace).size() > kMaxHostAuditBytes) {
    return BadField(field, "is too large (at most 256 KiB)");
  }
  RETURN_IF_ERROR(CheckHostValue(host, field, 1));
  return host;
}

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool IsPrintableWord(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; });
}

Result<audit::InstalledPackage> ParsePackage(const json& item, const std::string& field) {
  if (!item.is_object()) return BadField(field, "must be an object");
  audit::InstalledPackage p;
  ASSIGN_OR_RETURN(p.name, BoundedString(item, "name", field + ".name", true));
  if (p.name.empty()) return BadField(field + ".name", "is empty");
  ASSIGN_OR_RETURN(p.version, BoundedString(item, "version", field + ".version", true));
  ASSIGN_OR_RETURN(p.architecture, BoundedString(item, "arch", field + ".arch", false));
  ASSIGN_OR_RETURN(p.source_name, BoundedString(item, "source", field + ".source", false));
  ASSIGN_OR_RETURN(p.source_version,
                   BoundedString(item, "source_version", field + ".source_version", false));
  if (p.source_name.empty()) p.source_name = p.name;
  if (p.source_version.empty()) p.source_version = p.version;
  // Names are single printable words (Debian policy 5.6.1, 5.6.8): no whitespace or control
  // bytes, which would also make two lists' canonical texts (tab/newline separated) collide.
  for (const auto& [key, text] : {std::pair<const char*, const std::string*>{"name", &p.name},
                                  {"arch", &p.architecture},
                                  {"source", &p.source_name}}) {
    if (!IsPrintableWord(*text)) {
      return BadField(field + "." + key, "must not contain whitespace or control characters");
    }
  }
  for (const auto& [key, text] : {std::pair<const char*, const std::string*>{"version", &p.version},
                                  {"source_version", &p.source_version}}) {
    Result<audit::DebVersion> v = audit::ParseDebVersion(*text);
    if (!v.ok())
      return BadField(field + "." + key, "is not a Debian version: " + v.status().message());
  }
  return p;
}

Result<ReportedInventory> ParseInventory(const json& inv) {
  const std::string field = "audit.inventory";
  if (!inv.is_object()) return BadField(field, "must be an object");
  ReportedInventory out;
  ASSIGN_OR_RETURN(out.os_id, BoundedString(inv, "os_id", field + ".os_id", false));
  ASSIGN_OR_RETURN(out.codename,
                   BoundedString(inv, "version_codename", field + ".version_codename", false));
  ASSIGN_OR_RETURN(out.packages_hash,
                   BoundedString(inv, "packages_hash", field + ".packages_hash", true));
  if (!IsLowerHex64(out.packages_hash)) {
    return BadField(field + ".packages_hash", "must be 64 lowercase hex digits (SHA-256)");
  }
  auto packages = inv.find("packages");
  if (packages == inv.end() || packages->is_null()) return out;
  if (!packages->is_array()) return BadField(field + ".packages", "must be an array");
  if (packages->size() > kMaxAuditPackages) {
    return BadField(field + ".packages", "has more than 20000 entries");
  }
  std::vector<audit::InstalledPackage> list;
  list.reserve(packages->size());
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < packages->size(); ++i) {
    const std::string item_field = field + ".packages[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(audit::InstalledPackage p, ParsePackage((*packages)[i], item_field));
    if (!seen.emplace(p.name, p.architecture).second) {
      return BadField(item_field, "repeats package " + p.name + ":" + p.architecture);
    }
    list.push_back(std::move(p));
  }
  std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.architecture) < std::tie(b.name, b.architecture);
  });
  if (audit::PackagesHash(list) != out.packages_hash) {
    return BadField(field + ".packages_hash", "does not match the packages sent");
  }
  out.packages = std::move(list);
  return out;
}

}  // namespace

Result<std::optional<ReportedAudit>> ParseReportedAudit(const nlohmann::json& body) {
  auto it = body.find("audit");
  if (it == body.end() || it->is_null()) return std::optional<ReportedAudit>();
  if (!it->is_object()) return BadField("audit", "must be an object");
  ReportedAudit out;
  if (auto host = it->find("host"); host != it->end() && !host->is_null()) {
    ASSIGN_OR_RETURN(out.host, ParseHost(*host));
  }
  if (auto inv = it->find("inventory"); inv != it->end() && !inv->is_null()) {
    ASSIGN_OR_RETURN(out.inventory, ParseInventory(*inv));
  }
  return std::optional<ReportedAudit>(std::move(out));
}

nlohmann::json PackagesToJson(const std::vector<audit::InstalledPackage>& packages) {
  json out = json::array();
  for (const audit::InstalledPackage& p : packages) {
    out.push_back({{"name", p.name},
                   {"version", p.version},
                   {"arch", p.architecture},
                   {"source", p.source_name},
                   {"source_version", p.source_version}});
  }
  return out;
}

Result<std::vector<audit::InstalledPackage>> PackagesFromJson(const nlohmann::json& packages) {
  if (!packages.is_array()) return InvalidArgument("a stored package list is not an array");
  std::vector<audit::InstalledPackage> out;
  out.reserve(packages.size());
  for (size_t i = 0; i < packages.size(); ++i) {
    ASSIGN_OR_RETURN(audit::InstalledPackage p,
                     ParsePackage(packages[i], "packages[" + std::to_string(i) + "]"));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace wott::server
