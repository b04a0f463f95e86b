#include "audit/osv_import.h"

#include <istream>
#include <map>
#include <nlohmann/json.hpp>

#include "audit/deb_version.h"
#include "audit/json_errors.h"

namespace wott::audit {
namespace {

using json = nlohmann::json;

const std::string* StringAt(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

std::string UrgencyOf(const json& record, const json& affected) {
  for (const json* holder : {&affected, &record}) {
    for (const char* field : {"ecosystem_specific", "database_specific"}) {
      auto it = holder->find(field);
      if (it == holder->end()) continue;
      if (const std::string* u = StringAt(*it, "urgency")) return *u;
    }
  }
  return "";
}

class RecordImporter {
 public:
  RecordImporter(VulnDbWriter& writer, ImportStats& stats) : writer_(writer), stats_(stats) {}

  Status Import(const json& record, size_t index) {
    std::string where = "record " + std::to_string(index);
    if (!record.is_object()) return InvalidArgument(where + " is not an object");
    const std::string* id = StringAt(record, "id");
    if (id == nullptr || id->empty()) return InvalidArgument(where + " has no string \"id\"");
    where += " (" + *id + ")";
    ++stats_.vulnerabilities;
    if (record.contains("withdrawn")) return Status::Ok();

    Vulnerability v;
    v.id = *id;
    v.origin = kOriginOsv;
    if (const std::string* s = StringAt(record, "summary")) v.description = *s;
    if (v.description.empty()) {
      if (const std::string* d = StringAt(record, "details")) v.description = *d;
    }
    for (const char* field : {"aliases", "upstream"}) {
      auto it = record.find(field);
      if (it == record.end() || !it->is_array()) continue;
      for (const json& a : *it) {
        if (a.is_string()) v.aliases.push_back(a.get<std::string>());
      }
    }
    auto affected = record.find("affected");
    if (affected == record.end() || !affected->is_array()) return Status::Ok();
    bool stored_vulnerability = false;
    for (const json& a : *affected) {
      auto package = a.find("package");
      if (!a.is_object() || package == a.end()) continue;
      const std::string* ecosystem = StringAt(*package, "ecosystem");
      const std::string* name = StringAt(*package, "name");
      if (ecosystem == nullptr || name == nullptr) continue;
      std::string release = DebianCodenameFromOsvEcosystem(*ecosystem);
      if (release.empty()) continue;  // another ecosystem or an unknown Debian version
      std::string urgency = UrgencyOf(record, a);
      auto ranges = a.find("ranges");
      if (ranges == a.end() || !ranges->is_array()) continue;
      for (const json& range : *ranges) {
        const std::string* type = StringAt(range, "type");
        auto events = range.is_object() ? range.find("events") : range.end();
        if (type == nullptr || *type != "ECOSYSTEM" || events == range.end() ||
            !events->is_array()) {
          continue;
        }
        if (!stored_vulnerability) {
          RETURN_IF_ERROR(writer_.AddVulnerability(v));
          stored_vulnerability = true;
        }
        RETURN_IF_ERROR(ImportRange(*events, v.id, *name, release, urgency, where));
      }
    }
    return Status::Ok();
  }

 private:
  // events: [{introduced}, {fixed}, {introduced}, ...]: each introduced opens an interval.
  Status ImportRange(const json& events, const std::string& id, const std::string& package,
                     const std::string& release, const std::string& urgency,
                     const std::string& where) {
    std::string introduced;
    bool open = false;
    auto emit = [&](const std::string& fixed) -> Status {
      for (const std::string* version :
           std::initializer_list<const std::string*>{&introduced, &fixed}) {
        if (version->empty() || *version == "0") continue;
        Result<DebVersion> parsed = ParseDebVersion(*version);
        if (!parsed.ok()) {
          if (stats_.skipped++ == 0) {
            stats_.first_skip =
                where + ", " + package + " " + release + ": " + parsed.status().message();
          }
          return Status::Ok();
        }
      }
      ++stats_.advisories;
      return writer_.AddAdvisory({id, package, release, fixed.empty() ? "open" : "resolved", fixed,
                                  introduced == "0" ? "" : introduced, urgency, "", "",
                                  kOriginOsv});
    };
    for (const json& event : events) {
      if (const std::string* s = StringAt(event, "introduced")) {
        if (open) RETURN_IF_ERROR(emit(""));
        introduced = *s;
        open = true;
      } else if (const std::string* f = StringAt(event, "fixed")) {
        if (open) RETURN_IF_ERROR(emit(*f));
        open = false;
      } else if (StringAt(event, "last_affected") != nullptr ||
                 StringAt(event, "limit") != nullptr) {
        if (stats_.skipped++ == 0) {
          stats_.first_skip = where + ", " + package + ": last_affected/limit not supported";
        }
        open = false;
      }
    }
    if (open) RETURN_IF_ERROR(emit(""));
    return Status::Ok();
  }

  VulnDbWriter& writer_;
  ImportStats& stats_;
};

}  // namespace

std::string DebianCodenameFromOsvEcosystem(std::string_view ecosystem) {
  static const std::map<std::string, std::string, std::less<>> kCodenames = {
      {"Debian:7", "wheezy"},  {"Debian:8", "jessie"},    {"Debian:9", "stretch"},
      {"Debian:10", "buster"}, {"Debian:11", "bullseye"}, {"Debian:12", "bookworm"},
      {"Debian:13", "trixie"}, {"Debian:14", "forky"}};
  auto it = kCodenames.find(ecosystem);
  return it == kCodenames.end() ? "" : it->second;
}

Result<ImportStats> ImportOsvFile(const std::filesystem::path& path, VulnDbWriter& writer,
                                  const ProgressFn& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<ImportInput> input, ImportInput::Open(path));
  bool is_array = input->PeekFirstNonBlank() == '[';
  std::istream in(input.get());
  ImportStats stats;
  RecordImporter importer(writer, stats);
  Status status;
  size_t index = 0;
  // The DOM parser's callback sees each finished array element: import it, then return
  // false so the parser drops it instead of keeping the whole array.
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (!is_array || depth != 1 ||
        (event != json::parse_event_t::object_end && event != json::parse_event_t::value &&
         event != json::parse_event_t::array_end)) {
      return true;
    }
    if (status.ok()) status = importer.Import(parsed, index);
    ++index;
    if (progress && index % 256 == 0) progress(input->consumed(), input->size());
    return false;
  };
  json root;
  try {
    root = json::parse(in, on_event);
  } catch (const json::exception& e) {
    if (!input->read_status().ok()) return input->read_status().WithContext(path.string());
    return InvalidArgument(path.string() + ": invalid JSON: " + JsonErrorText(e.what()));
  }
  if (!is_array && status.ok()) status = importer.Import(root, 0);
  if (!status.ok()) return status.WithContext(path.string());
  if (stats.advisories == 0 && stats.skipped == 0) {
    return InvalidArgument(path.string() +
                           ": no Debian advisories (OSV records with an "
                           "affected[].package.ecosystem \"Debian:<version>\")");
  }
  if (progress) progress(input->size(), input->size());
  return stats;
}

}  // namespace wott::audit
