#include "store/registry_dump.h"

#include <algorithm>
#include <string>

namespace wott::store {

Result<RegistryDump> DumpRegistry(Store& store, TimePoint now) {
  RegistryDump dump;
  TokenListOptions token_options;
  token_options.include_inactive = true;
  token_options.page.limit = kMaxPageLimit;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<EnrollmentTokenRecord> page,
                     store.ListEnrollmentTokens(token_options, now));
    dump.enrollment_tokens.insert(dump.enrollment_tokens.end(), page.begin(), page.end());
    if (page.size() < static_cast<size_t>(kMaxPageLimit)) break;
    token_options.page.offset += kMaxPageLimit;
  }
  ASSIGN_OR_RETURN(dump.api_tokens, store.ListApiTokens());
  ASSIGN_OR_RETURN(dump.policies, store.ListPolicies());
  ASSIGN_OR_RETURN(dump.users, store.ListUsers());

  DeviceSort by_id{DeviceSortField::kId, /*descending=*/false};
  PageRequest page{0, kMaxPageLimit};
  while (true) {
    ASSIGN_OR_RETURN(DevicePage devices, store.ListDevices({}, by_id, page));
    for (DeviceRecord& device : devices.devices) {
      ASSIGN_OR_RETURN(std::vector<CertificateRecord> certificates,
                       store.ListCertificates(device.id, kMaxPageLimit));
      if (certificates.size() >= static_cast<size_t>(kMaxPageLimit)) {
        return FailedPrecondition("device " + device.id + " has " + std::to_string(kMaxPageLimit) +
                                  " or more certificates; the export cannot carry them all");
      }
      dump.certificates.insert(dump.certificates.end(), certificates.rbegin(), certificates.rend());
      dump.devices.push_back(std::move(device));
    }
    if (devices.devices.size() < static_cast<size_t>(kMaxPageLimit)) break;
    page.offset += kMaxPageLimit;
  }

  EventQuery query;
  query.limit = kMaxPageLimit;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<Event> events, store.ListEvents(query));
    if (events.empty()) break;
    query.before_id = events.back().id;
    dump.events.insert(dump.events.end(), events.begin(), events.end());
    if (events.size() < static_cast<size_t>(kMaxPageLimit)) break;
  }
  std::reverse(dump.events.begin(), dump.events.end());

  // Only active devices' postures matter (a revoked or deleted device is allowed nowhere),
  // and ListPostures returns them without package lists.
  ASSIGN_OR_RETURN(std::vector<DevicePosture> postures, store.ListPostures({}));
  for (DevicePosture& posture : postures) {
    DumpedPosture moved;
    ASSIGN_OR_RETURN(moved.history, store.ListTrustScores(posture.device_id, kMaxPageLimit));
    posture.inventory.reset();
    // Nothing left once the package list is dropped: the device simply has no posture yet.
    if (!posture.host_audit_json && !posture.findings && !posture.score && moved.history.empty()) {
      continue;
    }
    moved.posture = std::move(posture);
    dump.postures.push_back(std::move(moved));
  }
  ASSIGN_OR_RETURN(dump.crl_number, store.NextCrlNumber());
  return dump;
}

}  // namespace wott::store
