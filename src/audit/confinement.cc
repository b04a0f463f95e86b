#include "audit/confinement.h"

#include <cctype>

#include "audit/text_fields.h"
#include "base/file.h"

namespace wott::audit {
namespace {

// True when `dir` can be listed (so that a missing entry in it really is missing).
bool Readable(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  return !ec;
}

}  // namespace

std::string ParseAppArmorEnabled(std::string_view text) {
  text = TrimSpace(text);
  if (text == "Y") return "enabled";
  if (text == "N") return "disabled";
  return "unknown";
}

int CountEnforcedProfiles(std::string_view text) {
  int n = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = TrimSpace(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    constexpr std::string_view kMode = "(enforce)";
    if (line.size() > kMode.size() && line.substr(line.size() - kMode.size()) == kMode) ++n;
  }
  return n;
}

std::string ParseSelinuxEnforce(std::string_view text) {
  text = TrimSpace(text);
  if (text == "1") return "enforcing";
  if (text == "0") return "permissive";
  return "unknown";
}

ConfinementAudit CollectConfinement(const HostRoot& root) {
  ConfinementAudit a;
  if (Result<std::string> t = ReadFile(root.Path("/sys/module/apparmor/parameters/enabled"), 4096);
      t.ok()) {
    a.apparmor = ParseAppArmorEnabled(*t);
  } else if (t.status().code() == StatusCode::kNotFound && Readable(root.Path("/sys/module")) &&
             !std::filesystem::exists(root.Path("/sys/module/apparmor"))) {
    a.apparmor = "disabled";  // not built into this kernel
  }
  if (Result<std::string> t =
          ReadFile(root.Path("/sys/kernel/security/apparmor/profiles"), 16 << 20);
      t.ok()) {
    a.apparmor_profiles_enforced = CountEnforcedProfiles(*t);
    a.apparmor_profiles_known = true;
  }
  if (Result<std::string> t = ReadFile(root.Path("/sys/fs/selinux/enforce"), 4096); t.ok()) {
    a.selinux = ParseSelinuxEnforce(*t);
  } else if (t.status().code() == StatusCode::kNotFound && Readable(root.Path("/sys/fs")) &&
             !std::filesystem::exists(root.Path("/sys/fs/selinux"))) {
    a.selinux = "disabled";  // selinuxfs not mounted
  }
  return a;
}

nlohmann::json ConfinementToJson(const ConfinementAudit& a) {
  return {{"apparmor", a.apparmor},
          {"apparmor_profiles_enforced", a.apparmor_profiles_enforced},
          {"apparmor_profiles_known", a.apparmor_profiles_known},
          {"selinux", a.selinux}};
}

}  // namespace wott::audit
