// Facts about this machine for enrollment metadata and heartbeats. Each reader returns ""
// or 0 when the source is missing or unreadable (a heartbeat never fails for lack of them).
// Thread-safe.
#ifndef WOTT_AGENT_HOST_INFO_H_
#define WOTT_AGENT_HOST_INFO_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace wott::agent {

struct HostInfo {
  std::string hostname;         // gethostname()
  std::string os;               // PRETTY_NAME from /etc/os-release
  uint64_t uptime_seconds = 0;  // first field of /proc/uptime
};

HostInfo ReadHostInfo();

// PRETTY_NAME from the text of an os-release file (quotes removed); "" when absent.
std::string ParseOsReleasePrettyName(std::string_view os_release);
// Whole seconds from the text of /proc/uptime; 0 when malformed.
uint64_t ParseProcUptime(std::string_view proc_uptime);

}  // namespace wott::agent

#endif  // WOTT_AGENT_HOST_INFO_H_
