// The device's current identity, read from the certificate set: the device ID (the
// leaf's CN), serial, validity, the server's renew_after and the recovery token
// (identity.json), plus the parsed key and chain. Everything is checked on load, so a
// corrupted file is reported by name instead of being used. Thread-compatible values.
#ifndef WOTT_AGENT_IDENTITY_H_
#define WOTT_AGENT_IDENTITY_H_

#include <string>
#include <string_view>

#include "agent/cert_files.h"
#include "base/clock.h"
#include "base/result.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace wott::agent {

// identity.json: what the server said about the certificate it issued.
struct IdentityInfo {
  std::string device_id;  // "<hex>.d.<domain>"
  std::string serial;     // lowercase hex
  TimePoint not_before;
  TimePoint not_after;
  TimePoint renew_after;
  std::string recovery_token;  // one-time secret for POST /v1/recover
};

Result<IdentityInfo> ParseIdentityJson(std::string_view json);
std::string IdentityToJson(const IdentityInfo& info);

struct Identity {
  IdentityInfo info;
  CertSet files;          // the PEM texts as on disk
  pki::Certificate leaf;  // first certificate of client.crt
  pki::PrivateKey key;    // client.key
};

// Loads and checks the current set of `certs`: kNotFound when not enrolled;
// kFailedPrecondition with a message naming the broken file (client.crt corrupted, key
// not matching, identity.json not matching client.crt) and telling how to repair it.
Result<Identity> LoadIdentity(const CertFiles& certs);

}  // namespace wott::agent

#endif  // WOTT_AGENT_IDENTITY_H_
