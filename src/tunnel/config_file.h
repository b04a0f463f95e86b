// The `wott-agent tunnel --config FILE` format: several tunnels in one process, as JSON.
// Field names follow the command-line flags (see docs/TUNNEL.md):
//   {
//     "status": "127.0.0.1:9100",                       // optional
//     "crl": {"check": true, "fail_open": false, "refresh": "1h"},   // optional
//     "policy": {"refresh": "5s"},                      // optional
//     "tunnels": [
//       {"name": "web", "mode": "server", "listen": "0.0.0.0:8443", "target": "127.0.0.1:8080",
//        "keystore": "...", "cacert": "...",              // optional (agent's files)
//        "allow_all": false, "allow_cn": [], "allow_device": [], "allow_uri": [],
//        "allow_dns": [], "allow_policy": [],             // server
//        "override_server_name": "", "verify_device": [], // client
//        "handshake_timeout": "10s", "connect_timeout": "10s", "idle_timeout": "1h",
//        "max_connections": 1024, "domain": "wott.local",
//        "unsafe_target": false, "unsafe_listen": false}
//     ]
//   }
// Pure parsing: unknown fields, wrong types and bad durations are kInvalidArgument naming
// the field (a typo must not silently widen access). Thread-compatible.
#ifndef WOTT_TUNNEL_CONFIG_FILE_H_
#define WOTT_TUNNEL_CONFIG_FILE_H_

#include <filesystem>
#include <string_view>

#include "base/result.h"
#include "tunnel/tunnel_service.h"

namespace wott::tunnel {

// Parses the JSON text. Keystore/cacert left out default to `certs_dir`/combined.pem and
// `certs_dir`/ca.crt. Also runs ValidateServiceOptions.
Result<ServiceOptions> ParseTunnelConfig(std::string_view json,
                                         const std::filesystem::path& certs_dir);

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_CONFIG_FILE_H_
