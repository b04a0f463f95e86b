#include "base/status.h"

#include <cassert>

namespace wott {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
    case StatusCode::kDeadlineExceeded: return "deadline_exceeded";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message, std::string detail) {
  assert(code != StatusCode::kOk);
  state_ = std::make_shared<const State>(State{code, std::move(message), std::move(detail)});
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

const std::string& Status::detail() const {
  static const std::string kEmpty;
  return state_ ? state_->detail : kEmpty;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code(), std::string(context) + ": " + message(), detail());
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code()));
  out += ": ";
  out += message();
  if (!detail().empty()) {
    out += " [";
    out += detail();
    out += "]";
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Status& status) {
  return os << status.ToString();
}

#define WOTT_DEFINE_STATUS_HELPER(Name, Code)                  \
  Status Name(std::string message, std::string detail) {       \
    return Status(StatusCode::Code, std::move(message), std::move(detail)); \
  }
WOTT_DEFINE_STATUS_HELPER(InvalidArgument, kInvalidArgument)
WOTT_DEFINE_STATUS_HELPER(NotFound, kNotFound)
WOTT_DEFINE_STATUS_HELPER(AlreadyExists, kAlreadyExists)
WOTT_DEFINE_STATUS_HELPER(PermissionDenied, kPermissionDenied)
WOTT_DEFINE_STATUS_HELPER(Unauthenticated, kUnauthenticated)
WOTT_DEFINE_STATUS_HELPER(FailedPrecondition, kFailedPrecondition)
WOTT_DEFINE_STATUS_HELPER(ResourceExhausted, kResourceExhausted)
WOTT_DEFINE_STATUS_HELPER(Unavailable, kUnavailable)
WOTT_DEFINE_STATUS_HELPER(Internal, kInternal)
#undef WOTT_DEFINE_STATUS_HELPER

}  // namespace wott
