#include "pki/device_id.h"

#include <array>
#include <cstdint>

#include "base/encoding.h"
#include "ossl/random.h"

namespace wott::pki {
namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kHexChars = 2 * kIdBytes;
constexpr size_t kMaxDomainChars = 200;
constexpr size_t kMaxLabelChars = 63;  // RFC 1035
constexpr std::string_view kNameInfix = ".d.";
constexpr std::string_view kSpiffeScheme = "spiffe://";
constexpr std::string_view kSpiffePath = "/device/";

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsLowerHexId(std::string_view s) {
  if (s.size() != kHexChars) return false;
  for (char c : s) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

bool IsLabelChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Strips `prefix` from the front of `*s`; false (and `*s` untouched) when absent.
bool ConsumePrefix(std::string_view* s, std::string_view prefix) {
  if (s->substr(0, prefix.size()) != prefix) return false;
  s->remove_prefix(prefix.size());
  return true;
}

}  // namespace

Result<DeviceId> DeviceId::Generate() {
  std::array<uint8_t, kIdBytes> bytes;
  RETURN_IF_ERROR(ossl::RandomBytes(bytes));
  return DeviceId(HexEncode(bytes));
}

Result<DeviceId> DeviceId::FromHex(std::string_view hex) {
  if (!IsLowerHexId(hex)) {
    return InvalidArgument("a device ID is 32 lowercase hex characters");
  }
  return DeviceId(std::string(hex));
}

Result<DeviceId> DeviceId::FromName(std::string_view name, std::string_view domain) {
  RETURN_IF_ERROR(ValidateDomain(domain));
  std::string_view hex = name.substr(0, kHexChars);
  std::string_view rest = name.substr(hex.size());
  if (!IsLowerHexId(hex) || !ConsumePrefix(&rest, kNameInfix) || rest != domain) {
    return InvalidArgument("a device name is <32 lowercase hex>.d." + std::string(domain));
  }
  return DeviceId(std::string(hex));
}

Result<DeviceId> DeviceId::Parse(std::string_view text, std::string_view domain) {
  if (text.size() == kHexChars) return FromHex(text);
  return FromName(text, domain);
}

Result<DeviceId> DeviceId::FromSpiffeUri(std::string_view uri, std::string_view domain) {
  RETURN_IF_ERROR(ValidateDomain(domain));
  std::string_view rest = uri;
  if (!ConsumePrefix(&rest, kSpiffeScheme) || !ConsumePrefix(&rest, domain) ||
      !ConsumePrefix(&rest, kSpiffePath) || !IsLowerHexId(rest)) {
    return InvalidArgument("a device SPIFFE ID is spiffe://" + std::string(domain) +
                           "/device/<32 lowercase hex>");
  }
  return DeviceId(std::string(rest));
}

std::string DeviceId::Name(std::string_view domain) const {
  std::string name = hex_;
  name += kNameInfix;
  name += domain;
  return name;
}

std::string DeviceId::SpiffeUri(std::string_view domain) const {
  std::string uri(kSpiffeScheme);
  uri += domain;
  uri += kSpiffePath;
  uri += hex_;
  return uri;
}

Status ValidateDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > kMaxDomainChars) {
    return InvalidArgument("domain must be 1 to 200 characters");
  }
  size_t label_start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i < domain.size() && domain[i] != '.') {
      if (!IsLabelChar(domain[i])) {
        return InvalidArgument("domain may contain only lowercase letters, digits, '-' and '.'");
      }
      continue;
    }
    std::string_view label = domain.substr(label_start, i - label_start);
    if (label.empty()) return InvalidArgument("domain has an empty label");
    if (label.size() > kMaxLabelChars) {
      return InvalidArgument("domain has a label longer than 63 characters");
    }
    if (label.front() == '-' || label.back() == '-') {
      return InvalidArgument("a domain label may not start or end with '-'");
    }
    label_start = i + 1;
  }
  return Status::Ok();
}

}  // namespace wott::pki
