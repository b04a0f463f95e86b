// Mandatory access control state for the host audit (posture contract section 1): AppArmor
// from ROOT/sys/module/apparmor/parameters/enabled ("Y"/"N") and the enforced profile count
// from ROOT/sys/kernel/security/apparmor/profiles; SELinux from ROOT/sys/fs/selinux/enforce
// ("1"/"0"). A module that is absent while its parent directory is readable is "disabled";
// what cannot be read is "unknown". Pure parsers plus one collector; thread-compatible.
#ifndef WOTT_AUDIT_CONFINEMENT_H_
#define WOTT_AUDIT_CONFINEMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/host_root.h"

namespace wott::audit {

struct ConfinementAudit {
  std::string apparmor = "unknown";  // "enabled", "disabled", "unknown"
  int apparmor_profiles_enforced = 0;
  bool apparmor_profiles_known = false;  // the profiles file was read
  std::string selinux = "unknown";       // "enforcing", "permissive", "disabled", "unknown"
};

// "Y" -> "enabled", "N" -> "disabled" (surrounding whitespace ignored), else "unknown".
std::string ParseAppArmorEnabled(std::string_view text);
// Lines "name (enforce)" of the apparmor profiles file.
int CountEnforcedProfiles(std::string_view text);
// "1" -> "enforcing", "0" -> "permissive", else "unknown".
std::string ParseSelinuxEnforce(std::string_view text);

// Reads the files named above under `root`. Never fails.
ConfinementAudit CollectConfinement(const HostRoot& root);

// {"apparmor", "apparmor_profiles_enforced", "apparmor_profiles_known", "selinux"}.
nlohmann::json ConfinementToJson(const ConfinementAudit& audit);

}  // namespace wott::audit

#endif  // WOTT_AUDIT_CONFINEMENT_H_
