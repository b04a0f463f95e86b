// Dashboard passwords: argon2id (libargon2) hashes in the standard encoded form
// ("$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>"), which carries its own parameters, so
// verification keeps working when the defaults change.
//
// Thread-safe. Each call is CPU- and memory-heavy (64 MiB and ~0.1-0.5 s with the defaults):
// call only from worker threads, never from an I/O thread. At most
// kMaxConcurrentPasswordHashes run at once in the process; further callers wait up to
// `wait` for a slot and then get kUnavailable, so a burst of logins cannot take all memory.
#ifndef WOTT_SERVER_PASSWORD_HASH_H_
#define WOTT_SERVER_PASSWORD_HASH_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace wott::server {

inline constexpr int kMaxConcurrentPasswordHashes = 2;
// Passwords shorter than this are refused when set (not when verified).
inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordBytes = 1024;

struct PasswordHashOptions {
  uint32_t time_cost = 3;           // passes over memory
  uint32_t memory_kib = 64 * 1024;  // 64 MiB
  uint32_t parallelism = 1;         // lanes
  // How long to wait for a hashing slot before kUnavailable.
  std::chrono::milliseconds wait{10'000};
};

// OK for a password that may be set: kMinPasswordLength characters (UTF-8 code points) to
// kMaxPasswordBytes bytes, no NUL and no line breaks. kInvalidArgument with a message
// saying which rule failed otherwise.
Status CheckNewPassword(std::string_view password);

// The encoded argon2id hash of `password` with a fresh 16-byte random salt.
// kInvalidArgument for a password over kMaxPasswordBytes; kUnavailable when no hashing
// slot frees up in time; kInternal when libargon2 fails (its message in the detail).
Result<std::string> HashPassword(std::string_view password,
                                 const PasswordHashOptions& options = {});

// True when `password` matches `encoded`, false when it does not (constant-time compare
// inside libargon2). kInvalidArgument when `encoded` is not an argon2id encoded hash;
// kUnavailable as for HashPassword.
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded,
                            std::chrono::milliseconds wait = std::chrono::milliseconds(10'000));

// An encoded hash of a random password, made once per process with the default options:
// verifying against it costs what verifying a real user's password costs, so a login for
// an unknown user takes the same time as a wrong password.
const std::string& DummyPasswordHash();

}  // namespace wott::server

#endif  // WOTT_SERVER_PASSWORD_HASH_H_
