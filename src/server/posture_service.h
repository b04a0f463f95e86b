// PostureService: device posture on the server (issue 7). Records what heartbeats report
// (host audit, package inventory), keeps each device's findings current against
// DATA_DIR/vulndb.sqlite (recomputed when the inventory or the vulnerability-data
// generation changed), computes the trust score (audit/trust_score.h) and keeps its
// history, and renders the security, fleet CVE and policy views.
//
// Findings are brought up to date lazily: on each heartbeat of the device, and when a view
// that needs them (device security, fleet CVEs, policy requirements) reads them. A fleet
// view refreshes inline for at most its refresh budget; devices left over are served as
// stored (the previous data's findings) until their next heartbeat or view. Devices with
// the same OS release and package list share one match per data generation
// (PostureMatchMemo).
//
// Thread-safety: all methods may be called from many threads (worker threads). They block
// on the registry and on the vulnerability database.
#ifndef WOTT_SERVER_POSTURE_SERVICE_H_
#define WOTT_SERVER_POSTURE_SERVICE_H_

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "server/posture_audit.h"
#include "server/posture_findings.h"
#include "server/posture_match_memo.h"
#include "server/posture_vulndb.h"
#include "store/store.h"

namespace wott::server {

class PostureService {
 public:
  // `store` and `clock` must outlive the service. `vulndb_path` "" = no vulnerability data
  // (findings unknown, the score's CVE part neutral). `domain` names devices in views.
  PostureService(store::Store* store, const Clock* clock, std::string domain,
                 std::filesystem::path vulndb_path,
                 Duration refresh_budget = std::chrono::seconds(1));

  // Records a validated audit of an active device, brings its findings and score up to
  // date, and returns whether the server wants its package list (inventory_wanted): true
  // when the audit names a packages_hash the server holds no list for.
  Result<bool> Ingest(std::string_view device_id, const ReportedAudit& audit);

  // GET /v1/admin/devices/{id}/security (docs/API.md). kNotFound "no audit reported" when
  // the device never reported one.
  Result<nlohmann::json> SecurityJson(std::string_view device_id);

  // GET /v1/admin/cves: FleetCvesJson over the active devices, plus "pending_devices": how
  // many are shown with findings of older data (not refreshed within the budget).
  Result<nlohmann::json> FleetCves(const CveQuery& query);

  // What policy requirements look at, for the given active devices (those without any
  // posture are absent from the map).
  Result<std::map<std::string, PostureSummary>> Summaries(const std::vector<std::string>& ids);

  // The latest trust score of each of `ids` that has one (DeviceToJson).
  Result<std::map<std::string, int>> LatestScores(const std::vector<std::string>& ids);

 private:
  // Rematches and rescores the device when its stored findings or score are stale, and
  // updates `posture` (without packages) to what is stored afterwards; on error it is
  // unchanged. `after_report`: the device's host audit or inventory just changed, so the
  // score is recomputed even if it is recent.
  Status Refresh(store::DevicePosture& posture, bool after_report = false);
  // Refresh; a failure is logged and leaves `posture` as stored: a view shows the last
  // stored state, and a report is not turned away for what the server derives from it.
  void RefreshOrKeep(store::DevicePosture& posture, bool after_report = false);
  // Refresh over a list, for at most refresh_budget_; the postures not refreshed in time
  // stay as stored, and those among them whose findings are stale are counted in *pending.
  std::vector<store::DevicePosture> RefreshAll(std::vector<store::DevicePosture> list,
                                               size_t* pending = nullptr);

  store::Store* store_;
  const Clock* clock_;
  std::string domain_;
  VulnDbHandle vulndb_;
  Duration refresh_budget_;
  PostureMatchMemo memo_;
  std::atomic<uint64_t> matches_{0};

 public:
  // Inventories matched against the data so far (not counting memo hits); for tests.
  uint64_t matches_computed() const { return matches_.load(); }
};

}  // namespace wott::server

#endif  // WOTT_SERVER_POSTURE_SERVICE_H_
