// Trust-policy operations of the PostgreSQL registry (see postgres_store_impl.h, store.h).
#include <algorithm>
#include <map>
#include <pqxx/row>
#include <string>

#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/rules.h"
#include "store/validate.h"

namespace wott::store::postgres {
namespace {

// Loads the policy named `name` (every policy when `name` is empty), rules included, by name.
std::vector<PolicyRecord> LoadPolicies(pqxx::transaction_base& tx, std::string_view name) {
  const std::string where = name.empty() ? "" : " WHERE policy = $1";
  const Params params = name.empty() ? Params{} : Params{P(name)};
  std::map<std::string, PolicyRecord> by_name;
  for (const pqxx::row& row :
       Exec(tx,
            std::string("SELECT name, description, version, updated_at, updated_by, "
                        "min_trust_score, deny_fixable_severity FROM policies") +
                (name.empty() ? "" : " WHERE name = $1"),
            params)) {
    PolicyRecord p;
    p.name = row[0].as<std::string>();
    p.description = row[1].as<std::string>();
    p.version = row[2].as<int64_t>();
    p.updated_at = FromUnixSeconds(row[3].as<int64_t>());
    p.updated_by = row[4].as<std::string>();
    if (!row[5].is_null()) p.min_trust_score = row[5].as<int>();
    p.deny_fixable_severity = row[6].as<std::string>();
    by_name[p.name] = std::move(p);
  }
  for (const pqxx::row& row :
       Exec(tx, "SELECT policy, device_id FROM policy_devices" + where, params)) {
    auto it = by_name.find(row[0].as<std::string>());
    if (it != by_name.end()) it->second.allow_devices.push_back(row[1].as<std::string>());
  }
  for (const pqxx::row& row :
       Exec(tx, "SELECT policy, key, value FROM policy_tags" + where, params)) {
    auto it = by_name.find(row[0].as<std::string>());
    if (it != by_name.end()) {
      it->second.allow_tags.push_back(row[1].as<std::string>() + "=" + row[2].as<std::string>());
    }
  }
  std::vector<PolicyRecord> out;
  for (auto& [n, p] : by_name) {
    // The record's order is bytewise over the strings, not the columns' order.
    std::sort(p.allow_devices.begin(), p.allow_devices.end());
    std::sort(p.allow_tags.begin(), p.allow_tags.end());
    out.push_back(std::move(p));
  }
  return out;
}

Result<PolicyRecord> LoadPolicy(pqxx::transaction_base& tx, std::string_view name) {
  std::vector<PolicyRecord> found = LoadPolicies(tx, name);
  if (found.empty()) return UnknownPolicy();
  return std::move(found.front());
}

// A PostgreSQL array literal of device IDs. REQUIRES: every ID validated (32 hex: nothing to
// quote).
std::string IdArray(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += ids[i];
  }
  return out + "}";
}

}  // namespace

Result<PolicyRecord> PostgresStore::PutPolicy(const NewPolicy& policy, std::string_view actor,
                                              TimePoint now) {
  RETURN_IF_ERROR(ValidateNewPolicy(policy));
  RETURN_IF_ERROR(ValidateActor(actor));
  const NewPolicy normal = NormalizePolicy(policy);
  return Write([&](pqxx::transaction_base& tx) -> Result<PolicyRecord> {
    // The upsert locks the row, so concurrent replacements of one policy take turns.
    Exec(
        tx,
        "INSERT INTO policies (name, description, version, updated_at, updated_by, "
        "min_trust_score, deny_fixable_severity) "
        "VALUES ($1, $2, 1, $3, $4, $5, $6) ON CONFLICT (name) DO UPDATE SET description = $2, "
        "version = policies.version + 1, updated_at = $3, updated_by = $4, "
        "min_trust_score = $5, deny_fixable_severity = $6",
        {P(normal.name), P(normal.description), P(ToUnixSeconds(now)), P(actor),
         P(normal.min_trust_score ? std::optional<int64_t>(*normal.min_trust_score) : std::nullopt),
         P(normal.deny_fixable_severity)});
    Exec(tx, "DELETE FROM policy_devices WHERE policy = $1", {P(normal.name)});
    Exec(tx, "DELETE FROM policy_tags WHERE policy = $1", {P(normal.name)});
    if (!normal.allow_devices.empty()) {
      // One statement for up to 10,000 IDs (one round trip, not one per row).
      Exec(tx, "INSERT INTO policy_devices (policy, device_id) SELECT $1, unnest($2::text[])",
           {P(normal.name), P(IdArray(normal.allow_devices))});
    }
    for (const std::string& tag : normal.allow_tags) {
      const auto [key, value] = SplitPolicyTag(tag);
      Exec(tx, "INSERT INTO policy_tags (policy, key, value) VALUES ($1, $2, $3)",
           {P(normal.name), P(key), P(value)});
    }
    ASSIGN_OR_RETURN(PolicyRecord stored, LoadPolicy(tx, normal.name));
    InsertEvent(tx, MakeEvent(now, actor, "policy.set", stored.name,
                              "version=" + std::to_string(stored.version)));
    return stored;
  });
}

Result<PolicyRecord> PostgresStore::GetPolicy(std::string_view name) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  return Read([&](pqxx::transaction_base& tx) { return LoadPolicy(tx, name); });
}

Result<std::vector<PolicyRecord>> PostgresStore::ListPolicies() {
  return Read([&](pqxx::transaction_base& tx) -> Result<std::vector<PolicyRecord>> {
    return LoadPolicies(tx, "");
  });
}

Status PostgresStore::DeletePolicy(std::string_view name, std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    // The rules go with it (ON DELETE CASCADE).
    pqxx::result deleted = Exec(tx, "DELETE FROM policies WHERE name = $1", {P(name)});
    if (deleted.affected_rows() == 0) return UnknownPolicy();
    InsertEvent(tx, MakeEvent(now, actor, "policy.delete", name, ""));
    return Status::Ok();
  });
}

Result<ResolvedPolicy> PostgresStore::ResolvePolicy(std::string_view name) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  return Read([&](pqxx::transaction_base& tx) -> Result<ResolvedPolicy> {
    ResolvedPolicy out;
    ASSIGN_OR_RETURN(out.policy, LoadPolicy(tx, name));
    // Two indexed lookups (by device ID; by the (key, value) tag index); UNION removes
    // devices matched twice; names are COLLATE "C", so the order is bytewise.
    for (const pqxx::row& row :
         Exec(tx,
              "SELECT d.name FROM policy_devices p JOIN devices d ON d.id = p.device_id "
              "WHERE p.policy = $1 AND d.status = 'active' "
              "UNION "
              "SELECT d.name FROM policy_tags p "
              "JOIN device_tags g ON g.key = p.key AND g.value = p.value "
              "JOIN devices d ON d.id = g.device_id "
              "WHERE p.policy = $1 AND d.status = 'active' ORDER BY 1",
              {P(name)})) {
      out.allowed_devices.push_back(row[0].as<std::string>());
    }
    return out;
  });
}

}  // namespace wott::store::postgres
