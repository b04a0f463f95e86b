// Device-posture operations of the SQLite registry (see sqlite_store_impl.h and store.h).
#include <string>

#include "store/posture_rules.h"
#include "store/rules.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store_impl.h"
#include "store/validate.h"

namespace wott::store::sqlite {
namespace {

// The posture columns of `p` (device_posture), in ReadPosture's order; `packages` is NULL
// unless `with_packages`.
std::string PostureColumns(bool with_packages) {
  return std::string(
             "p.device_id, p.host_audit, p.host_audit_at, p.packages_hash, p.os_id, p.codename, "
             "p.package_count, ") +
         (with_packages ? "p.packages" : "NULL") +
         ", p.inventory_at, p.findings_hash, p.vulndb_generation, p.findings, p.findings_at, "
         "p.trust_score, p.score_factors, p.scored_at";
}

DevicePosture ReadPosture(const Statement& s) {
  DevicePosture p;
  p.device_id = s.Text(0);
  if (!s.IsNull(1)) {
    p.host_audit_json = s.Text(1);
    p.host_audit_at = FromUnixSeconds(s.Int(2));
  }
  if (!s.IsNull(3)) {
    InventorySnapshot& i = p.inventory.emplace();
    i.packages_hash = s.Text(3);
    i.os_id = s.Text(4);
    i.codename = s.Text(5);
    i.package_count = s.Int(6);
    i.packages_json = s.Text(7);  // "" for NULL
    i.reported_at = FromUnixSeconds(s.Int(8));
  }
  if (!s.IsNull(9)) {
    FindingsSnapshot& f = p.findings.emplace();
    f.inventory_hash = s.Text(9);
    f.vulndb_generation = s.Text(10);
    f.findings_json = s.Text(11);
    f.computed_at = FromUnixSeconds(s.Int(12));
  }
  if (!s.IsNull(13)) {
    TrustScoreSnapshot& t = p.score.emplace();
    t.score = static_cast<int>(s.Int(13));
    t.factors_json = s.Text(14);
    t.computed_at = FromUnixSeconds(s.Int(15));
  }
  return p;
}

Status Exec(Connection& db, const char* sql, auto... args) {
  ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  return stmt.Bind(args...).Run();
}

// A JSON array of device IDs for json_each. REQUIRES: every ID validated (hex: no quoting).
std::string IdJson(const std::vector<std::string>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ",\"" : "\"") + ids[i] + "\"";
  return out + "]";
}

}  // namespace

Status SqliteStore::UpdatePosture(std::string_view device_id, const PostureUpdate& u,
                                  TimePoint now) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidatePostureUpdate(u));
  return Write([&](Connection& db) -> Status {
    {
      ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM devices WHERE id = ?"));
      ASSIGN_OR_RETURN(bool row, stmt.Bind(device_id).Step());
      if (!row) return UnknownDevice();
    }
    RETURN_IF_ERROR(Exec(
        db, "INSERT INTO device_posture (device_id) VALUES (?) ON CONFLICT DO NOTHING", device_id));
    const int64_t at = ToUnixSeconds(now);
    if (u.host_audit_json) {
      RETURN_IF_ERROR(Exec(db,
                           "UPDATE device_posture SET host_audit = ?, host_audit_at = ? "
                           "WHERE device_id = ?",
                           *u.host_audit_json, at, device_id));
    }
    if (u.inventory) {
      const InventorySnapshot& i = *u.inventory;
      RETURN_IF_ERROR(Exec(db,
                           "UPDATE device_posture SET packages_hash = ?, os_id = ?, codename = ?, "
                           "package_count = ?, packages = ?, inventory_at = ? WHERE device_id = ?",
                           i.packages_hash, i.os_id, i.codename, i.package_count, i.packages_json,
                           ToUnixSeconds(i.reported_at), device_id));
    }
    if (u.findings) {
      const FindingsSnapshot& f = *u.findings;
      RETURN_IF_ERROR(Exec(db,
                           "UPDATE device_posture SET findings_hash = ?, vulndb_generation = ?, "
                           "findings = ?, findings_at = ? WHERE device_id = ?",
                           f.inventory_hash, f.vulndb_generation, f.findings_json,
                           ToUnixSeconds(f.computed_at), device_id));
    }
    if (u.score) {
      const TrustScoreSnapshot& t = *u.score;
      RETURN_IF_ERROR(Exec(db,
                           "UPDATE device_posture SET trust_score = ?, score_factors = ?, "
                           "scored_at = ? WHERE device_id = ?",
                           t.score, t.factors_json, ToUnixSeconds(t.computed_at), device_id));
      std::optional<TrustScorePoint> last;
      {
        ASSIGN_OR_RETURN(Statement stmt,
                         db.Prepare("SELECT at, score FROM trust_score_history WHERE device_id = "
                                    "? ORDER BY at DESC LIMIT 1"));
        ASSIGN_OR_RETURN(bool row, stmt.Bind(device_id).Step());
        if (row)
          last = TrustScorePoint{FromUnixSeconds(stmt.Int(0)), static_cast<int>(stmt.Int(1))};
      }
      if (TrustScoreNeedsHistoryRow(last, t.score, now)) {
        RETURN_IF_ERROR(Exec(db,
                             "INSERT INTO trust_score_history (device_id, at, score) VALUES "
                             "(?, ?, ?) ON CONFLICT (device_id, at) DO UPDATE SET score = "
                             "excluded.score",
                             device_id, at, t.score));
      }
    }
    return Status::Ok();
  });
}

Result<DevicePosture> SqliteStore::GetPosture(std::string_view device_id, bool with_packages) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  return Read([&](Connection& db) -> Result<DevicePosture> {
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT " + PostureColumns(with_packages) +
                                                " FROM device_posture p WHERE p.device_id = ?"));
    ASSIGN_OR_RETURN(bool row, stmt.Bind(device_id).Step());
    if (!row) return NoPosture();
    return ReadPosture(stmt);
  });
}

Result<std::vector<DevicePosture>> SqliteStore::ListPostures(
    const std::vector<std::string>& device_ids) {
  for (const std::string& id : device_ids) RETURN_IF_ERROR(ValidateDeviceId(id));
  return Read([&](Connection& db) -> Result<std::vector<DevicePosture>> {
    std::string sql = "SELECT " + PostureColumns(false) +
                      " FROM device_posture p JOIN devices d ON d.id = p.device_id "
                      "WHERE d.status = 'active'";
    if (!device_ids.empty()) sql += " AND p.device_id IN (SELECT value FROM json_each(?))";
    ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql + " ORDER BY p.device_id"));
    if (!device_ids.empty()) stmt.Bind(IdJson(device_ids));
    std::vector<DevicePosture> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.push_back(ReadPosture(stmt));
    }
    return out;
  });
}

Result<std::vector<TrustScorePoint>> SqliteStore::ListTrustScores(std::string_view device_id,
                                                                  int limit) {
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  RETURN_IF_ERROR(ValidateLimit(limit));
  return Read([&](Connection& db) -> Result<std::vector<TrustScorePoint>> {
    ASSIGN_OR_RETURN(Statement stmt,
                     db.Prepare("SELECT at, score FROM trust_score_history WHERE device_id = ? "
                                "ORDER BY at DESC LIMIT ?"));
    stmt.Bind(device_id, limit);
    std::vector<TrustScorePoint> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      out.insert(out.begin(),
                 TrustScorePoint{FromUnixSeconds(stmt.Int(0)), static_cast<int>(stmt.Int(1))});
    }
    return out;
  });
}

}  // namespace wott::store::sqlite
