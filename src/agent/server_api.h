// What the agent shares for talking to wott-server: building the HTTPS client (pinned CA
// bundle, optional mTLS identity), turning an error answer into a Status, and turning an
// issued-certificate answer (enroll, renew, recover) into a checked CertSet. Stateless;
// thread-safe.
#ifndef WOTT_AGENT_SERVER_API_H_
#define WOTT_AGENT_SERVER_API_H_

#include <string>
#include <string_view>

#include "agent/cert_files.h"
#include "agent/identity.h"
#include "base/result.h"
#include "net/http.h"
#include "net/https_client.h"

namespace wott::agent {

// "https://host:port" + "/v1/renew", tolerating a trailing slash on the base.
std::string Endpoint(std::string_view server_url, std::string_view path);

// A client that trusts only `ca_bundle_pem`; with `identity`, it presents the device's
// certificate (mTLS).
Result<net::HttpsClient> NewServerClient(const std::string& ca_bundle_pem,
                                         const Identity* identity = nullptr);

// The Status for a non-2xx answer: the HTTP status maps to a code (401 kUnauthenticated,
// 403 kPermissionDenied, 404 kNotFound, 409 kFailedPrecondition, 5xx kUnavailable, ...);
// the message is "<what>: <server's message>", the server's error code goes in the detail.
Status ErrorFromResponse(const net::HttpResponse& response, std::string_view what);
// The server's error code ("permission_denied", "device_revoked", ...) or "".
std::string ServerErrorCode(const net::HttpResponse& response);

// Checks an issued-certificate answer and builds the set to install: the chain must hold
// `key_pem`'s public key and verify with the answer's ca_bundle, and when
// `expected_device_id` is not empty the CN must be that ID (renewal keeps the identity).
// kInvalidArgument naming what is wrong; nothing is written.
Result<CertSet> CertSetFromIssued(std::string_view body, const std::string& key_pem,
                                  std::string_view expected_device_id);

}  // namespace wott::agent

#endif  // WOTT_AGENT_SERVER_API_H_
