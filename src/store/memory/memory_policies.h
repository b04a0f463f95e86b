// PolicyTable: the memory backend's trust policies (see Store::PutPolicy and friends).
// Not thread-safe by itself: MemoryStore calls it under its own mutex, which also makes a
// resolution see one consistent state of policies and devices.
#ifndef WOTT_STORE_MEMORY_MEMORY_POLICIES_H_
#define WOTT_STORE_MEMORY_MEMORY_POLICIES_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/records.h"

namespace wott::store {

class PolicyTable {
 public:
  // Creates or replaces; returns the stored record (version 1, or the old version + 1).
  // REQUIRES: ValidateNewPolicy(policy) passed.
  PolicyRecord Put(const NewPolicy& policy, std::string_view actor, TimePoint now);
  // kNotFound when unknown.
  Result<PolicyRecord> Get(std::string_view name) const;
  // By name.
  std::vector<PolicyRecord> List() const;
  // False when there was no such policy.
  bool Erase(std::string_view name);
  // The policy and the sorted names of the devices in `devices` it allows; kNotFound when
  // unknown.
  Result<ResolvedPolicy> Resolve(std::string_view name,
                                 const std::map<std::string, DeviceRecord>& devices) const;

 private:
  std::map<std::string, PolicyRecord, std::less<>> policies_;
};

}  // namespace wott::store

#endif  // WOTT_STORE_MEMORY_MEMORY_POLICIES_H_
