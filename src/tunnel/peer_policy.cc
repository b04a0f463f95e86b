#include "tunnel/peer_policy.h"

#include <algorithm>

#include "pki/certificate.h"
#include "pki/device_id.h"

namespace wott::tunnel {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

Status NoEmpty(const std::vector<std::string>& values, std::string_view flag) {
  for (const std::string& v : values) {
    if (v.empty()) return InvalidArgument(std::string(flag) + " needs a value");
  }
  return Status();
}

}  // namespace

std::string PeerIdentity::Describe() const {
  std::string out = common_name.empty() ? "no CN" : "CN=" + common_name;
  if (!serial.empty()) out += " serial=" + serial;
  return out;
}

PeerIdentity IdentityOf(X509* leaf, std::string_view domain) {
  PeerIdentity id;
  id.common_name = pki::CommonName(leaf);
  id.dns_names = pki::DnsNames(leaf);
  id.uris = pki::UriNames(leaf);
  id.serial = pki::SerialHex(leaf);
  for (const std::string& uri : id.uris) {
    Result<pki::DeviceId> device = pki::DeviceId::FromSpiffeUri(uri, domain);
    if (device.ok()) {
      id.device_hex = device->hex();
      return id;
    }
  }
  Result<pki::DeviceId> device = pki::DeviceId::FromName(id.common_name, domain);
  if (device.ok()) id.device_hex = device->hex();
  return id;
}

Result<PeerPolicy> PeerPolicy::Create(PeerRules rules, PolicyViews views) {
  bool any_named = !rules.common_names.empty() || !rules.dns_names.empty() || !rules.uris.empty() ||
                   !rules.devices.empty() || !rules.policies.empty();
  if (rules.allow_all && any_named) {
    return InvalidArgument("--allow-all cannot be combined with other --allow-* rules");
  }
  if (!rules.allow_all && !any_named) {
    return InvalidArgument(
        "no access rule: give --allow-all or at least one of --allow-cn, --allow-dns, "
        "--allow-uri, --allow-device, --allow-policy");
  }
  RETURN_IF_ERROR(NoEmpty(rules.common_names, "--allow-cn"));
  RETURN_IF_ERROR(NoEmpty(rules.dns_names, "--allow-dns"));
  RETURN_IF_ERROR(NoEmpty(rules.uris, "--allow-uri"));
  RETURN_IF_ERROR(pki::ValidateDomain(rules.domain));
  for (std::string& device : rules.devices) {
    Result<pki::DeviceId> id = pki::DeviceId::Parse(device, rules.domain);
    if (!id.ok()) {
      return InvalidArgument("--allow-device '" + device +
                             "' is not a device ID (32 lowercase hex, or <hex>.d." + rules.domain +
                             ")");
    }
    device = id->hex();
  }
  PolicyViews used;
  for (const std::string& name : rules.policies) {
    RETURN_IF_ERROR(ValidatePolicyName(name, "--allow-policy"));
    auto it = views.find(name);
    if (it != views.end()) used[name] = it->second;
  }
  return PeerPolicy(std::move(rules), std::move(used));
}

Decision PeerPolicy::Evaluate(const PeerIdentity& peer) const {
  if (rules_.allow_all) return {true, "allow-all"};
  if (!peer.common_name.empty() && Contains(rules_.common_names, peer.common_name)) {
    return {true, "allow-cn " + peer.common_name};
  }
  for (const std::string& dns : peer.dns_names) {
    if (Contains(rules_.dns_names, dns)) return {true, "allow-dns " + dns};
  }
  for (const std::string& uri : peer.uris) {
    if (Contains(rules_.uris, uri)) return {true, "allow-uri " + uri};
  }
  if (peer.device_hex && Contains(rules_.devices, *peer.device_hex)) {
    return {true, "allow-device " + *peer.device_hex};
  }
  if (peer.device_hex) {
    for (const auto& [name, view] : views_) {
      if (view != nullptr && view->Allows(*peer.device_hex)) {
        std::shared_ptr<const PolicySnapshot> s = view->Current();
        return {true, "allow-policy " + name + " v" + std::to_string(s ? s->version : 0)};
      }
    }
    for (const auto& [name, view] : views_) {
      if (view == nullptr) continue;
      std::optional<std::string> why = view->RefusedReason(*peer.device_hex);
      if (why) return {false, "posture: " + *why + " (policy " + name + ")", true};
    }
  }
  return {false, "no allow rule matches the peer"};
}

}  // namespace wott::tunnel
