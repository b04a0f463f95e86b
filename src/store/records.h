// Plain records exchanged with the device registry (store::Store): devices, certificates,
// enrollment and API tokens, events, trust policies, and the filter/page/sort types of the
// list calls.
// Value types with no behaviour; thread-compatible. Every time is whole Unix seconds (the
// backends store integers, so sub-second parts are dropped on the way in).
#ifndef WOTT_STORE_RECORDS_H_
#define WOTT_STORE_RECORDS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "pki/revocation_reason.h"

namespace wott::store {

// key -> value labels such as "site" -> "paris". Keys and values are validated (see
// validate.h): keys 1-64 characters of [A-Za-z0-9._/:-], values up to 256 bytes of UTF-8.
using Tags = std::map<std::string, std::string>;
// Free-form key -> value data about a device (hostname, hardware model...).
using Metadata = std::map<std::string, std::string>;

enum class DeviceStatus { kActive, kRevoked, kDeleted };

// "active", "revoked", "deleted".
std::string_view DeviceStatusName(DeviceStatus status);
// The inverse of DeviceStatusName; kInvalidArgument for anything else.
Result<DeviceStatus> ParseDeviceStatus(std::string_view text);

// Revocation reasons are pki's (RFC 5280 codes; the numeric code is what is stored).
using pki::ParseRevocationReason;
using pki::RevocationReason;
using pki::RevocationReasonFromCode;
using pki::RevocationReasonName;

// Whole Unix seconds <-> TimePoint (rounding towards the past).
int64_t ToUnixSeconds(TimePoint t);
TimePoint FromUnixSeconds(int64_t seconds);
// `t` with its sub-second part dropped, i.e. what a backend gives back.
TimePoint TruncateToSeconds(TimePoint t);

// What the agent last reported about itself (TouchLastSeen).
struct AgentInfo {
  std::string agent_version;   // e.g. "0.1.0"; up to 256 bytes
  std::string os;              // e.g. "Debian GNU/Linux 12 (bookworm)"; up to 256 bytes
  std::string hostname;        // the device's own host name; up to 256 bytes
  int64_t uptime_seconds = 0;  // host uptime when it reported; 0 to 10^10
};

// A device to create at enrollment. The server assigns id and name, never the device.
struct NewDevice {
  std::string id;     // 32 lowercase hex characters
  std::string name;   // "<id>.d.<domain>", the certificate's CN; 1-255 bytes
  Metadata metadata;  // optional initial metadata
};

struct DeviceRecord {
  std::string id;
  std::string name;
  DeviceStatus status = DeviceStatus::kActive;
  Tags tags;
  Metadata metadata;
  TimePoint created_at;
  std::optional<TimePoint> last_seen;                 // nullopt until the first TouchLastSeen
  AgentInfo agent;                                    // empty until the first TouchLastSeen
  std::string enrollment_token_id;                    // the token it enrolled with
  std::string current_serial;                         // the newest certificate issued to it
  TimePoint current_not_after;                        // that certificate's not_after
  std::optional<TimePoint> revoked_at;                // set by RevokeDevice
  std::optional<RevocationReason> revocation_reason;  // set by RevokeDevice
  // Export only (db export / import carry them); never rendered by the API, the CLI or the
  // dashboard. The hashes of the device's current and previous recovery tokens ("" = none):
  // store.h, "Recovery tokens", says how every issuance rotates them.
  std::string recovery_token_hash;
  std::string previous_recovery_token_hash;
};

// A certificate issued to a device. When passed in to record an issuance, the revocation
// fields must be empty and `issued_at` is ignored (the store sets it to `now`).
struct CertificateRecord {
  std::string serial;     // lowercase hex, 1-64 characters; unique across the registry
  std::string device_id;  // the device it was issued to
  TimePoint not_before;
  TimePoint not_after;      // valid through this second (inclusive, as in RFC 5280)
  std::string fingerprint;  // SHA-256 of the DER, 64 lowercase hex characters
  std::string pem;          // the certificate itself; may be empty; up to 64 KiB
  TimePoint issued_at;      // when it was recorded
  std::optional<TimePoint> revoked_at;
  std::optional<RevocationReason> revocation_reason;
};

// One entry of the CRL.
struct RevokedCertificate {
  std::string serial;
  TimePoint revoked_at;
  RevocationReason reason = RevocationReason::kUnspecified;
  TimePoint not_after;
};

struct NewEnrollmentToken {
  std::string id;           // public handle for list/revoke: 1-64 of [A-Za-z0-9_-]
  std::string token_hash;   // the caller's hash of the secret; 1-256 printable bytes
  std::string description;  // optional; up to 256 bytes of UTF-8
  int64_t max_uses = 1;     // 1 to 1,000,000
  TimePoint expires_at;     // must be later than `now` at creation
  Tags tags;                // inherited by every device enrolled with it
  std::string created_by;   // actor, e.g. "cli" or "admin:alice"
};

struct EnrollmentTokenRecord {
  std::string id;
  std::string token_hash;
  std::string description;
  int64_t max_uses = 0;
  int64_t uses_left = 0;
  TimePoint created_at;
  TimePoint expires_at;  // unusable from this second on
  std::optional<TimePoint> revoked_at;
  Tags tags;
  std::string created_by;
};

struct NewApiToken {
  std::string id;                       // 1-64 of [A-Za-z0-9_-]
  std::string name;                     // 1-128 bytes of UTF-8, for people
  std::string token_hash;               // 1-256 printable bytes
  std::optional<TimePoint> expires_at;  // nullopt = does not expire
  std::string created_by;
};

struct ApiTokenRecord {
  std::string id;
  std::string name;
  std::string token_hash;
  TimePoint created_at;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> revoked_at;
  std::string created_by;
};

// One line of the append-only audit log: who did what, to what, when.
struct Event {
  int64_t id = 0;  // assigned by the store, strictly increasing; ignored on append
  TimePoint time;
  std::string actor;    // "cli", "admin:<token id>", "device:<id>", "token:<id>"; <= 256 B
  std::string action;   // "device.enroll", "token.revoke"...: 1-64 of [a-z0-9._-]
  std::string subject;  // the device ID, token ID or serial acted on; may be empty
  std::string detail;   // short human-readable text; up to 4 KiB of UTF-8
};

// Offset paging. `limit` must be 1 to kMaxPageLimit; `offset` must be >= 0.
inline constexpr int kMaxPageLimit = 1000;
struct PageRequest {
  int64_t offset = 0;
  int limit = 50;
};

// A tag condition: the device has tag `key` (with exactly `value` when given).
struct TagMatch {
  std::string key;
  std::optional<std::string> value;
};

// All set conditions must hold (AND).
struct DeviceFilter {
  std::optional<DeviceStatus> status;  // nullopt = any status
  std::vector<TagMatch> tags;          // up to 16 conditions
  std::string prefix;                  // ID or name starts with this (bytewise); "" = any
};

enum class DeviceSortField { kCreatedAt, kName, kId, kLastSeen, kCertificateExpiry };

// Ties are broken by ID in the same direction, so pages never overlap. Devices never
// seen sort as the oldest (first ascending, last descending).
struct DeviceSort {
  DeviceSortField field = DeviceSortField::kCreatedAt;
  bool descending = true;
};

struct DevicePage {
  std::vector<DeviceRecord> devices;
  int64_t total = 0;  // devices matching the filter, across all pages
};

struct CertificatePage {
  std::vector<CertificateRecord> certificates;
  int64_t total = 0;
};

struct TokenListOptions {
  bool include_inactive = true;  // also revoked, expired and used-up tokens
  PageRequest page;
};

struct EventQuery {
  std::optional<std::string> subject;  // only events about this subject
  int64_t before_id = 0;               // only events with id < before_id; 0 = newest
  int limit = 100;                     // 1 to kMaxPageLimit
};

// A trust policy (issue 5): a named endpoint and the devices allowed to reach it. A device
// is allowed when it is active and its ID is in allow_devices or it carries at least one of
// allow_tags (rules are OR-ed). Written whole by PutPolicy (create or replace).
inline constexpr size_t kMaxPolicyDevices = 10'000;
inline constexpr size_t kMaxPolicyTags = 64;

struct NewPolicy {
  std::string name;                        // [a-z0-9][a-z0-9-]{0,62}; unique
  std::string description;                 // optional; up to 256 bytes of UTF-8
  std::vector<std::string> allow_devices;  // 32-hex device IDs; up to kMaxPolicyDevices
  std::vector<std::string> allow_tags;     // "key=value" (tag rules); up to kMaxPolicyTags
  // Posture requirements (issue 7) on the devices the rules allow:
  std::optional<int> min_trust_score = std::nullopt;  // 0..100; nullopt = none
  std::string deny_fixable_severity = "";             // "", "medium", "high" or "critical"
};

struct PolicyRecord {
  std::string name;
  std::string description;
  std::vector<std::string> allow_devices;             // sorted, no duplicates
  std::vector<std::string> allow_tags;                // sorted, no duplicates
  std::optional<int> min_trust_score = std::nullopt;  // as NewPolicy
  std::string deny_fixable_severity = "";             // as NewPolicy
  int64_t version = 0;                                // 1 at creation, +1 at every PutPolicy
  TimePoint updated_at;
  std::string updated_by;  // actor of the last PutPolicy
};

// A policy and, from the same snapshot, the names of the devices it allows now.
struct ResolvedPolicy {
  PolicyRecord policy;
  std::vector<std::string> allowed_devices;  // device names, sorted bytewise, no duplicates
};

struct DeviceCounts {
  int64_t active = 0;
  int64_t revoked = 0;
  int64_t deleted = 0;
};

// ---- Dashboard accounts (issue 6) ----

// A dashboard user. The password is never stored, only its encoded argon2id hash.
struct NewUser {
  std::string name;           // [a-z0-9][a-z0-9._-]{0,63}; unique
  std::string password_hash;  // encoded hash ("$argon2id$..."); 1-256 printable characters
};

struct UserRecord {
  std::string name;
  std::string password_hash;
  TimePoint created_at;
  TimePoint password_changed_at;  // = created_at until the first SetUserPassword
};

// A login session. The store keeps only the hash of the cookie's secret.
struct NewSession {
  std::string secret_hash;  // hex SHA-256 of the cookie secret; 1-256 printable characters
  std::string user;         // an existing user's name
  std::string csrf_token;   // sent back in X-CSRF-Token; 1-256 printable characters
  TimePoint expires_at;     // absolute; must be later than `now` at creation
  std::string client;       // the client's address, for the "user.login" event only (<= 256 B)
};

struct SessionRecord {
  std::string secret_hash;
  std::string user;
  std::string csrf_token;
  TimePoint created_at;
  TimePoint expires_at;    // unusable from this second on
  TimePoint last_used_at;  // created_at, then moved forward by TouchSession
};

// ---- Dashboard overview (issue 6) ----

// A half-open time range [from, until).
struct TimeRange {
  TimePoint from;
  TimePoint until;
};

inline constexpr size_t kMaxFleetRanges = 32;

struct FleetCountsQuery {
  // Active devices last seen before this second, or never seen, count as stale.
  TimePoint seen_before;
  // Up to kMaxFleetRanges ranges (from < until); each gets the number of active devices
  // whose current certificate's not_after lies in it.
  std::vector<TimeRange> expiry_ranges;
};

struct FleetCounts {
  DeviceCounts by_status;
  int64_t stale = 0;
  std::vector<int64_t> expiring;  // one per query range, in the query's order
};

// ---- Device posture (issue 7) ----

// Largest JSON text stored in one posture column (a 20,000-package list is ~2 MiB).
inline constexpr size_t kMaxPostureJsonBytes = 8 * 1024 * 1024;
// A score that does not change still gets a history row this often.
inline constexpr Duration kTrustScoreHistoryInterval = std::chrono::hours(24);

// The latest package list a device reported.
struct InventorySnapshot {
  std::string packages_hash;  // 64 lowercase hex (canonical hash of the list)
  std::string os_id;          // "debian"; <= 256 bytes
  std::string codename;       // "bookworm"; <= 256 bytes
  int64_t package_count = 0;
  std::string packages_json;  // the list as JSON; "" when not loaded (lists)
  TimePoint reported_at;
};

// Findings matched against one inventory and one vulnerability-data generation.
struct FindingsSnapshot {
  std::string inventory_hash;     // the packages_hash they were computed from
  std::string vulndb_generation;  // "" = no vulnerability data at the time
  std::string findings_json;      // JSON array; "" = unknown (no data, release not covered)
  TimePoint computed_at;
};

struct TrustScoreSnapshot {
  int score = 0;             // 0..100
  std::string factors_json;  // JSON array of {"factor", "points", "detail"}
  TimePoint computed_at;
};

struct DevicePosture {
  std::string device_id;
  std::optional<std::string> host_audit_json;  // JSON object as the agent sent it
  std::optional<TimePoint> host_audit_at;
  std::optional<InventorySnapshot> inventory;
  std::optional<FindingsSnapshot> findings;
  std::optional<TrustScoreSnapshot> score;
};

// The parts of a device's posture to replace; unset parts keep their stored values.
struct PostureUpdate {
  std::optional<std::string> host_audit_json;  // recorded with the update's time
  std::optional<InventorySnapshot> inventory;  // packages_json required
  std::optional<FindingsSnapshot> findings;
  std::optional<TrustScoreSnapshot> score;
};

struct TrustScorePoint {
  TimePoint at;
  int score = 0;
};

}  // namespace wott::store

#endif  // WOTT_STORE_RECORDS_H_
