#include "cmd/wott-server/db_dump_json.h"

#include <nlohmann/json.hpp>

namespace wott::cmd {
namespace {

using nlohmann::json;
using store::FromUnixSeconds;
using store::ToUnixSeconds;

// Version 2 added users, posture lines and policy requirements; version 1 dumps still read
// (they have none of them).
constexpr int kFormatVersion = 2;
constexpr int kOldestFormatVersion = 1;

json Time(TimePoint t) { return ToUnixSeconds(t); }
json OptionalTime(const std::optional<TimePoint>& t) {
  return t ? json(ToUnixSeconds(*t)) : json();
}
json OptionalReason(const std::optional<store::RevocationReason>& r) {
  return r ? json(static_cast<int>(*r)) : json();
}
json OptionalString(const std::string& s) { return s.empty() ? json() : json(s); }

// Reads typed fields from one line's object; the first problem is kept in `status`.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {}

  std::string String(const char* key) {
    const json* v = Find(key);
    if (v && !v->is_string()) Fail(key, "a string");
    return v && v->is_string() ? v->get<std::string>() : std::string();
  }
  // A string that older dumps may lack: missing or null reads as "".
  std::string OptionalString(const char* key) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return std::string();
    return String(key);
  }
  int64_t Int(const char* key) {
    const json* v = Find(key);
    if (v && !v->is_number_integer()) Fail(key, "an integer");
    return v && v->is_number_integer() ? v->get<int64_t>() : 0;
  }
  // An integer in [low, high]; `low` (with the first problem recorded) otherwise.
  int IntIn(const char* key, int low, int high) {
    const int64_t v = Int(key);
    if (v < low || v > high) {
      Fail(key, ("an integer from " + std::to_string(low) + " to " + std::to_string(high)).c_str());
      return low;
    }
    return static_cast<int>(v);
  }
  // Missing or null reads as nullopt (dumps written before the field existed).
  std::optional<int> OptionalIntIn(const char* key, int low, int high) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return std::nullopt;
    return IntIn(key, low, high);
  }
  bool IsSet(const char* key) const {
    auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }
  TimePoint Time(const char* key) { return FromUnixSeconds(Int(key)); }
  std::optional<TimePoint> OptionalTime(const char* key) {
    if (IsNull(key)) return std::nullopt;
    return Time(key);
  }
  std::optional<store::RevocationReason> OptionalReason(const char* key) {
    if (IsNull(key)) return std::nullopt;
    int64_t code = Int(key);
    std::optional<store::RevocationReason> reason =
        store::RevocationReasonFromCode(static_cast<int>(code));
    if (!reason) Fail(key, "a revocation reason code");
    return reason;
  }
  std::map<std::string, std::string> Map(const char* key) {
    std::map<std::string, std::string> out;
    const json* v = Find(key);
    if (!v) return out;
    if (!v->is_object()) {
      Fail(key, "an object of strings");
      return out;
    }
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it.value().is_string()) {
        Fail(key, "an object of strings");
        return out;
      }
      out.emplace(it.key(), it.value().get<std::string>());
    }
    return out;
  }
  std::vector<std::string> StringList(const char* key) {
    std::vector<std::string> out;
    const json* v = Find(key);
    if (!v) return out;
    bool ok = v->is_array();
    for (size_t i = 0; ok && i < v->size(); ++i) ok = (*v)[i].is_string();
    if (!ok) {
      Fail(key, "an array of strings");
      return out;
    }
    for (const json& item : *v) out.push_back(item.get<std::string>());
    return out;
  }
  // [[at, score], ...] with score 0..100; missing reads as none.
  std::vector<store::TrustScorePoint> ScoreHistory(const char* key) {
    std::vector<store::TrustScorePoint> out;
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return out;
    bool ok = it->is_array();
    for (size_t i = 0; ok && i < it->size(); ++i) {
      const json& point = (*it)[i];
      ok = point.is_array() && point.size() == 2 && point[0].is_number_integer() &&
           point[1].is_number_integer() && point[1].get<int64_t>() >= 0 &&
           point[1].get<int64_t>() <= 100;
      if (ok) {
        out.push_back(
            {FromUnixSeconds(point[0].get<int64_t>()), static_cast<int>(point[1].get<int64_t>())});
      }
    }
    if (!ok) Fail(key, "an array of [time, score 0-100] pairs");
    return out;
  }
  const Status& status() const { return status_; }

 private:
  bool IsNull(const char* key) {
    auto it = object_.find(key);
    return it != object_.end() && it->is_null();
  }
  const json* Find(const char* key) {
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (status_.ok()) status_ = InvalidArgument(std::string("missing field \"") + key + "\"");
      return nullptr;
    }
    return &*it;
  }
  void Fail(const char* key, const char* what) {
    if (status_.ok())
      status_ = InvalidArgument(std::string("field \"") + key + "\" must be " + what);
  }

  const json& object_;
  Status status_;
};

json Line(const store::EnrollmentTokenRecord& t) {
  return {{"type", "enrollment_token"},
          {"id", t.id},
          {"token_hash", t.token_hash},
          {"description", t.description},
          {"max_uses", t.max_uses},
          {"uses_left", t.uses_left},
          {"created_at", Time(t.created_at)},
          {"expires_at", Time(t.expires_at)},
          {"revoked_at", OptionalTime(t.revoked_at)},
          {"tags", t.tags},
          {"created_by", t.created_by}};
}

json Line(const store::ApiTokenRecord& a) {
  return {{"type", "api_token"},
          {"id", a.id},
          {"name", a.name},
          {"token_hash", a.token_hash},
          {"created_at", Time(a.created_at)},
          {"expires_at", OptionalTime(a.expires_at)},
          {"revoked_at", OptionalTime(a.revoked_at)},
          {"created_by", a.created_by}};
}

json Line(const store::DeviceRecord& d) {
  return {{"type", "device"},
          {"id", d.id},
          {"name", d.name},
          {"status", std::string(store::DeviceStatusName(d.status))},
          {"tags", d.tags},
          {"metadata", d.metadata},
          {"created_at", Time(d.created_at)},
          {"last_seen", OptionalTime(d.last_seen)},
          {"agent_version", d.agent.agent_version},
          {"os", d.agent.os},
          {"hostname", d.agent.hostname},
          {"uptime_seconds", d.agent.uptime_seconds},
          {"enrollment_token_id", d.enrollment_token_id},
          {"current_serial", d.current_serial},
          {"current_not_after", Time(d.current_not_after)},
          {"revoked_at", OptionalTime(d.revoked_at)},
          {"revocation_reason", OptionalReason(d.revocation_reason)},
          {"recovery_token_hash", OptionalString(d.recovery_token_hash)},
          {"previous_recovery_token_hash", OptionalString(d.previous_recovery_token_hash)}};
}

json Line(const store::CertificateRecord& c) {
  return {{"type", "certificate"},
          {"serial", c.serial},
          {"device_id", c.device_id},
          {"not_before", Time(c.not_before)},
          {"not_after", Time(c.not_after)},
          {"fingerprint", c.fingerprint},
          {"pem", c.pem},
          {"issued_at", Time(c.issued_at)},
          {"revoked_at", OptionalTime(c.revoked_at)},
          {"revocation_reason", OptionalReason(c.revocation_reason)}};
}

json Line(const store::PolicyRecord& p) {
  return {{"type", "policy"},
          {"name", p.name},
          {"description", p.description},
          {"allow_devices", p.allow_devices},
          {"allow_tags", p.allow_tags},
          {"min_trust_score", p.min_trust_score ? json(*p.min_trust_score) : json()},
          {"deny_fixable_severity", OptionalString(p.deny_fixable_severity)},
          {"version", p.version},
          {"updated_at", Time(p.updated_at)},
          {"updated_by", p.updated_by}};
}

json Line(const store::UserRecord& u) {
  return {{"type", "user"},
          {"name", u.name},
          {"password_hash", u.password_hash},
          {"created_at", Time(u.created_at)},
          {"password_changed_at", Time(u.password_changed_at)}};
}

json Line(const store::DumpedPosture& d) {
  const store::DevicePosture& p = d.posture;
  json history = json::array();
  for (const store::TrustScorePoint& point : d.history) {
    history.push_back({ToUnixSeconds(point.at), point.score});
  }
  const auto& f = p.findings;
  const auto& t = p.score;
  return {{"type", "posture"},
          {"device_id", p.device_id},
          {"host_audit", p.host_audit_json ? json(*p.host_audit_json) : json()},
          {"host_audit_at", OptionalTime(p.host_audit_at)},
          {"findings_hash", f ? json(f->inventory_hash) : json()},
          {"vulndb_generation", f ? json(f->vulndb_generation) : json()},
          {"findings", f ? json(f->findings_json) : json()},
          {"findings_at", f ? json(ToUnixSeconds(f->computed_at)) : json()},
          {"trust_score", t ? json(t->score) : json()},
          {"score_factors", t ? json(t->factors_json) : json()},
          {"scored_at", t ? json(ToUnixSeconds(t->computed_at)) : json()},
          {"score_history", std::move(history)}};
}

// One posture line; a part is present when its time is (host_audit_at, findings_at, scored_at).
void ParsePosture(Fields& f, store::DumpedPosture& d) {
  store::DevicePosture& p = d.posture;
  p.device_id = f.String("device_id");
  if (f.IsSet("host_audit_at")) {
    p.host_audit_json = f.String("host_audit");
    p.host_audit_at = f.Time("host_audit_at");
  }
  if (f.IsSet("findings_at")) {
    p.findings = store::FindingsSnapshot{f.String("findings_hash"), f.String("vulndb_generation"),
                                         f.String("findings"), f.Time("findings_at")};
  }
  if (f.IsSet("scored_at")) {
    p.score = store::TrustScoreSnapshot{f.IntIn("trust_score", 0, 100), f.String("score_factors"),
                                        f.Time("scored_at")};
  }
  d.history = f.ScoreHistory("score_history");
}

json Line(const store::Event& e) {
  return {{"type", "event"},    {"id", e.id},           {"time", Time(e.time)}, {"actor", e.actor},
          {"action", e.action}, {"subject", e.subject}, {"detail", e.detail}};
}

Status ParseLine(const json& object, const std::string& type, store::RegistryDump& dump) {
  Fields f(object);
  if (type == "enrollment_token") {
    store::EnrollmentTokenRecord& t = dump.enrollment_tokens.emplace_back();
    t.id = f.String("id");
    t.token_hash = f.String("token_hash");
    t.description = f.String("description");
    t.max_uses = f.Int("max_uses");
    t.uses_left = f.Int("uses_left");
    t.created_at = f.Time("created_at");
    t.expires_at = f.Time("expires_at");
    t.revoked_at = f.OptionalTime("revoked_at");
    t.tags = f.Map("tags");
    t.created_by = f.String("created_by");
  } else if (type == "api_token") {
    store::ApiTokenRecord& a = dump.api_tokens.emplace_back();
    a.id = f.String("id");
    a.name = f.String("name");
    a.token_hash = f.String("token_hash");
    a.created_at = f.Time("created_at");
    a.expires_at = f.OptionalTime("expires_at");
    a.revoked_at = f.OptionalTime("revoked_at");
    a.created_by = f.String("created_by");
  } else if (type == "device") {
    store::DeviceRecord& d = dump.devices.emplace_back();
    d.id = f.String("id");
    d.name = f.String("name");
    Result<store::DeviceStatus> status = store::ParseDeviceStatus(f.String("status"));
    if (!status.ok() && f.status().ok()) return status.status();
    if (status.ok()) d.status = *status;
    d.tags = f.Map("tags");
    d.metadata = f.Map("metadata");
    d.created_at = f.Time("created_at");
    d.last_seen = f.OptionalTime("last_seen");
    d.agent.agent_version = f.String("agent_version");
    d.agent.os = f.String("os");
    d.agent.hostname = f.String("hostname");
    d.agent.uptime_seconds = f.Int("uptime_seconds");
    d.enrollment_token_id = f.String("enrollment_token_id");
    d.current_serial = f.String("current_serial");
    d.current_not_after = f.Time("current_not_after");
    d.revoked_at = f.OptionalTime("revoked_at");
    d.revocation_reason = f.OptionalReason("revocation_reason");
    d.recovery_token_hash = f.OptionalString("recovery_token_hash");
    d.previous_recovery_token_hash = f.OptionalString("previous_recovery_token_hash");
  } else if (type == "certificate") {
    store::CertificateRecord& c = dump.certificates.emplace_back();
    c.serial = f.String("serial");
    c.device_id = f.String("device_id");
    c.not_before = f.Time("not_before");
    c.not_after = f.Time("not_after");
    c.fingerprint = f.String("fingerprint");
    c.pem = f.String("pem");
    c.issued_at = f.Time("issued_at");
    c.revoked_at = f.OptionalTime("revoked_at");
    c.revocation_reason = f.OptionalReason("revocation_reason");
  } else if (type == "event") {
    store::Event& e = dump.events.emplace_back();
    e.id = f.Int("id");
    e.time = f.Time("time");
    e.actor = f.String("actor");
    e.action = f.String("action");
    e.subject = f.String("subject");
    e.detail = f.String("detail");
  } else if (type == "policy") {
    store::PolicyRecord& p = dump.policies.emplace_back();
    p.name = f.String("name");
    p.description = f.String("description");
    p.allow_devices = f.StringList("allow_devices");
    p.allow_tags = f.StringList("allow_tags");
    p.min_trust_score = f.OptionalIntIn("min_trust_score", 0, 100);
    p.deny_fixable_severity = f.OptionalString("deny_fixable_severity");
    p.version = f.Int("version");
    p.updated_at = f.Time("updated_at");
    p.updated_by = f.String("updated_by");
  } else if (type == "user") {
    store::UserRecord& u = dump.users.emplace_back();
    u.name = f.String("name");
    u.password_hash = f.String("password_hash");
    u.created_at = f.Time("created_at");
    u.password_changed_at = f.Time("password_changed_at");
  } else if (type == "posture") {
    ParsePosture(f, dump.postures.emplace_back());
  } else if (type == "crl_number") {
    dump.crl_number = f.Int("value");
  } else {
    return InvalidArgument("unknown record type \"" + type.substr(0, 32) + "\"");
  }
  return f.status();
}

}  // namespace

std::string RegistryDumpToJsonLines(const store::RegistryDump& dump) {
  std::string out;
  auto add = [&](const json& line) {
    out += line.dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  };
  add({{"type", "wott-registry-dump"},
       {"version", kFormatVersion},
       {"sessions", "not exported: dashboard users log in again after the move"},
       {"package_lists", "not exported: agents send them again at their next heartbeat"}});
  for (const auto& t : dump.enrollment_tokens) add(Line(t));
  for (const auto& a : dump.api_tokens) add(Line(a));
  for (const auto& d : dump.devices) add(Line(d));
  for (const auto& c : dump.certificates) add(Line(c));
  for (const auto& e : dump.events) add(Line(e));
  for (const auto& p : dump.policies) add(Line(p));
  for (const auto& u : dump.users) add(Line(u));
  for (const auto& p : dump.postures) add(Line(p));
  add({{"type", "crl_number"}, {"value", dump.crl_number}});
  return out;
}

Result<store::RegistryDump> RegistryDumpFromJsonLines(std::string_view text) {
  store::RegistryDump dump;
  bool header = false;
  size_t number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (line.empty()) continue;
    const std::string where = "line " + std::to_string(number);
    json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded() || !object.is_object()) {
      return InvalidArgument(where + ": not a JSON object");
    }
    auto type = object.find("type");
    if (type == object.end() || !type->is_string()) {
      return InvalidArgument(where + ": missing \"type\"");
    }
    const std::string kind = type->get<std::string>();
    if (kind == "wott-registry-dump") {
      if (header || number != 1) return InvalidArgument(where + ": unexpected dump header");
      auto version = object.find("version");
      if (version == object.end() || !version->is_number_integer()) {
        return InvalidArgument(where + ": the header has no version");
      }
      if (version->get<int64_t>() < kOldestFormatVersion ||
          version->get<int64_t>() > kFormatVersion) {
        return FailedPrecondition(
            "the dump has format version " + std::to_string(version->get<int64_t>()) +
            "; this wott-server reads versions " + std::to_string(kOldestFormatVersion) + " to " +
            std::to_string(kFormatVersion));
      }
      header = true;
      continue;
    }
    if (!header) return InvalidArgument("not a wott registry dump (no header line)");
    if (Status s = ParseLine(object, kind, dump); !s.ok()) {
      return InvalidArgument(where + " (" + kind.substr(0, 32) + "): " + s.message());
    }
  }
  if (!header) return InvalidArgument("not a wott registry dump (empty file)");
  return dump;
}

}  // namespace wott::cmd
