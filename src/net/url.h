// Parsing of the https:// URLs the agent is configured with. Pure functions, thread-safe.
#ifndef WOTT_NET_URL_H_
#define WOTT_NET_URL_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace wott::net {

struct HttpsUrl {
  std::string host;  // DNS name or IP address literal, without IPv6 brackets
  uint16_t port = 443;
  std::string target;  // path and query, "/" when the URL has no path; no fragment

  // "host:port" for messages and the Host field (IPv6 literals in brackets; the port is
  // left out when it is 443).
  std::string Authority() const;
};

// Parses "https://host[:port][/path][?query][#fragment]". Fails with kInvalidArgument
// and a message that says what is wrong: another scheme, user info, an empty host, a port
// outside 1..65535, spaces or control characters.
Result<HttpsUrl> ParseHttpsUrl(std::string_view url);

}  // namespace wott::net

#endif  // WOTT_NET_URL_H_
