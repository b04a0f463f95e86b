#include "pki/revocation_reason.h"

#include <array>
#include <string>

namespace wott::pki {
namespace {

struct ReasonName {
  RevocationReason reason;
  std::string_view name;
  std::string_view rfc_name;
};

constexpr std::array<ReasonName, 10> kReasons = {{
    {RevocationReason::kUnspecified, "unspecified", "unspecified"},
    {RevocationReason::kKeyCompromise, "key_compromise", "keyCompromise"},
    {RevocationReason::kCaCompromise, "ca_compromise", "cACompromise"},
    {RevocationReason::kAffiliationChanged, "affiliation_changed", "affiliationChanged"},
    {RevocationReason::kSuperseded, "superseded", "superseded"},
    {RevocationReason::kCessationOfOperation, "cessation_of_operation", "cessationOfOperation"},
    {RevocationReason::kCertificateHold, "certificate_hold", "certificateHold"},
    {RevocationReason::kRemoveFromCrl, "remove_from_crl", "removeFromCRL"},
    {RevocationReason::kPrivilegeWithdrawn, "privilege_withdrawn", "privilegeWithdrawn"},
    {RevocationReason::kAaCompromise, "aa_compromise", "aACompromise"},
}};

}  // namespace

std::string_view RevocationReasonName(RevocationReason reason) {
  for (const auto& r : kReasons) {
    if (r.reason == reason) return r.name;
  }
  return "unknown";
}

Result<RevocationReason> ParseRevocationReason(std::string_view name) {
  std::string valid;
  for (const auto& r : kReasons) {
    if (name == r.name || name == r.rfc_name) return r.reason;
    valid += valid.empty() ? "" : ", ";
    valid += r.name;
  }
  return InvalidArgument("unknown revocation reason '" + std::string(name.substr(0, 32)) +
                         "' (one of " + valid + ")");
}

std::optional<RevocationReason> RevocationReasonFromCode(int code) {
  for (const auto& r : kReasons) {
    if (static_cast<int>(r.reason) == code) return r.reason;
  }
  return std::nullopt;
}

}  // namespace wott::pki
