#include "server/password_hash.h"

#include <argon2.h>

#include <array>
#include <semaphore>
#include <vector>

#include "ossl/random.h"

namespace wott::server {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::counting_semaphore<kMaxConcurrentPasswordHashes>& Slots() {
  static std::counting_semaphore<kMaxConcurrentPasswordHashes> slots(kMaxConcurrentPasswordHashes);
  return slots;
}

// Holds one hashing slot for its lifetime.
class Slot {
 public:
  explicit Slot(std::chrono::milliseconds wait) : held_(Slots().try_acquire_for(wait)) {}
  ~Slot() {
    if (held_) Slots().release();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  bool held() const { return held_; }

 private:
  bool held_;
};

Status Busy() { return Unavailable("too many password checks at once; try again shortly"); }

}  // namespace

Status CheckNewPassword(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument("the password must be at most " + std::to_string(kMaxPasswordBytes) +
                           " bytes");
  }
  size_t code_points = 0;
  for (char c : password) {
    if (c == '\0' || c == '\n' || c == '\r') {
      return InvalidArgument("the password must not contain NUL or line breaks");
    }
    // Count every byte that does not continue a UTF-8 sequence.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
  }
  if (code_points < kMinPasswordLength) {
    return InvalidArgument("the password must be at least " + std::to_string(kMinPasswordLength) +
                           " characters long");
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashOptions& options) {
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument("the password must be at most " + std::to_string(kMaxPasswordBytes) +
                           " bytes");
  }
  std::array<uint8_t, kSaltBytes> salt;
  RETURN_IF_ERROR(ossl::RandomBytes(salt));
  std::vector<char> encoded(argon2_encodedlen(options.time_cost, options.memory_kib,
                                              options.parallelism, kSaltBytes, kHashBytes,
                                              Argon2_id) +
                            1);
  Slot slot(options.wait);
  if (!slot.held()) return Busy();
  int rc = argon2id_hash_encoded(options.time_cost, options.memory_kib, options.parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Internal("password hashing failed", argon2_error_message(rc));
  return std::string(encoded.data());
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded,
                            std::chrono::milliseconds wait) {
  if (!encoded.starts_with("$argon2id$") || encoded.size() > 512) {
    return InvalidArgument("not an argon2id password hash");
  }
  if (password.size() > kMaxPasswordBytes) return false;  // could never have been set
  const std::string encoded_z(encoded);                   // libargon2 wants a C string
  Slot slot(wait);
  if (!slot.held()) return Busy();
  int rc = argon2id_verify(encoded_z.c_str(), password.data(), password.size());
  if (rc == ARGON2_OK) return true;
  if (rc == ARGON2_VERIFY_MISMATCH) return false;
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) {
    return Internal("password check failed", argon2_error_message(rc));
  }
  return InvalidArgument("not an argon2id password hash", argon2_error_message(rc));
}

const std::string& DummyPasswordHash() {
  static const std::string dummy = [] {
    Result<std::string> random = ossl::RandomHex(16);
    Result<std::string> hash = HashPassword(random.ok() ? *random : "wott-dummy-password");
    // A hash that cannot be made (no slot, no memory) falls back to a well-formed encoded
    // hash with the default parameters: the verification still costs the same work.
    return hash.ok() ? *hash
                     : std::string(
                           "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"
                           "Z3NyP8CZm1ZcO3dT0DcuI8r8Wc7aYf3dqfXtcRE2J5o");
  }();
  return dummy;
}

}  // namespace wott::server
