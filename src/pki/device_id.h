// Device identity: 128 random bits assigned by the server, written as 32 lowercase hex
// characters. A device's name is "<hex>.d.<domain>" (CN and SAN DNS of its certificate)
// and its SPIFFE ID is "spiffe://<domain>/device/<hex>" (SAN URI). Value type;
// thread-compatible.
#ifndef WOTT_PKI_DEVICE_ID_H_
#define WOTT_PKI_DEVICE_ID_H_

#include <compare>
#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::pki {

inline constexpr std::string_view kDefaultDomain = "wott.local";

class DeviceId {
 public:
  // A fresh random ID from OpenSSL's DRBG.
  static Result<DeviceId> Generate();

  // Accepts exactly 32 lowercase hex characters; anything else (uppercase, other lengths,
  // whitespace, a full name) is kInvalidArgument.
  static Result<DeviceId> FromHex(std::string_view hex);

  // Accepts exactly "<32 lowercase hex>.d.<domain>" for the given domain (compared
  // case-sensitively, no trailing dot); kInvalidArgument otherwise.
  static Result<DeviceId> FromName(std::string_view name, std::string_view domain);

  // Accepts either form: bare hex or a full name in `domain`.
  static Result<DeviceId> Parse(std::string_view text, std::string_view domain);

  // Accepts exactly "spiffe://<domain>/device/<32 lowercase hex>".
  static Result<DeviceId> FromSpiffeUri(std::string_view uri, std::string_view domain);

  const std::string& hex() const { return hex_; }
  std::string Name(std::string_view domain) const;       // "<hex>.d.<domain>"
  std::string SpiffeUri(std::string_view domain) const;  // "spiffe://<domain>/device/<hex>"

  auto operator<=>(const DeviceId&) const = default;

 private:
  explicit DeviceId(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

// Checks that `domain` is a sane DNS name for device names: 1-200 characters of lowercase
// letters, digits, '-' and '.', no empty labels, labels of at most 63 characters (RFC 1035),
// no leading/trailing '-' in a label.
Status ValidateDomain(std::string_view domain);

}  // namespace wott::pki

#endif  // WOTT_PKI_DEVICE_ID_H_
