// Small, pure text helpers shared by every module: hex, durations ("24h", "7d") and
// RFC 3339 timestamps. All functions are thread-safe.
#ifndef WOTT_BASE_ENCODING_H_
#define WOTT_BASE_ENCODING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace wott {

// Lowercase hex of `bytes`.
std::string HexEncode(std::span<const uint8_t> bytes);
std::string HexEncode(std::string_view bytes);

// Hex with a ':' between bytes and uppercase digits, as openssl prints fingerprints.
std::string HexEncodeColons(std::span<const uint8_t> bytes);

// Parses a duration such as "90s", "15m", "24h", "7d", or a sum like "1h30m".
// Fails with kInvalidArgument on anything else, on zero and on overflow.
Result<Duration> ParseDuration(std::string_view text);

// Formats `d` in the largest whole unit that divides it ("7d", "36h", "90s").
std::string FormatDuration(Duration d);

// "2026-11-27T08:56:07Z" (UTC, whole seconds).
std::string FormatRfc3339(TimePoint t);

// Parses the format FormatRfc3339 produces (also accepts a "+00:00" offset).
Result<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace wott

#endif  // WOTT_BASE_ENCODING_H_
