#include "tunnel/policy_cache.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "agent/identity.h"
#include "agent/server_api.h"
#include "base/file.h"
#include "pki/device_id.h"

namespace wott::tunnel {
namespace {

// "<32 hex>.d.<domain>" for any valid domain (the server names its own), or bare hex.
Result<std::string> DeviceHexOf(std::string_view entry) {
  std::string_view hex = entry.substr(0, 32);
  if (entry.size() > 32) {
    std::string_view rest = entry.substr(32);
    if (!rest.starts_with(".d.") || !pki::ValidateDomain(rest.substr(3)).ok()) {
      return InvalidArgument("not a device name");
    }
  }
  ASSIGN_OR_RETURN(pki::DeviceId id, pki::DeviceId::FromHex(hex));
  return id.hex();
}

// A reason the tunnel may print: 1..kMaxRefusedReason printable ASCII characters.
bool IsPrintableReason(const std::string& reason) {
  if (reason.empty() || reason.size() > kMaxRefusedReason) return false;
  for (char c : reason) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Status ValidatePolicyName(std::string_view name, std::string_view what) {
  bool ok = !name.empty() && name.size() <= 63 && name.front() != '-';
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) ok = false;
  }
  if (ok) return Status::Ok();
  return InvalidArgument(std::string(what) + " '" + std::string(name.substr(0, 80)) +
                         "' is not a policy name (1-63 of a-z, 0-9 and '-', not starting "
                         "with '-')");
}

Result<PolicySnapshot> ParsePolicyAnswer(std::string_view body, std::string_view name) {
  using nlohmann::json;
  json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& what) {
    return InvalidArgument("policy '" + std::string(name) + "': the server's answer " + what);
  };
  if (root.is_discarded() || !root.is_object()) return bad("is not a JSON object");
  if (!root.contains("name") || !root["name"].is_string() || root["name"] != name) {
    return bad("is for another policy");
  }
  if (!root.contains("version") || !root["version"].is_number_integer()) {
    return bad("has no integer version");
  }
  if (!root.contains("allowed_devices") || !root["allowed_devices"].is_array()) {
    return bad("has no allowed_devices list");
  }
  PolicySnapshot s;
  s.name = std::string(name);
  s.version = root["version"].get<int64_t>();
  for (const json& entry : root["allowed_devices"]) {
    if (!entry.is_string()) return bad("lists a device that is not a string");
    std::string text = entry.get<std::string>();
    Result<std::string> hex = DeviceHexOf(text);
    if (!hex.ok()) return bad("lists '" + text.substr(0, 80) + "', which is not a device name");
    s.device_hex.insert(*hex);
    s.device_names.push_back(std::move(text));
  }
  // Optional: a server without posture requirements (or an older one) does not send it.
  if (root.contains("refused_devices")) {
    const json& refused = root["refused_devices"];
    if (!refused.is_array()) return bad("has a refused_devices that is not a list");
    if (refused.size() > kMaxRefusedDevices) {
      return bad("lists more than " + std::to_string(kMaxRefusedDevices) + " refused devices");
    }
    for (const json& entry : refused) {
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
          !entry.contains("reason") || !entry["reason"].is_string()) {
        return bad("lists a refused device without a name and a reason");
      }
      std::string text = entry["name"].get<std::string>();
      Result<std::string> hex = DeviceHexOf(text);
      if (!hex.ok()) {
        return bad("lists refused '" + text.substr(0, 80) + "', which is not a device name");
      }
      std::string reason = entry["reason"].get<std::string>();
      if (!IsPrintableReason(reason)) {
        return bad("gives refused '" + text.substr(0, 80) + "' a reason that is empty, over " +
                   std::to_string(kMaxRefusedReason) + " characters or not printable");
      }
      s.refused[*hex] = std::move(reason);
    }
  }
  return s;
}

bool PolicyView::Allows(const std::string& device_hex) const {
  std::shared_ptr<const PolicySnapshot> s = Current();
  return s != nullptr && s->device_hex.contains(device_hex);
}

std::optional<std::string> PolicyView::RefusedReason(const std::string& device_hex) const {
  std::shared_ptr<const PolicySnapshot> s = Current();
  if (s == nullptr) return std::nullopt;
  auto it = s->refused.find(device_hex);
  if (it == s->refused.end()) return std::nullopt;
  return it->second;
}

PolicyCache::PolicyCache(std::string name, Fetch fetch, const Clock* clock,
                         Duration refresh_interval)
    : name_(std::move(name)),
      fetch_(std::move(fetch)),
      clock_(clock),
      refresh_interval_(refresh_interval) {}

bool PolicyCache::MaybeRefresh() {
  if (last_attempt_ && clock_->Now() < *last_attempt_ + refresh_interval_) return false;
  return Refresh();
}

bool PolicyCache::Refresh() {
  TimePoint now = clock_->Now();
  last_attempt_ = now;
  std::shared_ptr<const PolicySnapshot> current = view_->Current();
  Result<PolicyAnswer> answer = fetch_(name_, current ? current->etag : std::string());
  Result<PolicySnapshot> next = InvalidArgument("");
  if (answer.ok() && answer->not_modified) {
    if (current == nullptr) {
      next = InvalidArgument("policy '" + name_ + "': 304 Not Modified before any policy");
    }
  } else if (answer.ok()) {
    next = ParsePolicyAnswer(answer->body, name_);
  } else {
    next = answer.status();
  }
  bool unchanged = answer.ok() && answer->not_modified && current != nullptr;
  if (!unchanged && !next.ok()) {
    failed_.fetch_add(1, std::memory_order_relaxed);
    std::string error = next.status().message();
    if (error != last_error_) {
      spdlog::warn("tunnel: cannot refresh policy '{}' ({}): {}", name_,
                   current ? "keeping version " + std::to_string(current->version)
                           : "allowing nobody until it is fetched",
                   error);
    }
    last_error_ = std::move(error);
    return false;
  }
  if (!last_error_.empty()) spdlog::info("tunnel: policy '{}' fetched again", name_);
  last_error_.clear();
  last_success_ = now;
  if (unchanged) {
    not_modified_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  ok_.fetch_add(1, std::memory_order_relaxed);
  next->etag = answer->etag;
  next->fetched_at = now;
  bool changed = current == nullptr || current->device_hex != next->device_hex;
  spdlog::info("tunnel: policy '{}' version {}: {} device(s){}{}", name_, next->version,
               next->device_hex.size(),
               next->refused.empty()
                   ? std::string()
                   : ", " + std::to_string(next->refused.size()) + " refused for posture",
               changed ? "" : " (same devices)");
  view_->Set(std::make_shared<const PolicySnapshot>(std::move(*next)));
  return changed;
}

Result<PolicyAnswer> FetchPolicyFromServer(const agent::AgentPaths& paths, const std::string& name,
                                           const std::string& if_none_match) {
  RETURN_IF_ERROR(ValidatePolicyName(name));
  ASSIGN_OR_RETURN(agent::AgentConfig config, agent::LoadAgentConfig(paths));
  ASSIGN_OR_RETURN(agent::Identity identity, agent::LoadIdentity(agent::CertFiles(paths.certs)));
  ASSIGN_OR_RETURN(net::HttpsClient client,
                   agent::NewServerClient(identity.files.ca_bundle, &identity));
  net::HttpHeaders headers;
  if (!if_none_match.empty()) headers.Set("If-None-Match", if_none_match);
  ASSIGN_OR_RETURN(net::HttpResponse response,
                   client.Request("GET", agent::Endpoint(config.server_url, "/v1/policies/" + name),
                                  {}, headers));
  PolicyAnswer answer;
  if (response.status == 304) {
    answer.not_modified = true;
    return answer;
  }
  if (response.status != 200) {
    return agent::ErrorFromResponse(response, "fetching policy '" + name + "'");
  }
  answer.etag = std::string(response.headers.Get("ETag").value_or(""));
  answer.body = std::move(response.body);
  return answer;
}

}  // namespace wott::tunnel
