#include "agent/server_api.h"

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "pki/certificate.h"

namespace wott::agent {
namespace {

using nlohmann::json;

StatusCode CodeForHttp(int status) {
  switch (status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kFailedPrecondition;
    case 413:
    case 429:
      return StatusCode::kResourceExhausted;
    default:
      return status >= 500 ? StatusCode::kUnavailable : StatusCode::kInternal;
  }
}

json ParseBody(std::string_view body) { return json::parse(body, nullptr, false); }

}  // namespace

std::string Endpoint(std::string_view server_url, std::string_view path) {
  while (server_url.ends_with('/')) server_url.remove_suffix(1);
  return std::string(server_url) + std::string(path);
}

Result<net::HttpsClient> NewServerClient(const std::string& ca_bundle_pem,
                                         const Identity* identity) {
  net::HttpsClientOptions options;
  options.ca_bundle_pem = ca_bundle_pem;
  options.max_response_body = 1024 * 1024;
  if (identity != nullptr) {
    options.client_cert_chain_pem = identity->files.client_chain;
    options.client_key_pem = identity->files.client_key;
  }
  return net::HttpsClient::Create(std::move(options));
}

std::string ServerErrorCode(const net::HttpResponse& response) {
  json j = ParseBody(response.body);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) return e["code"].get<std::string>();
  }
  return "";
}

Status ErrorFromResponse(const net::HttpResponse& response, std::string_view what) {
  std::string message = "HTTP " + std::to_string(response.status);
  json j = ParseBody(response.body);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    if (e.contains("message") && e["message"].is_string())
      message = e["message"].get<std::string>();
  }
  std::string code = ServerErrorCode(response);
  return Status(CodeForHttp(response.status), std::string(what) + ": " + message,
                "HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code));
}

Result<CertSet> CertSetFromIssued(std::string_view body, const std::string& key_pem,
                                  std::string_view expected_device_id) {
  json j = ParseBody(body);
  if (!j.is_object()) return InvalidArgument("the server's answer is not a JSON object");
  auto field = [&](const char* key) -> Result<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
      return InvalidArgument(std::string("the server's answer has no \"") + key + "\"");
    }
    return it->get<std::string>();
  };
  auto time_field = [&](const char* key) -> Result<TimePoint> {
    ASSIGN_OR_RETURN(std::string text, field(key));
    Result<TimePoint> t = ParseRfc3339(text);
    if (!t.ok()) return InvalidArgument(std::string("the server's \"") + key + "\" is not a time");
    return t;
  };
  CertSet set;
  ASSIGN_OR_RETURN(set.client_chain, field("certificate"));
  ASSIGN_OR_RETURN(set.ca_bundle, field("ca_bundle"));
  set.client_key = key_pem;
  IdentityInfo info;
  ASSIGN_OR_RETURN(info.device_id, field("device_id"));
  ASSIGN_OR_RETURN(info.serial, field("serial"));
  ASSIGN_OR_RETURN(info.not_before, time_field("not_before"));
  ASSIGN_OR_RETURN(info.not_after, time_field("not_after"));
  ASSIGN_OR_RETURN(info.renew_after, time_field("renew_after"));
  ASSIGN_OR_RETURN(info.recovery_token, field("recovery_token"));
  set.identity_json = IdentityToJson(info);

  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(set.client_chain);
  if (!chain.ok()) return chain.status().WithContext("the server's certificate");
  X509* leaf = chain->front().get();
  if (pki::CommonName(leaf) != info.device_id || pki::SerialHex(leaf) != info.serial) {
    return InvalidArgument("the server's certificate does not match its device_id and serial");
  }
  if (!expected_device_id.empty() && info.device_id != expected_device_id) {
    return InvalidArgument("the server issued a certificate for " + info.device_id +
                           " instead of " + std::string(expected_device_id));
  }
  if (Status s = CheckCertSet(set); !s.ok()) {
    return InvalidArgument("the server's answer is unusable: " + s.message(), s.detail());
  }
  return set;
}

}  // namespace wott::agent
