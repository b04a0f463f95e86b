#include "base/encoding.h"

#include <charconv>
#include <ctime>
#include <limits>

namespace wott {

namespace {
constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
}  // namespace

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHexLower[b >> 4];
    out += kHexLower[b & 0xf];
  }
  return out;
}

std::string HexEncode(std::string_view bytes) {
  return HexEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string HexEncodeColons(std::span<const uint8_t> bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += kHexUpper[bytes[i] >> 4];
    out += kHexUpper[bytes[i] & 0xf];
  }
  return out;
}

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument("invalid duration '" + std::string(text) +
                           "' (use a number with a unit: 90s, 15m, 24h, 7d)");
  };
  if (text.empty()) return bad();
  int64_t total_seconds = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec != std::errc() || ptr == rest.data() || ptr == rest.data() + rest.size() || n < 0) {
      return bad();
    }
    int64_t unit = 0;
    switch (*ptr) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: return bad();
    }
    // Keep far from overflowing system_clock's nanosecond representation (~292 years).
    constexpr int64_t kMaxSeconds = int64_t{200} * 365 * 86400;
    if (n > kMaxSeconds / unit || total_seconds + n * unit > kMaxSeconds) return bad();
    total_seconds += n * unit;
    rest.remove_prefix(static_cast<size_t>(ptr - rest.data()) + 1);
  }
  if (total_seconds == 0) return bad();
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(total_seconds));
}

std::string FormatDuration(Duration d) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s != 0 && s % 86400 == 0) return std::to_string(s / 86400) + "d";
  if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::string FormatRfc3339(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(
      std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<TimePoint> ParseRfc3339(std::string_view text) {
  std::string s(text);
  if (s.ends_with("+00:00")) s = s.substr(0, s.size() - 6) + "Z";
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') {
    return InvalidArgument("invalid timestamp '" + std::string(text) + "' (want RFC 3339 UTC)");
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace wott
