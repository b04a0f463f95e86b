// File helpers: whole-file reads with a size limit, and crash-safe atomic writes.
// All functions are thread-safe (they share no state); concurrent writers of the same
// path each leave a complete file, the last rename wins.
#ifndef WOTT_BASE_FILE_H_
#define WOTT_BASE_FILE_H_

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace wott {

// Writes `data` to `path` so that a reader (or a crash at any instant) sees either the old
// file or the complete new one, never a mix: writes a temporary file in the same directory
// with `mode`, fsyncs it, renames it over `path`, then fsyncs the directory.
// On failure the old file is untouched and the temporary file is removed.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view data,
                           mode_t mode);

// Reads the whole file. Fails with kNotFound when it does not exist, kPermissionDenied
// when it cannot be opened, kResourceExhausted when it is larger than `max_bytes`.
Result<std::string> ReadFile(const std::filesystem::path& path,
                             size_t max_bytes = 16 * 1024 * 1024);

// Creates `dir` (and missing parents) and sets its mode to `mode`. Succeeds when it
// already exists as a directory (the mode is then also applied).
Status MakeDirectory(const std::filesystem::path& dir, mode_t mode);

// Fsyncs a directory so that a rename or create inside it is durable.
Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace wott

#endif  // WOTT_BASE_FILE_H_
