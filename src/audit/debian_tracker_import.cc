#include "audit/debian_tracker_import.h"

#include <nlohmann/json.hpp>

#include "audit/deb_version.h"
#include "audit/json_errors.h"

namespace wott::audit {
namespace {

using json = nlohmann::json;

// A SAX handler that follows the tracker's fixed nesting and keeps one entry at a time.
class TrackerHandler : public nlohmann::json_sax<json> {
 public:
  explicit TrackerHandler(const std::function<Status(TrackerEntry&)>& on_entry)
      : on_entry_(on_entry) {}

  const Status& error() const { return error_; }
  bool saw_root() const { return saw_root_; }

  bool null() override { return Scalar(nullptr); }
  bool boolean(bool) override { return Scalar(nullptr, "a boolean"); }
  bool number_integer(number_integer_t) override { return Scalar(nullptr, "a number"); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(nullptr, "a number"); }
  bool number_float(number_float_t, const string_t&) override {
    return Scalar(nullptr, "a number");
  }
  bool string(string_t& value) override { return Scalar(&value, "a string"); }
  bool binary(binary_t&) override { return Scalar(nullptr, "binary data"); }

  bool start_object(std::size_t) override {
    if (stack_.empty()) {
      saw_root_ = true;
      stack_.push_back(Frame::kTop);
      return true;
    }
    switch (stack_.back()) {
      case Frame::kTop:
        entry_.package = key_;
        stack_.push_back(Frame::kPackage);
        return true;
      case Frame::kPackage:
        entry_.cve = key_;
        entry_.description.clear();
        entry_.scope.clear();
        entry_.releases.clear();
        stack_.push_back(Frame::kCve);
        return true;
      case Frame::kCve:
        stack_.push_back(key_ == "releases" ? Frame::kReleases : Frame::kSkip);
        return true;
      case Frame::kReleases:
        release_ = TrackerRelease();
        release_.codename = key_;
        stack_.push_back(Frame::kRelease);
        return true;
      case Frame::kRelease:
      case Frame::kSkip:
        stack_.push_back(Frame::kSkip);
        return true;
    }
    return true;
  }

  bool end_object() override {
    Frame done = stack_.back();
    stack_.pop_back();
    if (done == Frame::kRelease) {
      entry_.releases.push_back(std::move(release_));
    } else if (done == Frame::kCve) {
      Status s = on_entry_(entry_);
      if (!s.ok()) return Fail(s);
    }
    return true;
  }

  bool start_array(std::size_t) override {
    if (stack_.empty()) {
      return Fail(InvalidArgument(
          "the top level is an array, not an object of source packages (an OSV file?)"));
    }
    if (!ScalarAllowed())
      return Fail(InvalidArgument(Where() + "expected an object, got an array"));
    stack_.push_back(Frame::kSkip);
    return true;
  }

  bool end_array() override {
    stack_.pop_back();
    return true;
  }

  bool key(string_t& value) override {
    key_ = std::move(value);
    return true;
  }

  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    if (error_.ok()) error_ = InvalidArgument("invalid JSON: " + JsonErrorText(ex.what()));
    return false;
  }

 private:
  enum class Frame { kTop, kPackage, kCve, kReleases, kRelease, kSkip };

  // Whether a non-object value may appear at the current position (with the current key).
  bool ScalarAllowed() const {
    switch (stack_.back()) {
      case Frame::kTop:
      case Frame::kPackage:
      case Frame::kReleases:
        return false;
      case Frame::kCve:
        return key_ != "releases";
      case Frame::kRelease:
      case Frame::kSkip:
        return true;
    }
    return true;
  }

  std::string Where() const {
    switch (stack_.back()) {
      case Frame::kTop:
        return "package " + key_ + ": ";
      case Frame::kPackage:
        return "package " + entry_.package + ", " + key_ + ": ";
      case Frame::kCve:
        return "package " + entry_.package + ", " + entry_.cve + ", " + key_ + ": ";
      default:
        return "package " + entry_.package + ", " + entry_.cve + ", release " + release_.codename +
               ", " + key_ + ": ";
    }
  }

  bool Scalar(std::string* value, const char* kind = "null") {
    if (stack_.empty()) {
      return Fail(InvalidArgument("the top level is " + std::string(kind) +
                                  ", not an object of source packages"));
    }
    if (!ScalarAllowed()) {
      return Fail(InvalidArgument(Where() + "expected an object, got " + kind));
    }
    std::string* target = nullptr;
    if (stack_.back() == Frame::kCve) {
      if (key_ == "description") target = &entry_.description;
      if (key_ == "scope") target = &entry_.scope;
    } else if (stack_.back() == Frame::kRelease) {
      if (key_ == "status") target = &release_.status;
      if (key_ == "fixed_version") target = &release_.fixed_version;
      if (key_ == "urgency") target = &release_.urgency;
      if (key_ == "nodsa") target = &release_.nodsa;
      if (key_ == "nodsa_reason") target = &release_.nodsa_reason;
    }
    if (target == nullptr) return true;  // a field we do not use
    if (value != nullptr) {
      *target = std::move(*value);
    } else if (std::string_view(kind) != "null") {
      return Fail(InvalidArgument(Where() + "expected a string, got " + kind));
    }
    return true;
  }

  bool Fail(Status s) {
    if (error_.ok()) error_ = std::move(s);
    return false;
  }

  const std::function<Status(TrackerEntry&)>& on_entry_;
  std::vector<Frame> stack_;
  std::string key_;
  TrackerEntry entry_;
  TrackerRelease release_;
  Status error_;
  bool saw_root_ = false;
};

}  // namespace

Status ParseDebianTracker(std::istream& in, const std::function<Status(TrackerEntry&)>& on_entry) {
  TrackerHandler handler(on_entry);
  bool ok = false;
  try {
    ok = json::sax_parse(in, &handler);
  } catch (const std::exception& e) {  // nlohmann reports through exceptions in a few paths
    return InvalidArgument("invalid JSON: " + JsonErrorText(e.what()));
  }
  if (!handler.error().ok()) return handler.error();
  if (!ok) return InvalidArgument("invalid JSON");
  return Status::Ok();
}

Result<ImportStats> ImportDebianTrackerFile(const std::filesystem::path& path, VulnDbWriter& writer,
                                            const ProgressFn& progress) {
  ASSIGN_OR_RETURN(std::unique_ptr<ImportInput> input, ImportInput::Open(path));
  std::istream in(input.get());
  ImportStats stats;
  auto on_entry = [&](TrackerEntry& e) -> Status {
    ++stats.vulnerabilities;
    RETURN_IF_ERROR(writer.AddVulnerability(
        {e.cve, std::move(e.description), std::move(e.scope), {}, kOriginDebianTracker}));
    for (TrackerRelease& r : e.releases) {
      if (r.status == "resolved" && r.fixed_version == "0") {
        ++stats.not_affected;
        continue;
      }
      if (!r.fixed_version.empty()) {
        Result<DebVersion> v = ParseDebVersion(r.fixed_version);
        if (!v.ok()) {
          if (stats.skipped++ == 0) {
            stats.first_skip = "package " + e.package + ", " + e.cve + ", release " + r.codename +
                               ": fixed_version " + v.status().message();
          }
          continue;
        }
      }
      ++stats.advisories;
      RETURN_IF_ERROR(
          writer.AddAdvisory({e.cve, e.package, r.codename, r.status, r.fixed_version, "",
                              r.urgency, r.nodsa, r.nodsa_reason, kOriginDebianTracker}));
    }
    if (progress && stats.vulnerabilities % 4096 == 0) progress(input->consumed(), input->size());
    return Status::Ok();
  };
  Status parsed = ParseDebianTracker(in, on_entry);
  if (!input->read_status().ok()) parsed = input->read_status();
  if (!parsed.ok()) return parsed.WithContext(path.string());
  if (stats.vulnerabilities == 0) {
    return InvalidArgument(path.string() +
                           ": no vulnerability entries (an empty or foreign JSON file)");
  }
  if (progress) progress(input->size(), input->size());
  return stats;
}

}  // namespace wott::audit
