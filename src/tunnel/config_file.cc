#include "tunnel/config_file.h"

#include <nlohmann/json.hpp>
#include <set>

#include "base/encoding.h"

namespace wott::tunnel {
namespace {

using nlohmann::json;

Status CheckKeys(const json& object, const std::set<std::string>& allowed,
                 const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (!allowed.contains(key)) return InvalidArgument(where + ": unknown field '" + key + "'");
  }
  return Status::Ok();
}

Result<std::string> String(const json& object, const char* key, const std::string& where,
                           std::string fallback = {}) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_string()) return InvalidArgument(where + "." + key + " must be a string");
  return object[key].get<std::string>();
}

Result<bool> Bool(const json& object, const char* key, const std::string& where, bool fallback) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_boolean())
    return InvalidArgument(where + "." + key + " must be true or false");
  return object[key].get<bool>();
}

Result<std::vector<std::string>> Strings(const json& object, const char* key,
                                         const std::string& where) {
  std::vector<std::string> out;
  if (!object.contains(key)) return out;
  const json& v = object[key];
  if (!v.is_array()) return InvalidArgument(where + "." + key + " must be a list of strings");
  for (const json& item : v) {
    if (!item.is_string()) return InvalidArgument(where + "." + key + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

template <typename D>
Status Duration_(const json& object, const char* key, const std::string& where, D& out) {
  if (!object.contains(key)) return Status::Ok();
  ASSIGN_OR_RETURN(std::string text, String(object, key, where));
  Result<Duration> d = ParseDuration(text);
  if (!d.ok() || *d <= Duration::zero()) {
    return InvalidArgument(where + "." + key + " '" + text +
                           "' is not a duration such as 10s or 1h");
  }
  out = std::chrono::duration_cast<D>(*d);
  return Status::Ok();
}

Result<TunnelConfig> ParseTunnel(const json& t, const std::string& where,
                                 const std::filesystem::path& certs_dir) {
  if (!t.is_object()) return InvalidArgument(where + " must be an object");
  RETURN_IF_ERROR(CheckKeys(t,
                            {"name",
                             "mode",
                             "listen",
                             "target",
                             "keystore",
                             "cacert",
                             "allow_all",
                             "allow_cn",
                             "allow_device",
                             "allow_uri",
                             "allow_dns",
                             "allow_tag",
                             "allow_policy",
                             "override_server_name",
                             "verify_device",
                             "handshake_timeout",
                             "connect_timeout",
                             "idle_timeout",
                             "max_connections",
                             "domain",
                             "unsafe_target",
                             "unsafe_listen"},
                            where));
  if (t.contains("allow_tag")) {
    return InvalidArgument(where +
                           ": allow_tag: tags live on the server: use allow_policy with a policy "
                           "that has the tag (wott-server policy set NAME --tag key=value)");
  }
  TunnelConfig c;
  ASSIGN_OR_RETURN(c.listener.name, String(t, "name", where));
  ASSIGN_OR_RETURN(std::string mode, String(t, "mode", where));
  if (mode == "server") {
    c.listener.side = Side::kServer;
  } else if (mode == "client") {
    c.listener.side = Side::kClient;
  } else {
    return InvalidArgument(where + ".mode must be \"server\" or \"client\"");
  }
  ASSIGN_OR_RETURN(c.listener.listen, String(t, "listen", where));
  ASSIGN_OR_RETURN(c.listener.target, String(t, "target", where));
  ASSIGN_OR_RETURN(std::string keystore,
                   String(t, "keystore", where, (certs_dir / "combined.pem").string()));
  ASSIGN_OR_RETURN(std::string cacert, String(t, "cacert", where, (certs_dir / "ca.crt").string()));
  c.keystore = keystore;
  c.cacert = cacert;
  ASSIGN_OR_RETURN(c.rules.allow_all, Bool(t, "allow_all", where, false));
  ASSIGN_OR_RETURN(c.rules.common_names, Strings(t, "allow_cn", where));
  ASSIGN_OR_RETURN(c.rules.uris, Strings(t, "allow_uri", where));
  ASSIGN_OR_RETURN(c.rules.dns_names, Strings(t, "allow_dns", where));
  ASSIGN_OR_RETURN(c.rules.devices, Strings(t, "allow_device", where));
  ASSIGN_OR_RETURN(c.rules.policies, Strings(t, "allow_policy", where));
  ASSIGN_OR_RETURN(std::vector<std::string> verify, Strings(t, "verify_device", where));
  if (!verify.empty()) {
    if (c.listener.side == Side::kServer) {
      return InvalidArgument(where +
                             ": verify_device is for client tunnels (servers use allow_device)");
    }
    if (!c.rules.devices.empty()) {
      return InvalidArgument(where +
                             ": allow_device is for server tunnels (clients use verify_device)");
    }
    c.rules.devices = verify;
  } else if (c.listener.side == Side::kClient && !c.rules.devices.empty()) {
    return InvalidArgument(where +
                           ": allow_device is for server tunnels (clients use verify_device)");
  }
  ASSIGN_OR_RETURN(c.listener.server_name, String(t, "override_server_name", where));
  ASSIGN_OR_RETURN(c.unsafe_target, Bool(t, "unsafe_target", where, false));
  ASSIGN_OR_RETURN(c.unsafe_listen, Bool(t, "unsafe_listen", where, false));
  ASSIGN_OR_RETURN(c.rules.domain, String(t, "domain", where, c.rules.domain));
  RETURN_IF_ERROR(Duration_(t, "handshake_timeout", where, c.listener.handshake_timeout));
  RETURN_IF_ERROR(Duration_(t, "connect_timeout", where, c.listener.connect_timeout));
  RETURN_IF_ERROR(Duration_(t, "idle_timeout", where, c.listener.idle_timeout));
  if (t.contains("max_connections")) {
    if (!t["max_connections"].is_number_integer()) {
      return InvalidArgument(where + ".max_connections must be an integer");
    }
    int64_t n = t["max_connections"].get<int64_t>();
    if (n < 1 || n > 1000000) return InvalidArgument(where + ".max_connections must be 1..1000000");
    c.listener.max_connections = static_cast<int>(n);
  }
  return c;
}

}  // namespace

Result<ServiceOptions> ParseTunnelConfig(std::string_view text,
                                         const std::filesystem::path& certs_dir) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidArgument("tunnel config: not valid JSON");
  if (!root.is_object()) return InvalidArgument("tunnel config: must be a JSON object");
  RETURN_IF_ERROR(
      CheckKeys(root, {"status", "crl", "policy", "tunnels", "io_threads"}, "tunnel config"));
  ServiceOptions options;
  ASSIGN_OR_RETURN(options.status_address, String(root, "status", "config"));
  if (root.contains("crl")) {
    const json& crl = root["crl"];
    if (!crl.is_object()) return InvalidArgument("config.crl must be an object");
    RETURN_IF_ERROR(CheckKeys(crl, {"check", "fail_open", "refresh"}, "config.crl"));
    ASSIGN_OR_RETURN(options.check_crl, Bool(crl, "check", "config.crl", true));
    ASSIGN_OR_RETURN(options.crl_fail_open, Bool(crl, "fail_open", "config.crl", false));
    RETURN_IF_ERROR(Duration_(crl, "refresh", "config.crl", options.crl_refresh));
  }
  if (root.contains("policy")) {
    const json& policy = root["policy"];
    if (!policy.is_object()) return InvalidArgument("config.policy must be an object");
    RETURN_IF_ERROR(CheckKeys(policy, {"refresh"}, "config.policy"));
    RETURN_IF_ERROR(Duration_(policy, "refresh", "config.policy", options.policy_refresh));
  }
  if (root.contains("io_threads")) {
    if (!root["io_threads"].is_number_integer() || root["io_threads"].get<int64_t>() < 1 ||
        root["io_threads"].get<int64_t>() > 64) {
      return InvalidArgument("config.io_threads must be an integer 1..64");
    }
    options.io_threads = root["io_threads"].get<int>();
  }
  if (!root.contains("tunnels") || !root["tunnels"].is_array() || root["tunnels"].empty()) {
    return InvalidArgument("config.tunnels must be a non-empty list");
  }
  for (size_t i = 0; i < root["tunnels"].size(); ++i) {
    std::string where = "config.tunnels[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(TunnelConfig t, ParseTunnel(root["tunnels"][i], where, certs_dir));
    if (t.listener.name.empty()) t.listener.name = "tunnel" + std::to_string(i + 1);
    options.tunnels.push_back(std::move(t));
  }
  RETURN_IF_ERROR(ValidateServiceOptions(options));
  return options;
}

}  // namespace wott::tunnel
