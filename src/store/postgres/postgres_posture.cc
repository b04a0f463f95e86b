// Device-posture operations of the PostgreSQL registry (see postgres_store_impl.h, store.h).
#include <pqxx/row>
#include <string>

#include "store/postgres/pg_rows.h"
#include "store/postgres/postgres_store_impl.h"
#include "store/posture_rules.h"
#include "store/rules.h"
#include "store/validate.h"

namespace wott::store::postgres {
namespace {

// The posture columns of `p` (device_posture), in ReadPosture's order; `packages` is NULL
// unless `with_packages`.
std::string PostureColumns(bool with_packages) {
  return std::string(
             "p.device_id, p.host_audit, p.host_audit_at, p.packages_hash, p.os_id, p.codename, "
             "p.package_count, ") +
         (with_packages ? "p.packages" : "NULL::text") +
         ", p.inventory_at, p.findings_hash, p.vulndb_generation, p.findings, p.findings_at, "
         "p.trust_score, p.score_factors, p.scored_at";
}

std::string Text(const pqxx::row& r, int i) {
  return r[i].is_null() ? std::string() : r[i].as<std::string>();
}

DevicePosture ReadPosture(const pqxx::row& r) {
  DevicePosture p;
  p.device_id = r[0].as<std::string>();
  if (!r[1].is_null()) {
    p.host_audit_json = r[1].as<std::string>();
    p.host_audit_at = FromUnixSeconds(r[2].as<int64_t>());
  }
  if (!r[3].is_null()) {
    InventorySnapshot& i = p.inventory.emplace();
    i.packages_hash = r[3].as<std::string>();
    i.os_id = Text(r, 4);
    i.codename = Text(r, 5);
    i.package_count = r[6].as<int64_t>();
    i.packages_json = Text(r, 7);
    i.reported_at = FromUnixSeconds(r[8].as<int64_t>());
  }
  if (!r[9].is_null()) {
    FindingsSnapshot& f = p.findings.emplace();
    f.inventory_hash = r[9].as<std::string>();
    f.vulndb_generation = Text(r, 10);
    f.findings_json = Text(r, 11);
    f.computed_at = FromUnixSeconds(r[12].as<int64_t>());
  }
  if (!r[13].is_null()) {
    TrustScoreSnapshot& t = p.score.emplace();
    t.score = r[13].as<int>();
    t.factors_json = Text(r, 14);
    t.computed_at = FromUnixSeconds(r[15].as<int64_t>());
  }
  return p;
}

// A PostgreSQL array literal of device IDs. REQUIRES: every ID validated (hex).
std::string IdArray(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + ids[i];
  return out + "}";
}

}  // namespace

Status PostgresStore::UpdatePosture(std::string_view device_id, const PostureUpdate& u,
                                    TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidatePostureUpdate(u));
  return Write([&](pqxx::transaction_base& tx) -> Status {
    if (!Exists(tx, "SELECT 1 FROM devices WHERE id = $1", {P(device_id)})) {
      return UnknownDevice();
    }
    // Creating the row first and then updating it locks it: concurrent updates take turns.
    Exec(tx, "INSERT INTO device_posture (device_id) VALUES ($1) ON CONFLICT DO NOTHING",
         {P(device_id)});
    const int64_t at = ToUnixSeconds(now);
    if (u.host_audit_json) {
      Exec(tx, "UPDATE device_posture SET host_audit = $1, host_audit_at = $2 WHERE device_id = $3",
           {P(*u.host_audit_json), P(at), P(device_id)});
    }
    if (u.inventory) {
      const InventorySnapshot& i = *u.inventory;
      Exec(tx,
           "UPDATE device_posture SET packages_hash = $1, os_id = $2, codename = $3, "
           "package_count = $4, packages = $5, inventory_at = $6 WHERE device_id = $7",
           {P(i.packages_hash), P(i.os_id), P(i.codename), P(i.package_count), P(i.packages_json),
            P(ToUnixSeconds(i.reported_at)), P(device_id)});
    }
    if (u.findings) {
      const FindingsSnapshot& f = *u.findings;
      Exec(tx,
           "UPDATE device_posture SET findings_hash = $1, vulndb_generation = $2, findings = $3, "
           "findings_at = $4 WHERE device_id = $5",
           {P(f.inventory_hash), P(f.vulndb_generation), P(f.findings_json),
            P(ToUnixSeconds(f.computed_at)), P(device_id)});
    }
    if (u.score) {
      const TrustScoreSnapshot& t = *u.score;
      Exec(tx,
           "UPDATE device_posture SET trust_score = $1, score_factors = $2, scored_at = $3 "
           "WHERE device_id = $4",
           {P(int64_t{t.score}), P(t.factors_json), P(ToUnixSeconds(t.computed_at)), P(device_id)});
      std::optional<TrustScorePoint> last;
      pqxx::result rows = Exec(tx,
                               "SELECT at, score FROM trust_score_history WHERE device_id = $1 "
                               "ORDER BY at DESC LIMIT 1",
                               {P(device_id)});
      if (!rows.empty()) {
        last = TrustScorePoint{FromUnixSeconds(rows[0][0].as<int64_t>()), rows[0][1].as<int>()};
      }
      if (TrustScoreNeedsHistoryRow(last, t.score, now)) {
        Exec(tx,
             "INSERT INTO trust_score_history (device_id, at, score) VALUES ($1, $2, $3) "
             "ON CONFLICT (device_id, at) DO UPDATE SET score = EXCLUDED.score",
             {P(device_id), P(at), P(int64_t{t.score})});
      }
    }
    return Status::Ok();
  });
}

Result<DevicePosture> PostgresStore::GetPosture(std::string_view device_id, bool with_packages) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<DevicePosture> {
    pqxx::result rows = Exec(
        tx,
        "SELECT " + PostureColumns(with_packages) + " FROM device_posture p WHERE p.device_id = $1",
        {P(device_id)});
    if (rows.empty()) return NoPosture();
    return ReadPosture(rows[0]);
  });
}

Result<std::vector<DevicePosture>> PostgresStore::ListPostures(
    const std::vector<std::string>& device_ids) {
  for (const std::string& id : device_ids) RETURN_IF_ERROR(ValidateDeviceId(id));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<DevicePosture>> {
    std::string sql = "SELECT " + PostureColumns(false) +
                      " FROM device_posture p JOIN devices d ON d.id = p.device_id "
                      "WHERE d.status = 'active'";
    Params params;
    if (!device_ids.empty()) {
      sql += " AND p.device_id = ANY($1::text[])";
      params.push_back(P(IdArray(device_ids)));
    }
    std::vector<DevicePosture> out;
    for (const pqxx::row& row : Exec(tx, sql + " ORDER BY p.device_id", params)) {
      out.push_back(ReadPosture(row));
    }
    return out;
  });
}

Result<std::vector<TrustScorePoint>> PostgresStore::ListTrustScores(std::string_view device_id,
                                                                    int limit) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateLimit(limit));
  return ReadOne([&](pqxx::transaction_base& tx) -> Result<std::vector<TrustScorePoint>> {
    std::vector<TrustScorePoint> out;
    for (const pqxx::row& row : Exec(tx,
                                     "SELECT at, score FROM trust_score_history WHERE "
                                     "device_id = $1 ORDER BY at DESC LIMIT $2",
                                     {P(device_id), P(int64_t{limit})})) {
      out.insert(out.begin(),
                 TrustScorePoint{FromUnixSeconds(row[0].as<int64_t>()), row[1].as<int>()});
    }
    return out;
  });
}

}  // namespace wott::store::postgres
