// Trust-policy operations of the SQLite registry (see sqlite_store_impl.h and store.h).
#include <algorithm>
#include <map>
#include <string>

#include "store/rules.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/validate.h"

namespace wott::store::sqlite {
namespace {

// The policies' own columns, in ReadPolicyRow's order.
constexpr char kPolicyColumns[] =
    "name, description, version, updated_at, updated_by, min_trust_score, deny_fixable_severity";

PolicyRecord ReadPolicyRow(const Statement& stmt) {
  PolicyRecord p;
  p.name = stmt.Text(0);
  p.description = stmt.Text(1);
  p.version = stmt.Int(2);
  p.updated_at = FromUnixSeconds(stmt.Int(3));
  p.updated_by = stmt.Text(4);
  if (std::optional<int64_t> min = stmt.OptionalInt(5)) p.min_trust_score = static_cast<int>(*min);
  p.deny_fixable_severity = stmt.Text(6);
  return p;
}

// Loads the policies whose name is `name` (every policy when `name` is empty), rules
// included, by name.
Result<std::vector<PolicyRecord>> LoadPolicies(Connection& db, std::string_view name) {
  const std::string where = name.empty() ? "" : " WHERE policy = ?";
  std::map<std::string, PolicyRecord> by_name;
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare(std::string("SELECT ") + kPolicyColumns + " FROM policies" +
                                (name.empty() ? "" : " WHERE name = ?")));
    if (!name.empty()) stmt.Bind(name);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      PolicyRecord p = ReadPolicyRow(stmt);
      by_name[p.name] = std::move(p);
    }
  }
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("SELECT policy, device_id FROM policy_devices" + where));
    if (!name.empty()) stmt.Bind(name);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      auto it = by_name.find(stmt.Text(0));
      if (it != by_name.end()) it->second.allow_devices.push_back(stmt.Text(1));
    }
  }
  {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("SELECT policy, key, value FROM policy_tags" + where));
    if (!name.empty()) stmt.Bind(name);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      auto it = by_name.find(stmt.Text(0));
      if (it != by_name.end()) it->second.allow_tags.push_back(stmt.Text(1) + "=" + stmt.Text(2));
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

Result<PolicyRecord> LoadPolicy(Connection& db, std::string_view name) {
  ASSIGN_OR_RETURN(std::vector<PolicyRecord> found, LoadPolicies(db, name));
  if (found.empty()) return UnknownPolicy();
  return std::move(found.front());
}

// Removes the policy's rules (the row itself stays).
Status DeleteRules(Connection& db, std::string_view name) {
  for (const char* sql : {"DELETE FROM policy_devices WHERE policy = ?",
                          "DELETE FROM policy_tags WHERE policy = ?"}) {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
    RETURN_IF_ERROR(stmt.Bind(name).Run());
  }
  return Status::Ok();
}

}  // namespace

Result<PolicyRecord> SqliteStore::PutPolicy(const NewPolicy& policy, std::string_view actor,
                                            TimePoint now) {
  RETURN_IF_ERROR(ValidateNewPolicy(policy));
  RETURN_IF_ERROR(ValidateActor(actor));
  const NewPolicy normal = NormalizePolicy(policy);
  return Write([&](Connection& db) -> Result<PolicyRecord> {
    {
      ASSIGN_OR_RETURN(Statement upsert,
                       db.Prepare("INSERT INTO policies (name, description, version, updated_at, "
                                  "updated_by, min_trust_score, deny_fixable_severity) VALUES "
                                  "(?1, ?2, 1, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO "
                                  "UPDATE SET description = ?2, version = version + 1, "
                                  "updated_at = ?3, updated_by = ?4, min_trust_score = ?5, "
                                  "deny_fixable_severity = ?6"));
      std::optional<int64_t> min;
      if (normal.min_trust_score) min = *normal.min_trust_score;
      RETURN_IF_ERROR(upsert
                          .Bind(normal.name, normal.description, ToUnixSeconds(now), actor, min,
                                normal.deny_fixable_severity)
                          .Run());
    }
    RETURN_IF_ERROR(DeleteRules(db, normal.name));
    for (const std::string& id : normal.allow_devices) {
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO policy_devices (policy, device_id) VALUES (?, ?)"));
      RETURN_IF_ERROR(insert.Bind(normal.name, id).Run());
    }
    for (const std::string& tag : normal.allow_tags) {
      const auto [key, value] = SplitPolicyTag(tag);
      ASSIGN_OR_RETURN(Statement insert,
                       db.Prepare("INSERT INTO policy_tags (policy, key, value) VALUES (?, ?, ?)"));
      RETURN_IF_ERROR(insert.Bind(normal.name, key, value).Run());
    }
    ASSIGN_OR_RETURN(PolicyRecord stored, LoadPolicy(db, normal.name));
    const Event event = MakeEvent(now, actor, "policy.set", stored.name,
                                  "version=" + std::to_string(stored.version));
    Result<int64_t> appended = InsertEvent(db, event);
    if (!appended.ok()) return appended.status();
    return stored;
  });
}

Result<PolicyRecord> SqliteStore::GetPolicy(std::string_view name) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  return Read([&](Connection& db) { return LoadPolicy(db, name); });
}

Result<std::vector<PolicyRecord>> SqliteStore::ListPolicies() {
  return Read([&](Connection& db) { return LoadPolicies(db, ""); });
}

Status SqliteStore::DeletePolicy(std::string_view name, std::string_view actor, TimePoint now) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  RETURN_IF_ERROR(ValidateActor(actor));
  return Write([&](Connection& db) -> Status {
    RETURN_IF_ERROR(DeleteRules(db, name));
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare("DELETE FROM policies WHERE name = ?"));
    RETURN_IF_ERROR(stmt.Bind(name).Run());
    if (db.Changes() == 0) return UnknownPolicy();
    return InsertEvent(db, MakeEvent(now, actor, "policy.delete", name, "")).status();
  });
}

Result<ResolvedPolicy> SqliteStore::ResolvePolicy(std::string_view name) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  return Read([&](Connection& db) -> Result<ResolvedPolicy> {
    ResolvedPolicy out;
    ASSIGN_OR_RETURN(out.policy, LoadPolicy(db, name));
    // Two indexed lookups (by device ID; by the (key, value) tag index), UNION removes
    // devices matched twice and sorts by name (BINARY: bytewise).
    ASSIGN_OR_RETURN(
        Statement stmt,
        db.Prepare("SELECT d.name FROM policy_devices p JOIN devices d ON d.id = p.device_id "
                   "WHERE p.policy = ?1 AND d.status = 'active' "
                   "UNION "
                   "SELECT d.name FROM policy_tags p "
                   "JOIN device_tags g ON g.key = p.key AND g.value = p.value "
                   "JOIN devices d ON d.id = g.device_id "
                   "WHERE p.policy = ?1 AND d.status = 'active' ORDER BY 1"));
    stmt.Bind(name);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.allowed_devices.push_back(stmt.Text(0));
    }
    return out;
  });
}

}  // namespace wott::store::sqlite
