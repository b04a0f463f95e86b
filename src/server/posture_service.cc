#include "server/posture_service.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "audit/matcher.h"
#include "audit/trust_score.h"
#include "base/encoding.h"
#include "pki/device_id.h"

namespace wott::server {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json ParseOr(const std::string& text, json fallback) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? fallback : j;
}

// The stored findings, or nullopt when unknown (no data, release not covered) or unreadable.
std::optional<std::vector<audit::Finding>> StoredFindings(const store::DevicePosture& p) {
  if (!p.findings || p.findings->findings_json.empty()) return std::nullopt;
  Result<std::vector<audit::Finding>> f =
      FindingsFromJson(ParseOr(p.findings->findings_json, json()));
  if (!f.ok()) {
    spdlog::warn("posture: stored findings of {} unreadable: {}", p.device_id,
                 f.status().ToString());
    return std::nullopt;
  }
  return std::move(*f);
}

// Whether the stored findings are not those of the stored inventory against `generation`.
bool FindingsStale(const store::DevicePosture& p, const std::string& generation) {
  if (!p.inventory) return false;
  return !p.findings || p.findings->inventory_hash != p.inventory->packages_hash ||
         p.findings->vulndb_generation != generation;
}

// Matches a stored inventory; nullopt when the data cannot say (release not covered, a
// non-Debian OS, a malformed stored list).
std::optional<std::vector<audit::Finding>> Match(const store::InventorySnapshot& inventory,
                                                 const audit::VulnDb& db,
                                                 std::string_view device_id) {
  audit::Inventory inv;
  inv.os.id = inventory.os_id;
  inv.os.version_codename = inventory.codename;
  Result<std::vector<audit::InstalledPackage>> packages =
      PackagesFromJson(ParseOr(inventory.packages_json, json()));
  if (!packages.ok()) {
    spdlog::warn("posture: stored package list of {} unreadable: {}", device_id,
                 packages.status().ToString());
    return std::nullopt;
  }
  inv.packages = std::move(*packages);
  Result<std::vector<audit::Finding>> findings = audit::MatchInventory(inv, db);
  if (!findings.ok()) {
    spdlog::info("posture: no findings for {}: {}", device_id, findings.status().message());
    return std::nullopt;
  }
  return std::move(*findings);
}

}  // namespace

PostureService::PostureService(store::Store* store, const Clock* clock, std::string domain,
                               std::filesystem::path vulndb_path, Duration refresh_budget)
    : store_(store),
      clock_(clock),
      domain_(std::move(domain)),
      vulndb_(std::move(vulndb_path)),
      refresh_budget_(refresh_budget) {}

Status PostureService::Refresh(store::DevicePosture& posture, bool after_report) {
  const TimePoint now = clock_->Now();
  const VulnDbSnapshot data = vulndb_.Current();
  const bool stale = FindingsStale(posture, data.generation);
  // For a view, a device whose findings are current and whose score is younger than the
  // history interval has nothing to redo: only a report (host audit, inventory) or new data
  // changes them, and a report refreshes at once. Skipping spares parsing its stored
  // findings, the bulk of a fleet view's time with large package lists.
  if (!after_report && !stale && posture.score &&
      now - posture.score->computed_at < store::kTrustScoreHistoryInterval) {
    return Status::Ok();
  }
  store::PostureUpdate update;
  std::optional<std::vector<audit::Finding>> findings;
  if (!stale) findings = StoredFindings(posture);
  if (posture.inventory) {
    if (stale) {
      if (data.db) {
        const store::InventorySnapshot& inv = *posture.inventory;
        const std::string key =
            PostureMatchMemo::Key(inv.os_id, inv.codename, inv.packages_hash, data.generation);
        if (std::optional<PostureMatchMemo::Findings> known = memo_.Find(key)) {
          findings = std::move(*known);
        } else {
          ASSIGN_OR_RETURN(store::DevicePosture full, store_->GetPosture(posture.device_id, true));
          if (full.inventory) {
            findings = Match(*full.inventory, *data.db, posture.device_id);
            ++matches_;
            // Only real answers: "cannot say" may be this device's unreadable stored list.
            if (findings) memo_.Remember(key, findings);
          }
        }
      }
      update.findings =
          store::FindingsSnapshot{posture.inventory->packages_hash, data.generation,
                                  findings ? Dump(FindingsToJson(*findings)) : "", now};
    }
  }
  const json host = posture.host_audit_json ? ParseOr(*posture.host_audit_json, json()) : json();
  const audit::TrustScore score = audit::ComputeTrustScore(host, findings ? &*findings : nullptr);
  const std::string factors = Dump(audit::TrustScoreToJson(score)["score_factors"]);
  if (!posture.score || posture.score->score != score.score ||
      posture.score->factors_json != factors ||
      now - posture.score->computed_at >= store::kTrustScoreHistoryInterval) {
    update.score = store::TrustScoreSnapshot{score.score, factors, now};
  }
  if (update.findings || update.score) {
    RETURN_IF_ERROR(store_->UpdatePosture(posture.device_id, update, now));
    if (update.findings) posture.findings = std::move(update.findings);
    if (update.score) posture.score = std::move(update.score);
  }
  return Status::Ok();
}

std::vector<store::DevicePosture> PostureService::RefreshAll(std::vector<store::DevicePosture> list,
                                                             size_t* pending) {
  const auto deadline = std::chrono::steady_clock::now() + refresh_budget_;
  const std::string generation = vulndb_.Current().generation;
  for (store::DevicePosture& p : list) {
    if (std::chrono::steady_clock::now() >= deadline) {
      if (pending && FindingsStale(p, generation)) ++*pending;
      continue;
    }
    RefreshOrKeep(p);
  }
  return list;
}

void PostureService::RefreshOrKeep(store::DevicePosture& posture, bool after_report) {
  if (Status s = Refresh(posture, after_report); !s.ok()) {
    spdlog::warn("posture: cannot bring {} up to date: {}", posture.device_id, s.ToString());
  }
}

Result<bool> PostureService::Ingest(std::string_view device_id, const ReportedAudit& audit) {
  const TimePoint now = clock_->Now();
  Result<store::DevicePosture> stored = store_->GetPosture(device_id, false);
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
  store::PostureUpdate update;
  bool wanted = false;
  if (audit.host) update.host_audit_json = Dump(*audit.host);
  if (audit.inventory) {
    const ReportedInventory& inv = *audit.inventory;
    if (inv.packages) {
      update.inventory = store::InventorySnapshot{inv.packages_hash,
                                                  inv.os_id,
                                                  inv.codename,
                                                  static_cast<int64_t>(inv.packages->size()),
                                                  Dump(PackagesToJson(*inv.packages)),
                                                  now};
    } else {
      wanted = !(stored.ok() && stored->inventory &&
                 stored->inventory->packages_hash == inv.packages_hash);
    }
  }
  if (update.host_audit_json || update.inventory) {
    RETURN_IF_ERROR(store_->UpdatePosture(device_id, update, now));
  }
  Result<store::DevicePosture> current = store_->GetPosture(device_id, false);
  if (current.status().code() == StatusCode::kNotFound) return wanted;  // nothing recorded
  if (!current.ok()) return current.status();
  // The report is recorded; what the server derives from it (findings, score) must not
  // turn the device's heartbeat away. The views try again and keep the last stored state.
  RefreshOrKeep(*current, /*after_report=*/true);
  return wanted;
}

Result<nlohmann::json> PostureService::SecurityJson(std::string_view device_id) {
  ASSIGN_OR_RETURN(store::DevicePosture p, store_->GetPosture(device_id, false));
  RefreshOrKeep(p);
  ASSIGN_OR_RETURN(std::vector<store::TrustScorePoint> history,
                   store_->ListTrustScores(device_id, 100));
  json out;
  out["trust_score"] = p.score ? json(p.score->score) : json();
  out["score_factors"] = p.score ? ParseOr(p.score->factors_json, json::array()) : json::array();
  json points = json::array();
  for (const store::TrustScorePoint& point : history) {
    points.push_back({{"at", FormatRfc3339(point.at)}, {"score", point.score}});
  }
  out["score_history"] = std::move(points);
  out["host_audit"] = p.host_audit_json ? ParseOr(*p.host_audit_json, json()) : json();
  out["host_audit_at"] = p.host_audit_at ? json(FormatRfc3339(*p.host_audit_at)) : json();
  if (p.inventory) {
    out["inventory"] = {{"os_id", p.inventory->os_id},
                        {"codename", p.inventory->codename},
                        {"packages", p.inventory->package_count},
                        {"packages_hash", p.inventory->packages_hash},
                        {"reported_at", FormatRfc3339(p.inventory->reported_at)}};
  } else {
    out["inventory"] = nullptr;
  }
  std::optional<std::vector<audit::Finding>> findings = StoredFindings(p);
  out["findings_known"] = findings.has_value();
  out["findings"] = findings ? FindingsToJson(*findings) : json::array();
  out["counts"] = FindingCountsJson(findings ? *findings : std::vector<audit::Finding>());
  return out;
}

Result<nlohmann::json> PostureService::FleetCves(const CveQuery& query) {
  ASSIGN_OR_RETURN(std::vector<store::DevicePosture> stored, store_->ListPostures({}));
  size_t pending = 0;
  std::vector<store::DevicePosture> list = RefreshAll(std::move(stored), &pending);
  std::vector<DeviceFindings> devices;
  for (const store::DevicePosture& p : list) {
    std::optional<std::vector<audit::Finding>> findings = StoredFindings(p);
    if (!findings) continue;
    Result<pki::DeviceId> id = pki::DeviceId::Parse(p.device_id, domain_);
    devices.push_back(
        {p.device_id, id.ok() ? id->Name(domain_) : p.device_id, std::move(*findings)});
  }
  json out = FleetCvesJson(devices, query);
  out["pending_devices"] = pending;
  return out;
}

Result<std::map<std::string, PostureSummary>> PostureService::Summaries(
    const std::vector<std::string>& ids) {
  std::map<std::string, PostureSummary> out;
  if (ids.empty()) return out;
  ASSIGN_OR_RETURN(std::vector<store::DevicePosture> stored, store_->ListPostures(ids));
  std::vector<store::DevicePosture> list = RefreshAll(std::move(stored));
  for (const store::DevicePosture& p : list) {
    PostureSummary s;
    s.audited = p.host_audit_json.has_value() || p.inventory.has_value();
    if (p.score) s.trust_score = p.score->score;
    if (std::optional<std::vector<audit::Finding>> findings = StoredFindings(p)) {
      if (const audit::Finding* worst = WorstFixable(*findings)) {
        s.worst_fixable = worst->severity;
        s.worst_fixable_id = worst->vuln_id;
      }
    }
    out.emplace(p.device_id, std::move(s));
  }
  return out;
}

Result<std::map<std::string, int>> PostureService::LatestScores(
    const std::vector<std::string>& ids) {
  std::map<std::string, int> out;
  if (ids.empty()) return out;
  ASSIGN_OR_RETURN(std::vector<store::DevicePosture> list, store_->ListPostures(ids));
  for (const store::DevicePosture& p : list) {
    if (p.score) out.emplace(p.device_id, p.score->score);
  }
  return out;
}

}  // namespace wott::server
