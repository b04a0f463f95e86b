// Logging setup: one spdlog logger to stderr for every binary. After InitLogging, use
// spdlog::info/warn/error directly; spdlog is thread-safe.
#ifndef WOTT_BASE_LOGGING_H_
#define WOTT_BASE_LOGGING_H_

#include <string_view>

#include "base/status.h"

namespace wott {

// Sets the default logger's level ("trace", "debug", "info", "warn", "error", "off") and a
// pattern with an ISO-8601 UTC timestamp. Fails with kInvalidArgument on an unknown level.
Status InitLogging(std::string_view level);

}  // namespace wott

#endif  // WOTT_BASE_LOGGING_H_
