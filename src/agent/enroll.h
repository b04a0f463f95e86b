// First enrollment: make a key on the device, establish trust in the server (a pinned
// root fingerprint or a CA file), send a CSR with the enrollment token, and install the
// issued set. The private key never leaves the device. Not thread-safe with other agent
// commands on the same directory (it takes the directory lock).
#ifndef WOTT_AGENT_ENROLL_H_
#define WOTT_AGENT_ENROLL_H_

#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/identity.h"
#include "base/clock.h"
#include "base/result.h"
#include "pki/key.h"

namespace wott::agent {

struct EnrollOptions {
  // "https://host:port" of wott-server. Required.
  std::string server_url;
  // The enrollment token from `wott-server token create`. Required.
  std::string token;
  // Exactly one of these: the root's SHA-256 (any case, colons allowed) or a PEM file
  // with the CA certificate(s) to trust.
  std::string ca_fingerprint;
  std::string ca_file;
  pki::KeyType key_type = pki::KeyType::kP256;
  // Sent as metadata; "" = this machine's host name.
  std::string hostname;
  // Enroll again even when DIR already holds an identity (a new device ID).
  bool force = false;
  // Stored in agent.json's on_renew.
  std::vector<std::string> on_renew;
};

// Enrolls and writes DIR/agent.json, DIR/state.json and a new generation in DIR/certs.
// Refuses (kAlreadyExists, naming the current ID) when already enrolled and !force.
// Fails before writing anything on bad options, an unreachable server, a pin mismatch or
// a refused token (the server's message); kPermissionDenied when DIR is not writable
// (checked before the token is spent). Returns the new identity.
Result<Identity> Enroll(const AgentPaths& paths, const EnrollOptions& options);

}  // namespace wott::agent

#endif  // WOTT_AGENT_ENROLL_H_
