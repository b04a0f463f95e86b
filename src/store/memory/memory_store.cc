#include "store/memory/memory_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "store/account_rules.h"
#include "store/memory/memory_accounts.h"
#include "store/memory/memory_policies.h"
#include "store/memory/memory_posture.h"
#include "store/posture_rules.h"
#include "store/rules.h"
#include "store/validate.h"

namespace wott::store {
namespace {

template <typename Map>
auto* Find(Map& map, std::string_view key) {
  auto it = map.find(std::string(key));
  return it == map.end() ? nullptr : &it->second;
}

template <typename T>
std::vector<T> Slice(std::vector<T> all, const PageRequest& page) {
  std::vector<T> out;
  for (size_t i = static_cast<size_t>(page.offset);
       i < all.size() && out.size() < static_cast<size_t>(page.limit); ++i) {
    out.push_back(std::move(all[i]));
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

bool Matches(const DeviceRecord& d, const DeviceFilter& filter) {
  if (filter.status && d.status != *filter.status) return false;
  if (!filter.prefix.empty() && !StartsWith(d.id, filter.prefix) &&
      !StartsWith(d.name, filter.prefix)) {
    return false;
  }
  for (const TagMatch& match : filter.tags) {
    auto it = d.tags.find(match.key);
    if (it == d.tags.end() || (match.value && it->second != *match.value)) return false;
  }
  return true;
}

// Strict ascending order of `field`, ties broken by ID.
bool LessBy(DeviceSortField field, const DeviceRecord& a, const DeviceRecord& b) {
  // A never-seen device sorts as the oldest.
  auto seen = [](const DeviceRecord& d) {
    return d.last_seen ? ToUnixSeconds(*d.last_seen) + 1 : int64_t{0};
  };
  switch (field) {
    case DeviceSortField::kCreatedAt:
      return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
    case DeviceSortField::kName:
      return std::tie(a.name, a.id) < std::tie(b.name, b.id);
    case DeviceSortField::kId:
      return a.id < b.id;
    case DeviceSortField::kLastSeen:
      return std::make_tuple(a.last_seen.has_value(), seen(a), a.id) <
             std::make_tuple(b.last_seen.has_value(), seen(b), b.id);
    case DeviceSortField::kCertificateExpiry:
      return std::tie(a.current_not_after, a.id) < std::tie(b.current_not_after, b.id);
  }
  return a.id < b.id;
}

class MemoryStore final : public Store {
 public:
  Result<EnrollmentTokenRecord> CreateEnrollmentToken(const NewEnrollmentToken& token,
                                                      TimePoint now) override {
    RETURN_IF_ERROR(ValidateNewEnrollmentToken(token, now));
    std::lock_guard lock(mu_);
    if (tokens_.count(token.id)) return AlreadyExists("an enrollment token with this ID exists");
    if (token_by_hash_.count(token.token_hash)) {
      return AlreadyExists("an enrollment token with this hash exists");
    }
    EnrollmentTokenRecord record;
    record.id = token.id;
    record.token_hash = token.token_hash;
    record.description = token.description;
    record.max_uses = token.max_uses;
    record.uses_left = token.max_uses;
    record.created_at = TruncateToSeconds(now);
    record.expires_at = TruncateToSeconds(token.expires_at);
    record.tags = token.tags;
    record.created_by = token.created_by;
    tokens_[record.id] = record;
    token_by_hash_[record.token_hash] = record.id;
    Append(MakeEvent(now, token.created_by, "token.create", token.id,
                     "uses=" + std::to_string(token.max_uses)));
    return record;
  }

  Result<EnrollmentTokenRecord> GetEnrollmentToken(std::string_view id) override {
    RETURN_IF_ERROR(ValidateTokenId(id));
    std::lock_guard lock(mu_);
    auto* token = Find(tokens_, id);
    if (!token) return NotFound("unknown enrollment token");
    return *token;
  }

  Result<EnrollmentTokenRecord> FindEnrollmentToken(std::string_view token_hash,
                                                    TimePoint now) override {
    RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token_hash));
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(EnrollmentTokenRecord * token, UsableToken(token_hash, now));
    return *token;
  }

  Result<std::vector<EnrollmentTokenRecord>> ListEnrollmentTokens(const TokenListOptions& options,
                                                                  TimePoint now) override {
    RETURN_IF_ERROR(ValidatePage(options.page));
    std::lock_guard lock(mu_);
    std::vector<EnrollmentTokenRecord> all;
    for (const auto& [id, token] : tokens_) {
      if (options.include_inactive || IsEnrollmentTokenActive(token, now)) all.push_back(token);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
    });
    return Slice(std::move(all), options.page);
  }

  Status RevokeEnrollmentToken(std::string_view id, std::string_view actor,
                               TimePoint now) override {
    RETURN_IF_ERROR(ValidateTokenId(id));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* token = Find(tokens_, id);
    if (!token) return NotFound("unknown enrollment token");
    if (token->revoked_at) return Status::Ok();
    token->revoked_at = TruncateToSeconds(now);
    Append(MakeEvent(now, actor, "token.revoke", id, ""));
    return Status::Ok();
  }

  Result<DeviceRecord> EnrollDevice(std::string_view token_hash, const NewDevice& device,
                                    const CertificateRecord& certificate,
                                    std::string_view recovery_token_hash, TimePoint now) override {
    RETURN_IF_ERROR(ValidateTokenHash("enrollment token hash", token_hash));
    RETURN_IF_ERROR(ValidateNewDevice(device));
    RETURN_IF_ERROR(ValidateNewCertificate(certificate, device.id));
    RETURN_IF_ERROR(ValidateRecoveryHash(recovery_token_hash));
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(EnrollmentTokenRecord * token, UsableToken(token_hash, now));
    if (devices_.count(device.id)) return AlreadyExists("a device with this ID exists");
    RETURN_IF_ERROR(CheckNewCertificate(certificate, recovery_token_hash));

    --token->uses_left;
    DeviceRecord record;
    record.id = device.id;
    record.name = device.name;
    record.status = DeviceStatus::kActive;
    record.tags = token->tags;
    record.metadata = device.metadata;
    record.created_at = TruncateToSeconds(now);
    record.enrollment_token_id = token->id;
    devices_[record.id] = record;
    RecordCertificate(certificate, recovery_token_hash, now);
    Append(MakeEvent(now, "token:" + token->id, "device.enroll", device.id,
                     "serial=" + certificate.serial));
    return devices_[device.id];
  }

  Result<DeviceRecord> RenewDevice(std::string_view device_id, std::string_view presented_serial,
                                   const CertificateRecord& certificate,
                                   std::string_view new_recovery_token_hash,
                                   TimePoint now) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateSerial(presented_serial));
    RETURN_IF_ERROR(ValidateNewCertificate(certificate, device_id));
    RETURN_IF_ERROR(ValidateRecoveryHash(new_recovery_token_hash));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    RETURN_IF_ERROR(CheckDeviceActive(*device));
    RETURN_IF_ERROR(CheckRenewalCertificate(Find(certificates_, presented_serial), device_id, now));
    RETURN_IF_ERROR(CheckNewCertificate(certificate, new_recovery_token_hash, device->id));
    RecordCertificate(certificate, new_recovery_token_hash, now);
    Append(
        MakeEvent(now, "device:" + device->id, "device.renew", device->id,
                  "serial=" + certificate.serial + " previous=" + std::string(presented_serial)));
    return *device;
  }

  Result<DeviceRecord> FindDeviceByRecoveryToken(std::string_view recovery_token_hash) override {
    RETURN_IF_ERROR(ValidateTokenHash("recovery token hash", recovery_token_hash));
    std::lock_guard lock(mu_);
    auto* id = Find(device_by_recovery_, recovery_token_hash);
    if (!id) return UnknownRecoveryToken();
    return devices_.at(*id);
  }

  Result<DeviceRecord> RecoverDevice(std::string_view recovery_token_hash,
                                     const CertificateRecord& certificate,
                                     std::string_view new_recovery_token_hash, Duration grace,
                                     TimePoint now) override {
    RETURN_IF_ERROR(ValidateTokenHash("recovery token hash", recovery_token_hash));
    RETURN_IF_ERROR(ValidateRecoveryHash(new_recovery_token_hash));
    if (grace < Duration::zero()) return InvalidArgument("recovery grace must not be negative");
    std::lock_guard lock(mu_);
    auto* id = Find(device_by_recovery_, recovery_token_hash);
    if (!id) return UnknownRecoveryToken();
    DeviceRecord& device = devices_.at(*id);
    RETURN_IF_ERROR(ValidateNewCertificate(certificate, device.id));
    RETURN_IF_ERROR(CheckRecovery(device, certificates_.at(device.current_serial), grace, now));
    RETURN_IF_ERROR(CheckNewCertificate(certificate, new_recovery_token_hash, device.id));
    std::string previous = device.current_serial;
    RecordCertificate(certificate, new_recovery_token_hash, now);
    Append(MakeEvent(now, "device:" + device.id, "device.recover", device.id,
                     "serial=" + certificate.serial + " previous=" + previous));
    return device;
  }

  Result<DeviceRecord> GetDevice(std::string_view device_id) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    return *device;
  }

  Result<DevicePage> ListDevices(const DeviceFilter& filter, const DeviceSort& sort,
                                 const PageRequest& page) override {
    RETURN_IF_ERROR(ValidateDeviceFilter(filter));
    RETURN_IF_ERROR(ValidatePage(page));
    std::lock_guard lock(mu_);
    std::vector<const DeviceRecord*> matching;
    for (const auto& [id, device] : devices_) {
      if (Matches(device, filter)) matching.push_back(&device);
    }
    std::sort(matching.begin(), matching.end(), [&](const DeviceRecord* a, const DeviceRecord* b) {
      return sort.descending ? LessBy(sort.field, *b, *a) : LessBy(sort.field, *a, *b);
    });
    DevicePage result;
    result.total = static_cast<int64_t>(matching.size());
    for (size_t i = static_cast<size_t>(page.offset);
         i < matching.size() && result.devices.size() < static_cast<size_t>(page.limit); ++i) {
      result.devices.push_back(*matching[i]);
    }
    return result;
  }

  Result<DeviceCounts> CountDevicesByStatus() override {
    std::lock_guard lock(mu_);
    DeviceCounts counts;
    for (const auto& [id, device] : devices_) {
      switch (device.status) {
        case DeviceStatus::kActive:
          ++counts.active;
          break;
        case DeviceStatus::kRevoked:
          ++counts.revoked;
          break;
        case DeviceStatus::kDeleted:
          ++counts.deleted;
          break;
      }
    }
    return counts;
  }

  Status RevokeDevice(std::string_view device_id, RevocationReason reason, std::string_view actor,
                      TimePoint now) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateRevocationReason(reason));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    RETURN_IF_ERROR(CheckDeviceNotDeleted(*device));
    if (device->status == DeviceStatus::kRevoked) return Status::Ok();
    device->status = DeviceStatus::kRevoked;
    device->revoked_at = TruncateToSeconds(now);
    device->revocation_reason = reason;
    RevokeAllCertificates(device->id, reason, now);
    DropRecoveryHashes(*device);
    RotateRecoveryHashes(*device, "");
    Append(MakeEvent(now, actor, "device.revoke", device_id,
                     "reason=" + std::string(RevocationReasonName(reason))));
    return Status::Ok();
  }

  Status DeleteDevice(std::string_view device_id, std::string_view actor, TimePoint now) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    if (device->status == DeviceStatus::kDeleted) return Status::Ok();
    device->status = DeviceStatus::kDeleted;
    RevokeAllCertificates(device->id, RevocationReason::kCessationOfOperation, now);
    DropRecoveryHashes(*device);
    RotateRecoveryHashes(*device, "");
    Append(MakeEvent(now, actor, "device.delete", device_id, ""));
    return Status::Ok();
  }

  Status SetTags(std::string_view device_id, const Tags& tags, std::string_view actor,
                 TimePoint now) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateTags(tags));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    RETURN_IF_ERROR(CheckDeviceNotDeleted(*device));
    device->tags = tags;
    Append(MakeEvent(now, actor, "device.tags", device_id, ""));
    return Status::Ok();
  }

  Status SetMetadata(std::string_view device_id, const Metadata& metadata, std::string_view actor,
                     TimePoint now) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateMetadata(metadata));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    RETURN_IF_ERROR(CheckDeviceNotDeleted(*device));
    device->metadata = metadata;
    Append(MakeEvent(now, actor, "device.metadata", device_id, ""));
    return Status::Ok();
  }

  Status TouchLastSeen(std::string_view device_id, TimePoint now, const AgentInfo& agent) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateAgentInfo(agent));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    RETURN_IF_ERROR(CheckDeviceActive(*device));
    TimePoint seen = TruncateToSeconds(now);
    if (!device->last_seen || *device->last_seen < seen) device->last_seen = seen;
    device->agent = agent;
    return Status::Ok();
  }

  Result<CertificateRecord> GetCertificate(std::string_view serial) override {
    RETURN_IF_ERROR(ValidateSerial(serial));
    std::lock_guard lock(mu_);
    auto* certificate = Find(certificates_, serial);
    if (!certificate) return NotFound("unknown certificate serial");
    return *certificate;
  }

  Result<std::vector<CertificateRecord>> ListCertificates(std::string_view device_id,
                                                          int limit) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateLimit(limit));
    std::lock_guard lock(mu_);
    std::vector<CertificateRecord> all;
    for (const auto& [serial, certificate] : certificates_) {
      if (certificate.device_id == device_id) all.push_back(certificate);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.issued_at, a.serial) > std::tie(b.issued_at, b.serial);
    });
    if (all.size() > static_cast<size_t>(limit)) all.resize(limit);
    return all;
  }

  Result<CertificateRecord> CurrentCertificate(std::string_view device_id) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    std::lock_guard lock(mu_);
    auto* device = Find(devices_, device_id);
    if (!device) return UnknownDevice();
    return certificates_.at(device->current_serial);
  }

  Result<CertificatePage> ListExpiringCertificates(TimePoint from, TimePoint until,
                                                   const PageRequest& page) override {
    RETURN_IF_ERROR(ValidatePage(page));
    std::lock_guard lock(mu_);
    int64_t lo = ToUnixSeconds(from), hi = ToUnixSeconds(until);
    std::vector<CertificateRecord> all;
    for (const auto& [id, device] : devices_) {
      if (device.status != DeviceStatus::kActive) continue;
      const CertificateRecord& current = certificates_.at(device.current_serial);
      int64_t not_after = ToUnixSeconds(current.not_after);
      if (!current.revoked_at && not_after >= lo && not_after < hi) all.push_back(current);
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.not_after, a.serial) < std::tie(b.not_after, b.serial);
    });
    CertificatePage result;
    result.total = static_cast<int64_t>(all.size());
    result.certificates = Slice(std::move(all), page);
    return result;
  }

  Status RevokeCertificate(std::string_view serial, RevocationReason reason, std::string_view actor,
                           TimePoint now) override {
    RETURN_IF_ERROR(ValidateSerial(serial));
    RETURN_IF_ERROR(ValidateRevocationReason(reason));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* certificate = Find(certificates_, serial);
    if (!certificate) return NotFound("unknown certificate serial");
    if (certificate->revoked_at) return Status::Ok();
    certificate->revoked_at = TruncateToSeconds(now);
    certificate->revocation_reason = reason;
    Append(MakeEvent(now, actor, "certificate.revoke", serial,
                     "device=" + certificate->device_id +
                         " reason=" + std::string(RevocationReasonName(reason))));
    return Status::Ok();
  }

  Result<std::vector<RevokedCertificate>> ListRevokedCertificates(TimePoint now) override {
    std::lock_guard lock(mu_);
    std::vector<RevokedCertificate> out;
    for (const auto& [serial, certificate] : certificates_) {  // map: already by serial
      if (!certificate.revoked_at || IsExpired(certificate.not_after, now)) continue;
      out.push_back(
          {serial, *certificate.revoked_at, *certificate.revocation_reason, certificate.not_after});
    }
    return out;
  }

  Result<int64_t> NextCrlNumber() override {
    std::lock_guard lock(mu_);
    return ++crl_number_;
  }

  Result<ApiTokenRecord> CreateApiToken(const NewApiToken& token, TimePoint now) override {
    RETURN_IF_ERROR(ValidateNewApiToken(token, now));
    std::lock_guard lock(mu_);
    if (api_tokens_.count(token.id)) return AlreadyExists("an API token with this ID exists");
    if (api_token_by_hash_.count(token.token_hash)) {
      return AlreadyExists("an API token with this hash exists");
    }
    ApiTokenRecord record;
    record.id = token.id;
    record.name = token.name;
    record.token_hash = token.token_hash;
    record.created_at = TruncateToSeconds(now);
    if (token.expires_at) record.expires_at = TruncateToSeconds(*token.expires_at);
    record.created_by = token.created_by;
    api_tokens_[record.id] = record;
    api_token_by_hash_[record.token_hash] = record.id;
    Append(MakeEvent(now, token.created_by, "api_token.create", token.id, "name=" + token.name));
    return record;
  }

  Result<ApiTokenRecord> FindApiTokenByHash(std::string_view token_hash, TimePoint now) override {
    RETURN_IF_ERROR(ValidateTokenHash("API token hash", token_hash));
    std::lock_guard lock(mu_);
    auto* id = Find(api_token_by_hash_, token_hash);
    const ApiTokenRecord* token = id ? &api_tokens_.at(*id) : nullptr;
    RETURN_IF_ERROR(CheckApiTokenUsable(token, now));
    return *token;
  }

  Result<std::vector<ApiTokenRecord>> ListApiTokens() override {
    std::lock_guard lock(mu_);
    std::vector<ApiTokenRecord> all;
    for (const auto& [id, token] : api_tokens_) all.push_back(token);
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.created_at, a.id) > std::tie(b.created_at, b.id);
    });
    return all;
  }

  Status RevokeApiToken(std::string_view id, std::string_view actor, TimePoint now) override {
    RETURN_IF_ERROR(ValidateTokenId(id));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    auto* token = Find(api_tokens_, id);
    if (!token) return NotFound("unknown API token");
    if (token->revoked_at) return Status::Ok();
    token->revoked_at = TruncateToSeconds(now);
    Append(MakeEvent(now, actor, "api_token.revoke", id, ""));
    return Status::Ok();
  }

  Result<int64_t> AppendEvent(const Event& event) override {
    RETURN_IF_ERROR(ValidateEvent(event));
    std::lock_guard lock(mu_);
    Event copy = event;
    copy.time = TruncateToSeconds(event.time);
    return Append(std::move(copy));
  }

  Result<std::vector<Event>> ListEvents(const EventQuery& query) override {
    RETURN_IF_ERROR(ValidateLimit(query.limit));
    if (query.before_id < 0) return InvalidArgument("event cursor must not be negative");
    std::lock_guard lock(mu_);
    std::vector<Event> out;
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (out.size() >= static_cast<size_t>(query.limit)) break;
      if (query.before_id != 0 && it->id >= query.before_id) continue;
      if (query.subject && it->subject != *query.subject) continue;
      out.push_back(*it);
    }
    return out;
  }

  Result<PolicyRecord> PutPolicy(const NewPolicy& policy, std::string_view actor,
                                 TimePoint now) override {
    RETURN_IF_ERROR(ValidateNewPolicy(policy));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    PolicyRecord record = policies_.Put(policy, actor, now);
    Append(MakeEvent(now, actor, "policy.set", record.name,
                     "version=" + std::to_string(record.version)));
    return record;
  }

  Result<PolicyRecord> GetPolicy(std::string_view name) override {
    RETURN_IF_ERROR(ValidatePolicyName(name));
    std::lock_guard lock(mu_);
    return policies_.Get(name);
  }

  Result<std::vector<PolicyRecord>> ListPolicies() override {
    std::lock_guard lock(mu_);
    return policies_.List();
  }

  Status DeletePolicy(std::string_view name, std::string_view actor, TimePoint now) override {
    RETURN_IF_ERROR(ValidatePolicyName(name));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    if (!policies_.Erase(name)) return UnknownPolicy();
    Append(MakeEvent(now, actor, "policy.delete", name, ""));
    return Status::Ok();
  }

  Result<ResolvedPolicy> ResolvePolicy(std::string_view name) override {
    RETURN_IF_ERROR(ValidatePolicyName(name));
    std::lock_guard lock(mu_);
    return policies_.Resolve(name, devices_);
  }

  // ---- Device posture (memory_posture.h) ----

  Status UpdatePosture(std::string_view device_id, const PostureUpdate& update,
                       TimePoint now) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidatePostureUpdate(update));
    std::lock_guard lock(mu_);
    if (!devices_.contains(std::string(device_id))) return UnknownDevice();
    posture_.Update(device_id, update, now);
    return Status::Ok();
  }

  Result<DevicePosture> GetPosture(std::string_view device_id, bool with_packages) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    std::lock_guard lock(mu_);
    return posture_.Get(device_id, with_packages);
  }

  Result<std::vector<DevicePosture>> ListPostures(
      const std::vector<std::string>& device_ids) override {
    for (const std::string& id : device_ids) RETURN_IF_ERROR(ValidateDeviceId(id));
    std::lock_guard lock(mu_);
    return posture_.List(device_ids, [&](const std::string& id) {
      auto it = devices_.find(id);
      return it != devices_.end() && it->second.status == DeviceStatus::kActive;
    });
  }

  Result<std::vector<TrustScorePoint>> ListTrustScores(std::string_view device_id,
                                                       int limit) override {
    RETURN_IF_ERROR(ValidateDeviceId(device_id));
    RETURN_IF_ERROR(ValidateLimit(limit));
    std::lock_guard lock(mu_);
    return posture_.History(device_id, limit);
  }

  // ---- Dashboard users and sessions (memory_accounts.h) ----

  Result<UserRecord> CreateUser(const NewUser& user, std::string_view actor,
                                TimePoint now) override {
    RETURN_IF_ERROR(ValidateNewUser(user));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(UserRecord record, accounts_.CreateUser(user, now));
    Append(MakeEvent(now, actor, "user.create", user.name, ""));
    return record;
  }

  Result<UserRecord> GetUser(std::string_view name) override {
    RETURN_IF_ERROR(ValidateUserName(name));
    std::lock_guard lock(mu_);
    return accounts_.GetUser(name);
  }

  Result<std::vector<UserRecord>> ListUsers() override {
    std::lock_guard lock(mu_);
    return accounts_.ListUsers();
  }

  Status DeleteUser(std::string_view name, std::string_view actor, TimePoint now) override {
    RETURN_IF_ERROR(ValidateUserName(name));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(accounts_.DeleteUser(name));
    Append(MakeEvent(now, actor, "user.delete", name, ""));
    return Status::Ok();
  }

  Status SetUserPassword(std::string_view name, std::string_view password_hash,
                         std::string_view actor, TimePoint now) override {
    RETURN_IF_ERROR(ValidateUserName(name));
    RETURN_IF_ERROR(ValidatePasswordHash(password_hash));
    RETURN_IF_ERROR(ValidateActor(actor));
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(accounts_.SetPassword(name, password_hash, now));
    Append(MakeEvent(now, actor, "user.password", name, ""));
    return Status::Ok();
  }

  Result<SessionRecord> CreateSession(const NewSession& session, TimePoint now) override {
    RETURN_IF_ERROR(ValidateNewSession(session, now));
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(SessionRecord record, accounts_.CreateSession(session, now));
    Append(MakeEvent(now, UserActor(session.user), "user.login", session.user,
                     session.client.empty() ? "" : "from=" + session.client));
    return record;
  }

  Result<SessionRecord> FindSession(std::string_view secret_hash, TimePoint now) override {
    RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
    std::lock_guard lock(mu_);
    return accounts_.FindSession(secret_hash, now);
  }

  Status TouchSession(std::string_view secret_hash, TimePoint now) override {
    RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
    std::lock_guard lock(mu_);
    return accounts_.TouchSession(secret_hash, now);
  }

  Status DeleteSession(std::string_view secret_hash, TimePoint now) override {
    RETURN_IF_ERROR(ValidateSessionHash(secret_hash));
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(SessionRecord removed, accounts_.DeleteSession(secret_hash));
    Append(MakeEvent(now, UserActor(removed.user), "user.logout", removed.user, ""));
    return Status::Ok();
  }

  Result<int64_t> DeleteSessionsOfUser(std::string_view name) override {
    RETURN_IF_ERROR(ValidateUserName(name));
    std::lock_guard lock(mu_);
    return accounts_.DeleteSessionsOfUser(name);
  }

  Result<FleetCounts> CountFleet(const FleetCountsQuery& query) override {
    RETURN_IF_ERROR(ValidateFleetCountsQuery(query));
    std::lock_guard lock(mu_);
    FleetCounts out;
    out.expiring.assign(query.expiry_ranges.size(), 0);
    const int64_t seen_before = ToUnixSeconds(query.seen_before);
    for (const auto& [id, d] : devices_) {
      if (d.status == DeviceStatus::kRevoked) ++out.by_status.revoked;
      if (d.status == DeviceStatus::kDeleted) ++out.by_status.deleted;
      if (d.status != DeviceStatus::kActive) continue;
      ++out.by_status.active;
      if (!d.last_seen || ToUnixSeconds(*d.last_seen) < seen_before) ++out.stale;
      const int64_t not_after = ToUnixSeconds(d.current_not_after);
      for (size_t i = 0; i < query.expiry_ranges.size(); ++i) {
        const TimeRange& r = query.expiry_ranges[i];
        if (not_after >= ToUnixSeconds(r.from) && not_after < ToUnixSeconds(r.until)) {
          ++out.expiring[i];
        }
      }
    }
    return out;
  }

 private:
  // REQUIRES: mu_ held.
  Result<EnrollmentTokenRecord*> UsableToken(std::string_view token_hash, TimePoint now) {
    auto* id = Find(token_by_hash_, token_hash);
    if (!id) return UnknownEnrollmentToken();
    EnrollmentTokenRecord* token = &tokens_.at(*id);
    RETURN_IF_ERROR(CheckEnrollmentTokenUsable(*token, now));
    return token;
  }

  // The uniqueness checks of RecordCertificate: the serial is new and the recovery hash is
  // held (as current or previous) by no device but `owner_id`. REQUIRES: mu_ held.
  Status CheckNewCertificate(const CertificateRecord& certificate, std::string_view recovery_hash,
                             std::string_view owner_id = {}) {
    if (certificates_.count(certificate.serial)) {
      return AlreadyExists("a certificate with this serial exists");
    }
    auto* holder = recovery_hash.empty() ? nullptr : Find(device_by_recovery_, recovery_hash);
    if (holder && *holder != owner_id) {
      return AlreadyExists("this recovery token is already in use");
    }
    return Status::Ok();
  }

  // Stores `certificate` as its device's current one and rotates the recovery hash.
  // REQUIRES: mu_ held; the device exists; CheckNewCertificate passed.
  void RecordCertificate(const CertificateRecord& certificate, std::string_view recovery_hash,
                         TimePoint now) {
    CertificateRecord record = certificate;
    record.not_before = TruncateToSeconds(certificate.not_before);
    record.not_after = TruncateToSeconds(certificate.not_after);
    record.issued_at = TruncateToSeconds(now);
    certificates_[record.serial] = record;
    DeviceRecord& device = devices_.at(record.device_id);
    device.current_serial = record.serial;
    device.current_not_after = record.not_after;
    DropRecoveryHashes(device);
    RotateRecoveryHashes(device, recovery_hash);
    for (const std::string* hash :
         {&device.recovery_token_hash, &device.previous_recovery_token_hash}) {
      if (!hash->empty()) device_by_recovery_[*hash] = device.id;
    }
  }

  // Removes the device's hashes from the index (the record keeps them). REQUIRES: mu_ held.
  void DropRecoveryHashes(const DeviceRecord& device) {
    device_by_recovery_.erase(device.recovery_token_hash);
    device_by_recovery_.erase(device.previous_recovery_token_hash);
  }

  // REQUIRES: mu_ held.
  void RevokeAllCertificates(const std::string& device_id, RevocationReason reason, TimePoint now) {
    for (auto& [serial, certificate] : certificates_) {
      if (certificate.device_id == device_id && !certificate.revoked_at) {
        certificate.revoked_at = TruncateToSeconds(now);
        certificate.revocation_reason = reason;
      }
    }
  }

  // REQUIRES: mu_ held; `event` validated.
  int64_t Append(Event event) {
    event.id = static_cast<int64_t>(events_.size()) + 1;
    events_.push_back(std::move(event));
    return events_.back().id;
  }

  std::mutex mu_;
  std::map<std::string, EnrollmentTokenRecord> tokens_;    // by id
  std::map<std::string, std::string> token_by_hash_;       // hash -> id
  std::map<std::string, DeviceRecord> devices_;            // by id
  std::map<std::string, std::string> device_by_recovery_;  // current or previous hash -> id
  std::map<std::string, CertificateRecord> certificates_;  // by serial
  std::map<std::string, ApiTokenRecord> api_tokens_;       // by id
  std::map<std::string, std::string> api_token_by_hash_;   // hash -> id
  std::vector<Event> events_;                              // id = index + 1
  PolicyTable policies_;
  AccountTable accounts_;
  PostureTable posture_;
  int64_t crl_number_ = 0;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace wott::store
