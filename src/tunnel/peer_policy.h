// PeerPolicy: which verified peers a tunnel lets through. Rules are OR-ed, as ghostunnel's
// --allow-* flags: any certificate from our CA (allow_all), a subject CN, a SAN DNS name, a
// SAN URI (e.g. a SPIFFE ID), a wott device ID (taken from the SPIFFE URI or the
// device-name CN, parsed by pki::DeviceId, never by a regex over subject text), or a device
// listed by a central policy (--allow-policy, see policy_cache.h).
//
// Evaluate runs on a certificate whose chain, validity, EKU and revocation have already
// been verified; it only decides authorisation. A PeerPolicy is immutable after Create and
// may be used from any number of threads; the policies' allowed sets it consults are
// PolicyViews that the tunnel's supervisor updates atomically while it runs.
#ifndef WOTT_TUNNEL_PEER_POLICY_H_
#define WOTT_TUNNEL_PEER_POLICY_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ossl/unique_ptr.h"
#include "tunnel/policy_cache.h"

namespace wott::tunnel {

// What a peer certificate says about its holder, as Evaluate sees it.
struct PeerIdentity {
  std::string common_name;                // subject CN, "" when none
  std::vector<std::string> dns_names;     // SAN DNS
  std::vector<std::string> uris;          // SAN URI
  std::optional<std::string> device_hex;  // wott device ID (32 hex) when the cert is a device's
  std::string serial;                     // lowercase hex, for logs

  // "CN=<cn> serial=<hex>" (or "no CN"), for log lines.
  std::string Describe() const;
};

// Extracts the identity from a parsed certificate. The device ID comes from the SAN URI
// "spiffe://<domain>/device/<hex>", else from a CN "<hex>.d.<domain>", for `domain`.
// REQUIRES: leaf != nullptr.
PeerIdentity IdentityOf(X509* leaf, std::string_view domain);

struct PeerRules {
  bool allow_all = false;                 // any certificate that verifies against our CA
  std::vector<std::string> common_names;  // --allow-cn: exact subject CN
  std::vector<std::string> dns_names;     // --allow-dns: exact SAN DNS name
  std::vector<std::string> uris;          // --allow-uri: exact SAN URI
  std::vector<std::string> devices;       // --allow-device: hex or "<hex>.d.<domain>"
  std::vector<std::string> policies;      // --allow-policy: names of central policies
  std::string domain = "wott.local";      // the device domain for --allow-device and IDs
};

struct Decision {
  bool allowed = false;
  std::string reason;  // allowed: the rule that matched; denied: why ("no rule matched ...")
  // Denied, and an --allow-policy policy lists the peer as refused for posture: reason is
  // "posture: <the server's reason> (policy <name>)".
  bool posture = false;
};

class PeerPolicy {
 public:
  // Checks the rules: at least one rule; allow_all alone (mixing it with others is
  // ambiguous, as in ghostunnel); no empty values; device IDs and policy names that parse.
  // kInvalidArgument with a message naming the flag otherwise.
  // `views` holds the allowed set of each policy in rules.policies (name -> view); a policy
  // without a view (or whose view has no snapshot yet) allows nobody.
  using PolicyViews = std::map<std::string, std::shared_ptr<const PolicyView>>;
  static Result<PeerPolicy> Create(PeerRules rules, PolicyViews views = {});

  // Allowed when any rule matches. Denied otherwise; when a policy's current snapshot lists
  // the peer's device as refused for posture (the first such policy in name order), the
  // decision says so with the server's reason.
  Decision Evaluate(const PeerIdentity& peer) const;

  const PeerRules& rules() const { return rules_; }

 private:
  PeerPolicy(PeerRules rules, PolicyViews views)
      : rules_(std::move(rules)), views_(std::move(views)) {}
  PeerRules rules_;    // devices normalised to hex
  PolicyViews views_;  // only those of rules_.policies
};

}  // namespace wott::tunnel

#endif  // WOTT_TUNNEL_PEER_POLICY_H_
