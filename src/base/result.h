// Result<T>: either a value of type T or a non-OK Status (like C++23 std::expected<T,
// Status>, so switching to it later is mechanical). Thread-compatible: a const Result may
// be read from several threads.
#ifndef WOTT_BASE_RESULT_H_
#define WOTT_BASE_RESULT_H_

#include <cassert>
#include <optional>
#include <utility>

#include "base/status.h"

namespace wott {

template <typename T>
class [[nodiscard]] Result {
 public:
  // A result holding `value`.
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // A failed result. REQUIRES: !status.ok().
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "internal error", "Result from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace wott

#endif  // WOTT_BASE_RESULT_H_
