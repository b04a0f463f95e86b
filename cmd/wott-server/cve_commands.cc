#include "cmd/wott-server/cve_commands.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "audit/findings_json.h"
#include "audit/inventory.h"
#include "audit/matcher.h"
#include "audit/progress_printer.h"
#include "audit/vuln_db.h"
#include "audit/vuln_import.h"
#include "base/clock.h"
#include "base/encoding.h"

namespace wott::cmd {
namespace {

using nlohmann::json;

struct ScanFlags {
  std::string dpkg_status;
  std::string os_release;
  std::string release;
  bool json = false;
  std::string severity;
  std::vector<std::string> states;
};

std::filesystem::path VulnDbPath(const GlobalFlags& global) {
  return std::filesystem::path(global.data_dir) / audit::kVulnDbFileName;
}

int RunImport(const GlobalFlags& global, const std::vector<std::string>& files) {
  std::vector<std::filesystem::path> paths(files.begin(), files.end());
  std::vector<std::unique_ptr<audit::ProgressPrinter>> printers;
  auto progress = [&printers](const std::filesystem::path& file) -> audit::ProgressFn {
    printers.push_back(std::make_unique<audit::ProgressPrinter>(stderr, file.filename().string()));
    audit::ProgressPrinter* printer = printers.back().get();
    return [printer](uint64_t done, uint64_t total) { printer->Update(done, total); };
  };
  Result<std::vector<audit::FileImport>> imported = audit::ImportVulnFiles(
      VulnDbPath(global), paths, FormatRfc3339(RealClock::Instance().Now()), progress);
  printers.clear();  // ends any progress bar line before the summary
  if (!imported.ok()) {
    std::cerr << "error: " << imported.status().message() << "\n";
    if (!imported.status().detail().empty()) {
      std::cerr << "  detail: " << imported.status().detail() << "\n";
    }
    std::cerr << "the previous vulnerability data (if any) is unchanged\n";
    return 1;
  }
  for (const audit::FileImport& f : *imported) {
    std::cout << f.file.string() << ": " << audit::ImportFormatName(f.format) << ", "
              << f.stats.vulnerabilities << " record(s), " << f.stats.advisories
              << " advisory row(s), " << f.stats.not_affected << " not-affected release(s)";
    if (f.stats.skipped > 0) {
      std::cout << ", " << f.stats.skipped << " skipped (first: " << f.stats.first_skip << ")";
    }
    std::cout << "\n";
  }
  std::cout << "vulnerability data replaced: " << VulnDbPath(global).string() << "\n";
  return 0;
}

Result<audit::MatchOptions> BuildOptions(const ScanFlags& flags) {
  audit::MatchOptions options;
  options.release = flags.release;
  options.with_descriptions = flags.json;  // the table does not show them
  if (!flags.severity.empty()) {
    Result<audit::Severity> s = audit::ParseSeverity(flags.severity);
    if (!s.ok()) return s.status().WithContext("--severity");
    options.min_severity = *s;
  }
  for (const std::string& name : flags.states) {
    Result<audit::FindingState> s = audit::ParseFindingState(name);
    if (!s.ok()) return s.status().WithContext("--state");
    options.states.insert(*s);
  }
  return options;
}

std::string Pad(std::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out + " ";
}

void PrintTable(const audit::Inventory& inventory, const std::string& release,
                const std::vector<audit::Finding>& findings) {
  std::cout << (inventory.os.pretty_name.empty() ? inventory.os.id : inventory.os.pretty_name)
            << ", release " << release << ", " << inventory.packages.size()
            << " installed package(s)\n";
  if (!findings.empty()) {
    std::cout << Pad("SEVERITY", 10) << Pad("STATE", 12) << Pad("ID", 20) << Pad("PACKAGE", 20)
              << Pad("INSTALLED", 24) << "FIXED\n";
  }
  for (const audit::Finding& f : findings) {
    std::cout << Pad(audit::SeverityName(f.severity), 10)
              << Pad(audit::FindingStateName(f.state), 12) << Pad(f.vuln_id, 20)
              << Pad(f.source_package, 20) << Pad(f.installed_version, 24)
              << (f.fixed_version.empty() ? "-" : f.fixed_version) << "\n";
  }
  std::cout << findings.size() << " finding(s):";
  for (const auto& [state, count] : audit::CountByState(findings)) {
    if (state != "total" && count > 0) std::cout << " " << state << " " << count;
  }
  std::cout << "\n";
}

int RunScan(const GlobalFlags& global, const ScanFlags& flags) {
  Result<audit::MatchOptions> options = BuildOptions(flags);
  if (!options.ok()) return PrintError(options.status());
  Result<audit::Inventory> inventory = audit::ReadInventory(flags.dpkg_status, flags.os_release);
  if (!inventory.ok()) return PrintError(inventory.status());
  Result<std::unique_ptr<audit::VulnDb>> db = audit::VulnDb::Open(VulnDbPath(global));
  if (!db.ok()) return PrintError(db.status());
  auto started = std::chrono::steady_clock::now();
  std::clock_t cpu_started = std::clock();
  Result<std::vector<audit::Finding>> findings = audit::MatchInventory(*inventory, **db, *options);
  if (!findings.ok()) return PrintError(findings.status());
  // On stderr, so that --json output stays machine-readable (bench/cve-import reads it).
  std::fprintf(
      stderr, "matched %zu installed package(s) in %.1f ms (%.1f ms CPU)\n",
      inventory->packages.size(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count(),
      1000.0 * static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC);
  std::string release =
      options->release.empty() ? inventory->os.version_codename : options->release;
  if (!flags.json) {
    PrintTable(*inventory, release, *findings);
    return 0;
  }
  json out;
  out["release"] = release;
  out["os"] = {{"id", inventory->os.id},
               {"version_id", inventory->os.version_id},
               {"pretty_name", inventory->os.pretty_name}};
  out["packages"] = inventory->packages.size();
  out["summary"] = audit::CountByState(*findings);
  out["findings"] = json::array();
  for (const audit::Finding& f : *findings) out["findings"].push_back(audit::FindingToJson(f));
  Result<audit::VulnDbStats> stats = (*db)->Stats();
  if (stats.ok()) out["data_imported_at"] = stats->imported_at;
  std::cout << out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return 0;
}

int RunInfo(const GlobalFlags& global) {
  Result<std::unique_ptr<audit::VulnDb>> db = audit::VulnDb::Open(VulnDbPath(global));
  if (!db.ok()) return PrintError(db.status());
  Result<audit::VulnDbStats> stats = (*db)->Stats();
  if (!stats.ok()) return PrintError(stats.status());
  std::cout << "file: " << VulnDbPath(global).string() << "\nimported at: " << stats->imported_at
            << "\nvulnerabilities: " << stats->vulnerabilities
            << "\nadvisory rows: " << stats->advisories << "\nreleases:";
  for (const std::string& r : stats->releases) std::cout << " " << r;
  std::cout << "\n";
  for (const audit::ImportedSource& s : stats->sources) {
    std::cout << "source: " << s.file << " (" << s.format << ", " << s.advisories
              << " advisory rows)\n";
  }
  return 0;
}

}  // namespace

void AddCveCommands(CLI::App& app, GlobalFlags& global) {
  CLI::App* cve = app.add_subcommand(
      "cve", "Vulnerability data (Debian Security Tracker, OSV) and inventory scans");
  cve->require_subcommand(1);

  auto files = std::make_shared<std::vector<std::string>>();
  CLI::App* import_cmd = cve->add_subcommand(
      "import",
      "Replace the vulnerability data with FILE... (tracker JSON or OSV, detected); all or "
      "nothing");
  import_cmd->add_option("files", *files, "Tracker JSON or OSV JSON files")->required();
  import_cmd->callback([&global, files] { global.exit_code = RunImport(global, *files); });

  auto scan = std::make_shared<ScanFlags>();
  CLI::App* scan_cmd =
      cve->add_subcommand("scan", "Match a dpkg status file against the vulnerability data");
  scan_cmd->add_option("--dpkg-status", scan->dpkg_status, "dpkg status file")->required();
  scan_cmd->add_option("--os-release", scan->os_release,
                       "os-release file (default: /etc/os-release)");
  scan_cmd->add_option("--release", scan->release,
                       "Debian codename to match (default: from os-release)");
  scan_cmd->add_flag("--json", scan->json, "JSON output");
  scan_cmd->add_option("--severity", scan->severity,
                       "Minimum severity: negligible, low, medium, high, critical");
  scan_cmd
      ->add_option("--state", scan->states,
                   "Only these states: fixable, open, no-dsa, ignored, end-of-life, "
                   "undetermined (repeat or comma-separate)")
      ->delimiter(',');
  scan_cmd->callback([&global, scan] { global.exit_code = RunScan(global, *scan); });

  CLI::App* info = cve->add_subcommand("info", "Describe the imported vulnerability data");
  info->callback([&global] { global.exit_code = RunInfo(global); });
}

}  // namespace wott::cmd
