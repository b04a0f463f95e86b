#include "agent/identity.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"

namespace wott::agent {
namespace {

using nlohmann::json;

Result<std::string> RequiredString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return InvalidArgument(std::string("identity.json: \"") + key +
                           "\" is missing or not a string");
  }
  return it->get<std::string>();
}

Result<TimePoint> RequiredTime(const json& j, const char* key) {
  ASSIGN_OR_RETURN(std::string text, RequiredString(j, key));
  Result<TimePoint> t = ParseRfc3339(text);
  if (!t.ok()) {
    return InvalidArgument(std::string("identity.json: \"") + key + "\" is not an RFC 3339 time");
  }
  return t;
}

}  // namespace

Result<IdentityInfo> ParseIdentityJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("identity.json is not a JSON object");
  }
  IdentityInfo info;
  ASSIGN_OR_RETURN(info.device_id, RequiredString(j, "device_id"));
  ASSIGN_OR_RETURN(info.serial, RequiredString(j, "serial"));
  ASSIGN_OR_RETURN(info.not_before, RequiredTime(j, "not_before"));
  ASSIGN_OR_RETURN(info.not_after, RequiredTime(j, "not_after"));
  ASSIGN_OR_RETURN(info.renew_after, RequiredTime(j, "renew_after"));
  ASSIGN_OR_RETURN(info.recovery_token, RequiredString(j, "recovery_token"));
  return info;
}

std::string IdentityToJson(const IdentityInfo& info) {
  json j = {{"device_id", info.device_id},
            {"serial", info.serial},
            {"not_before", FormatRfc3339(info.not_before)},
            {"not_after", FormatRfc3339(info.not_after)},
            {"renew_after", FormatRfc3339(info.renew_after)},
            {"recovery_token", info.recovery_token}};
  return j.dump(2) + "\n";
}

Result<Identity> LoadIdentity(const CertFiles& certs) {
  ASSIGN_OR_RETURN(CertSet files, certs.ReadCurrent());
  const std::string where = certs.dir().string() + "/";
  const std::string repair = " (re-enroll with: wott-agent enroll --force ...)";
  auto broken = [&](std::string_view file, const Status& s) {
    return FailedPrecondition(where + std::string(file) + " is corrupted: " + s.message() + repair,
                              s.detail());
  };
  Identity id;
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(files.client_chain);
  if (!chain.ok()) return broken(kClientCertFile, chain.status());
  id.leaf = std::move(chain->front());
  Result<pki::PrivateKey> key = pki::PrivateKeyFromPem(files.client_key);
  if (!key.ok()) return broken(kClientKeyFile, key.status());
  id.key = std::move(*key);
  Result<IdentityInfo> info = ParseIdentityJson(files.identity_json);
  if (!info.ok()) return broken(kIdentityFile, info.status());
  id.info = std::move(*info);
  if (Status s = CheckCertSet(files); !s.ok()) {
    return FailedPrecondition(
        certs.dir().string() + " holds a broken certificate set: " + s.message() + repair,
        s.detail());
  }
  const std::string cn = pki::CommonName(id.leaf.get());
  if (cn.empty() || pki::SerialHex(id.leaf.get()) != id.info.serial || cn != id.info.device_id) {
    return FailedPrecondition(where + std::string(kIdentityFile) + " does not match " +
                              std::string(kClientCertFile) + repair);
  }
  // The certificate is the authority for what it says.
  id.info.not_before = pki::NotBefore(id.leaf.get());
  id.info.not_after = pki::NotAfter(id.leaf.get());
  id.files = std::move(files);
  return id;
}

}  // namespace wott::agent
