// The OCSP responder endpoints (RFC 6960 appendix A.1):
//   POST /v1/ocsp            body: DER OCSPRequest (Content-Type application/ocsp-request)
//   GET  /v1/ocsp/{request}  the request in base64, URL-encoded
// Both answer 200 application/ocsp-response; bad requests get an OCSP malformedRequest
// response, as OCSP clients expect, not a JSON error. Status comes from the registry.
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pki/ocsp.h"
#include "server/api_util.h"
#include "server/handlers.h"

namespace wott::server {
namespace {

constexpr std::string_view kRequestType = "application/ocsp-request";

net::HttpResponse OcspResponse(Result<std::string> der) {
  if (!der.ok()) return ErrorFor(der.status());
  net::HttpResponse response;
  response.content_type = "application/ocsp-response";
  response.body = std::move(*der);
  return response;
}

// The registry's view of a serial issued by our intermediate.
Result<pki::OcspCertStatus> LookUp(CaService& ca, std::string_view serial_hex) {
  Result<store::CertificateRecord> record = ca.registry().GetCertificate(serial_hex);
  if (!record.ok()) {
    StatusCode code = record.status().code();
    // Not found, or a serial the registry considers malformed: not one we issued.
    if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) {
      return pki::OcspCertStatus::Unknown();
    }
    spdlog::warn("ocsp: registry lookup of serial {} failed: {}", serial_hex,
                 record.status().ToString());
    return record.status();
  }
  if (record->revoked_at) {
    return pki::OcspCertStatus::Revoked(
        *record->revoked_at,
        record->revocation_reason.value_or(pki::RevocationReason::kUnspecified));
  }
  return pki::OcspCertStatus::Good();
}

net::HttpResponse Answer(CaService& ca, const pki::OcspResponder& responder,
                         std::string_view request_der) {
  return OcspResponse(responder.Respond(
      request_der, [&ca](std::string_view serial) { return LookUp(ca, serial); }));
}

net::HttpResponse HandlePost(CaService& ca, const pki::OcspResponder& responder,
                             const net::HttpRequest& request) {
  std::optional<std::string_view> type = request.headers.Get("Content-Type");
  if (type) {
    std::string_view media = type->substr(0, type->find(';'));
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    if (!net::EqualsIgnoreCase(media, kRequestType)) {
      return net::ErrorResponse(415, "unsupported_media_type",
                                "an OCSP request must be sent as application/ocsp-request");
    }
  }
  return Answer(ca, responder, request.body);
}

net::HttpResponse HandleGet(CaService& ca, const pki::OcspResponder& responder,
                            const net::HttpRequest& request) {
  Result<std::string> der = pki::OcspRequestFromBase64(request.PathParam("request"));
  if (!der.ok()) {
    return OcspResponse(pki::OcspErrorResponse(pki::OcspResponseStatus::kMalformedRequest));
  }
  return Answer(ca, responder, *der);
}

}  // namespace

Status AddOcspRoutes(net::Router& router, CaService& ca) {
  Result<std::unique_ptr<pki::OcspResponder>> created = pki::OcspResponder::Create(&ca.issuer());
  if (!created.ok()) return created.status().WithContext("OCSP responder");
  // Shared by both routes; lives as long as the router's handlers.
  std::shared_ptr<const pki::OcspResponder> responder = std::move(*created);
  RETURN_IF_ERROR(router.Add("POST", "/v1/ocsp", [&ca, responder](const net::HttpRequest& r) {
    return HandlePost(ca, *responder, r);
  }));
  RETURN_IF_ERROR(router.Add(
      "GET", "/v1/ocsp/{request}",
      [&ca, responder](const net::HttpRequest& r) { return HandleGet(ca, *responder, r); }));
  return Status::Ok();
}

}  // namespace wott::server
