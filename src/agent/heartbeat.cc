#include "agent/heartbeat.h"

#include <spdlog/spdlog.h>

#include "agent/inventory_state.h"
#include "agent/server_api.h"
#include "audit/host_audit.h"
#include "audit/inventory.h"
#include "audit/packages_hash.h"
#include "base/encoding.h"

namespace wott::agent {
namespace {

using nlohmann::json;

json BaseBody(const HostInfo& host, const std::string& agent_version) {
  return {{"agent_version", agent_version},
          {"hostname", host.hostname.substr(0, 256)},
          {"os", host.os.substr(0, 256)},
          {"uptime_seconds", static_cast<int64_t>(host.uptime_seconds)}};
}

Result<net::HttpResponse> Post(const net::HttpsClient& client, const AgentConfig& config,
                               const json& body) {
  return client.PostJson(Endpoint(config.server_url, "/v1/ping"),
                         body.dump(-1, ' ', false, json::error_handler_t::replace));
}

PingAnswer AnswerFrom(const net::HttpResponse& response) {
  PingAnswer answer;
  answer.body = response.body;
  json j = json::parse(response.body, nullptr, false);
  if (!j.is_object()) return answer;
  if (auto it = j.find("renew_after"); it != j.end() && it->is_string()) {
    if (Result<TimePoint> t = ParseRfc3339(it->get<std::string>()); t.ok()) answer.renew_after = *t;
  }
  if (auto it = j.find("inventory_wanted"); it != j.end() && it->is_boolean()) {
    answer.inventory_wanted = it->get<bool>();
  }
  return answer;
}

}  // namespace

Result<PingAnswer> SendHeartbeat(const AgentConfig& config, const Identity& identity,
                                 const HostInfo& host, const std::string& agent_version) {
  ASSIGN_OR_RETURN(net::HttpsClient client, NewServerClient(identity.files.ca_bundle, &identity));
  ASSIGN_OR_RETURN(net::HttpResponse response, Post(client, config, BaseBody(host, agent_version)));
  if (response.status != 200) return ErrorFromResponse(response, "heartbeat refused");
  return AnswerFrom(response);
}

json AuditBody(const json& host, const json& inventory) {
  json audit = {{"host", host}};
  if (!inventory.is_null()) audit["inventory"] = inventory;
  return audit;
}

Result<PingAnswer> SendAuditedHeartbeat(const AgentPaths& paths, const AgentConfig& config,
                                        const Identity& identity, const HostInfo& host,
                                        const std::string& agent_version) {
  if (!config.audit) return SendHeartbeat(config, identity, host, agent_version);
  const audit::HostRoot root{config.audit_root};
  const json host_json = audit::HostAuditToJson(audit::CollectHostAudit(root));
  Result<audit::Inventory> inventory = audit::ReadHostInventory(root);
  if (!inventory.ok()) {
    spdlog::warn("heartbeat: no package inventory ({}); sending the host audit only",
                 inventory.status().message());
  }
  const std::string hash = inventory.ok() ? audit::PackagesHash(inventory->packages) : "";
  Result<InventoryState> loaded = LoadInventoryState(paths);
  if (!loaded.ok()) {
    spdlog::warn("heartbeat: {}; the package list will be sent", loaded.status().message());
  }
  InventoryState state = loaded.ok() ? *loaded : InventoryState{};
  const InventoryState before = state;

  ASSIGN_OR_RETURN(net::HttpsClient client, NewServerClient(identity.files.ca_bundle, &identity));
  const json base = BaseBody(host, agent_version);
  auto post = [&](bool with_packages) {
    json body = base;
    body["audit"] = AuditBody(
        host_json, inventory.ok() ? audit::InventoryToJson(*inventory, with_packages) : json());
    return Post(client, config, body);
  };
  // A 413 (or a connection the server closed mid-body) for a body with the list: resend
  // without it and remember the refusal, so the log says it once per list.
  auto post_with_fallback = [&](bool with_packages, bool& sent) -> Result<net::HttpResponse> {
    sent = with_packages;
    Result<net::HttpResponse> response = post(with_packages);
    if (!with_packages || (response.ok() && response->status != 413)) return response;
    std::string why = response.ok() ? "413 payload too large" : response.status().message();
    response = post(false);
    sent = false;
    if (response.ok() && response->status == 200 && state.refused_hash != hash) {
      spdlog::warn(
          "heartbeat: the server refused the package list ({}; a server older than the "
          "posture update?); heartbeats go on without it until the list changes",
          why);
      state.refused_hash = hash;
    }
    return response;
  };

  bool sent = false;
  bool unsolicited =
      inventory.ok() && hash != state.acknowledged_hash && hash != state.refused_hash;
  ASSIGN_OR_RETURN(net::HttpResponse response, post_with_fallback(unsolicited, sent));
  if (response.status != 200) return ErrorFromResponse(response, "heartbeat refused");
  PingAnswer answer = AnswerFrom(response);
  int requests = 1;
  if (answer.inventory_wanted && !sent && inventory.ok()) {
    // The server asked: one more heartbeat at once, with the list.
    ASSIGN_OR_RETURN(response, post_with_fallback(true, sent));
    if (response.status != 200) return ErrorFromResponse(response, "heartbeat refused");
    answer = AnswerFrom(response);
    requests = 2;
  }
  answer.packages_sent = sent;
  answer.requests = requests;
  if (sent) {
    spdlog::info("heartbeat: package list sent ({} packages, hash {}){}",
                 inventory->packages.size(), hash, requests == 2 ? " at the server's request" : "");
  } else if (inventory.ok()) {
    spdlog::info("heartbeat: package list not sent (hash {} acknowledged or refused)", hash);
  }
  if (sent && !answer.inventory_wanted) {
    state.acknowledged_hash = hash;
    state.refused_hash.clear();
  } else if (sent) {
    spdlog::warn("heartbeat: the server still asks for the package list it was just sent");
  }
  if (state.acknowledged_hash != before.acknowledged_hash ||
      state.refused_hash != before.refused_hash) {
    if (Status s = SaveInventoryState(paths, state); !s.ok()) {
      spdlog::warn("heartbeat: cannot record the acknowledged package list: {}", s.message());
    }
  }
  return answer;
}

}  // namespace wott::agent
