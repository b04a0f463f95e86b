#include "agent/ca_pin.h"

#include <nlohmann/json.hpp>

#include "agent/server_api.h"
#include "net/https_client.h"
#include "pki/certificate.h"

namespace wott::agent {

Status CheckPin(std::string_view bundle_pem, std::string_view fingerprint) {
  Result<std::vector<pki::Certificate>> certs = pki::ParseCertificateChainPem(bundle_pem);
  if (!certs.ok()) return certs.status().WithContext("the server's CA bundle");
  std::string seen;
  for (const pki::Certificate& cert : *certs) {
    std::string fp = pki::Sha256Fingerprint(cert.get());
    if (fp == fingerprint && pki::IsCa(cert.get())) return Status::Ok();
    seen += (seen.empty() ? "" : ", ") + fp;
  }
  return Unauthenticated("the server's CA does not match the pinned fingerprint " +
                         std::string(fingerprint) + " (the server offers " + seen +
                         "); refusing to trust it");
}

Result<std::string> RootFingerprint(std::string_view bundle_pem) {
  ASSIGN_OR_RETURN(std::vector<pki::Certificate> certs, pki::ParseCertificateChainPem(bundle_pem));
  const pki::Certificate* pick = nullptr;
  for (const pki::Certificate& cert : certs) {
    if (!pki::IsCa(cert.get())) continue;
    if (pick == nullptr) pick = &cert;
    if (pki::SubjectString(cert.get()) == pki::IssuerString(cert.get())) {
      pick = &cert;
      break;
    }
  }
  if (pick == nullptr) return InvalidArgument("the CA file holds no CA certificate");
  return pki::Sha256Fingerprint(pick->get());
}

Result<std::string> FetchPinnedCaBundle(std::string_view server_url, std::string_view fingerprint) {
  net::HttpsClientOptions options;
  options.insecure_skip_verify_for_pinning = true;  // checked against the pin below
  options.max_response_body = 1024 * 1024;
  ASSIGN_OR_RETURN(net::HttpsClient client, net::HttpsClient::Create(std::move(options)));
  Result<net::HttpResponse> response = client.Request("GET", Endpoint(server_url, "/v1/ca-bundle"));
  if (!response.ok()) return response.status().WithContext("fetching the CA bundle");
  if (response->status != 200) return ErrorFromResponse(*response, "fetching the CA bundle");
  nlohmann::json j = nlohmann::json::parse(response->body, nullptr, false);
  if (!j.is_object() || !j.contains("ca_bundle") || !j["ca_bundle"].is_string()) {
    return InvalidArgument("the server's /v1/ca-bundle answer has no \"ca_bundle\"");
  }
  std::string bundle = j["ca_bundle"].get<std::string>();
  RETURN_IF_ERROR(CheckPin(bundle, fingerprint));
  return bundle;
}

}  // namespace wott::agent
