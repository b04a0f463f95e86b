#include "agent/heartbeat.h"

#include <nlohmann/json.hpp>

#include "agent/server_api.h"
#include "base/encoding.h"

namespace wott::agent {

Result<PingAnswer> SendHeartbeat(const AgentConfig& config, const Identity& identity,
                                 const HostInfo& host, const std::string& agent_version) {
  nlohmann::json body = {{"agent_version", agent_version},
                         {"hostname", host.hostname.substr(0, 256)},
                         {"os", host.os.substr(0, 256)},
                         {"uptime_seconds", static_cast<int64_t>(host.uptime_seconds)}};
  ASSIGN_OR_RETURN(net::HttpsClient client, NewServerClient(identity.files.ca_bundle, &identity));
  ASSIGN_OR_RETURN(
      net::HttpResponse response,
      client.PostJson(Endpoint(config.server_url, "/v1/ping"),
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  if (response.status != 200) return ErrorFromResponse(response, "heartbeat refused");
  PingAnswer answer;
  answer.body = response.body;
  nlohmann::json j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_object() && j.contains("renew_after") && j["renew_after"].is_string()) {
    if (Result<TimePoint> t = ParseRfc3339(j["renew_after"].get<std::string>()); t.ok()) {
      answer.renew_after = *t;
    }
  }
  return answer;
}

}  // namespace wott::agent
