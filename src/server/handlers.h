// The API handlers, one per endpoint (each in its own .cc). Each parses the request, calls
// the domain layer, and renders JSON; errors go through ErrorFor (api_util.h). The routes
// that bind them to paths are all listed in routes.cc. Handlers run on worker threads.
#ifndef WOTT_SERVER_HANDLERS_H_
#define WOTT_SERVER_HANDLERS_H_

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "net/router.h"
#include "server/ca_service.h"

namespace wott::server {

// GET /v1/ca-bundle (and /v0.2/ca-bundle): {"ca_bundle": PEM}. Public.
net::HttpResponse HandleCaBundle(CaService& ca, const net::HttpRequest& request);

// POST /v1/enroll {"token", "csr", "hostname"?, "os"?} -> IssuedToJson. Public (token).
net::HttpResponse HandleEnroll(CaService& ca, const net::HttpRequest& request);

// POST /v1/renew {"csr"} over mTLS with the current certificate -> IssuedToJson.
net::HttpResponse HandleRenew(CaService& ca, const net::HttpRequest& request);

// POST /v1/recover {"recovery_token", "csr", "expired_certificate"} -> IssuedToJson.
net::HttpResponse HandleRecover(CaService& ca, const net::HttpRequest& request);

// GET /v1/crl: the CRL, DER, application/pkix-crl. Public.
net::HttpResponse HandleCrl(CaService& ca, const net::HttpRequest& request);

// POST /v1/ocsp and GET /v1/ocsp/{request} (RFC 6960 A.1): the OCSP responder, answering
// from the registry, signed by a delegated responder certificate it issues itself (see
// pki/ocsp.h). Public. Fails when that certificate cannot be issued.
Status AddOcspRoutes(net::Router& router, CaService& ca);

// GET /v1/devices/{id}/certificate: the device's current certificate (PEM in JSON).
// {id} is the hex ID or the full name. Public: certificates are public data.
net::HttpResponse HandleDeviceCertificate(CaService& ca, const net::HttpRequest& request);

// POST /v1/ping {"agent_version"?, "hostname"?, "os"?, "uptime_seconds"?, "audit"?} over
// mTLS: the agent's heartbeat. Records last_seen and the report (Store::TouchLastSeen, no
// event), the audit when present (PostureService::Ingest), and answers {"device_id",
// "server_time", "not_after", "renew_after", "inventory_wanted"} about the device's
// current certificate. A malformed audit is a 400 naming the field, recording nothing. 401 without
// the certificate of a registered device, 403 "device_revoked" / "device_deleted", 400 for a
// malformed body (strings over 256 bytes, a negative uptime).
net::HttpResponse HandlePing(CaService& ca, const net::HttpRequest& request);

// GET /v1/policies/{name} over mTLS (the certificate of an active device, unrevoked):
// {"name", "version", "allowed_devices" (names of the active devices the policy allows,
// sorted), "generated_at"} with an ETag over everything but generated_at and
// Cache-Control: no-store; 304 with no body when If-None-Match matches. 401 without a device
// certificate, 403 "device_revoked" / "device_deleted" / "certificate_revoked", 400 for a
// malformed name, 404 "not_found" for an unknown policy.
net::HttpResponse HandleGetPolicy(CaService& ca, const net::HttpRequest& request);

// GET /healthz: {"status": "ok"} when the registry answers, 503 otherwise.
net::HttpResponse HandleHealth(CaService& ca, const net::HttpRequest& request);

// The body of a successful enroll / renew / recover:
// {"device_id", "serial", "certificate", "ca_bundle", "not_before", "not_after",
//  "renew_after", "recovery_token"} with RFC 3339 times.
nlohmann::json IssuedToJson(const IssuedCertificate& issued);

}  // namespace wott::server

#endif  // WOTT_SERVER_HANDLERS_H_
