#include "agent/host_info.h"

#include <unistd.h>

#include <charconv>
#include <climits>

#include "base/file.h"

namespace wott::agent {

std::string ParseOsReleasePrettyName(std::string_view text) {
  constexpr std::string_view kKey = "PRETTY_NAME=";
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(kKey)) continue;
    std::string_view value = line.substr(kKey.size());
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value.substr(0, 256));
  }
  return "";
}

uint64_t ParseProcUptime(std::string_view text) {
  uint64_t seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end == text.data()) return 0;
  return seconds;
}

HostInfo ReadHostInfo() {
  HostInfo info;
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof name - 1) == 0) info.hostname = name;
  if (Result<std::string> text = ReadFile("/etc/os-release", 64 * 1024); text.ok()) {
    info.os = ParseOsReleasePrettyName(*text);
  }
  if (Result<std::string> text = ReadFile("/proc/uptime", 4096); text.ok()) {
    info.uptime_seconds = ParseProcUptime(*text);
  }
  return info;
}

}  // namespace wott::agent
