// Status: the outcome of an operation that can fail, used everywhere instead of exceptions.
//
// A Status carries a code, a message that is safe to show a user (CLI output, HTTP error
// body) and an internal detail (OpenSSL error queue, errno text, SQL error) that is only
// logged and never leaves the server. Status is a value type; copies are independent and
// safe to use from any thread.
#ifndef WOTT_BASE_STATUS_H_
#define WOTT_BASE_STATUS_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace wott {

// Error codes, modelled on the canonical gRPC/abseil codes so they map cleanly to HTTP.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or refused by policy
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // creating something that is already there
  kPermissionDenied,    // authenticated, but not allowed (revoked device, wrong scope)
  kUnauthenticated,     // missing or invalid credentials
  kFailedPrecondition,  // the system is not in a state that allows the operation
  kResourceExhausted,   // a size or rate limit was hit
  kDeadlineExceeded,    // a timeout expired
  kUnavailable,         // a transient failure; retrying may help
  kInternal,            // a bug or an unexpected failure of a dependency
};

// Returns the stable snake_case name of `code` ("invalid_argument", ...), used in logs
// and in API error bodies.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  // REQUIRES: code != StatusCode::kOk.
  Status(StatusCode code, std::string message, std::string detail = {});

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // Safe to show to users; empty when ok().
  const std::string& message() const;
  // Internal detail for logs only; may be empty.
  const std::string& detail() const;

  // Returns a copy whose message is prefixed with "context: ".
  Status WithContext(std::string_view context) const;

  // "code: message [detail]", for logs.
  std::string ToString() const;

  // Lets a function that returns Status use `RETURN_IF_ERROR` on it and on Result<T>.
  const Status& status() const { return *this; }

 private:
  struct State {
    StatusCode code;
    std::string message;
    std::string detail;
  };
  // Null when OK, so the success path costs one pointer.
  std::shared_ptr<const State> state_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

// Shorthands for the common codes.
Status InvalidArgument(std::string message, std::string detail = {});
Status NotFound(std::string message, std::string detail = {});
Status AlreadyExists(std::string message, std::string detail = {});
Status PermissionDenied(std::string message, std::string detail = {});
Status Unauthenticated(std::string message, std::string detail = {});
Status FailedPrecondition(std::string message, std::string detail = {});
Status ResourceExhausted(std::string message, std::string detail = {});
Status Unavailable(std::string message, std::string detail = {});
Status Internal(std::string message, std::string detail = {});

}  // namespace wott

#define WOTT_CONCAT_INNER_(a, b) a##b
#define WOTT_CONCAT_(a, b) WOTT_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Status or Result<T>) and returns its Status from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                                    \
  do {                                                           \
    const auto& wott_status_or_result_ = (expr);                 \
    if (!wott_status_or_result_.ok()) {                          \
      return ::wott::Status(wott_status_or_result_.status());    \
    }                                                            \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a Result<T>); on error returns its Status,
// otherwise moves the value into `lhs` (which may be a declaration: `auto x`).
#define ASSIGN_OR_RETURN(lhs, expr) \
  WOTT_ASSIGN_OR_RETURN_IMPL_(WOTT_CONCAT_(wott_result_, __LINE__), lhs, expr)
#define WOTT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return ::wott::Status(tmp.status()); \
  lhs = std::move(tmp).value()

#endif  // WOTT_BASE_STATUS_H_
