// Result<T>: a value or the Status that explains why there is none.
//
// The engine API never throws; functions that produce something return a
// Result. Accessing value() of a failed Result is a bug and asserts.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "eddy/status.h"

namespace eddy {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit on purpose: `return value;` and `return Status::X(...)` both read
  // naturally at call sites.
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace eddy

// Evaluates `expr` (a Result); on error returns its Status, otherwise moves the
// value into `lhs`, which may be a declaration: EDDY_ASSIGN_OR_RETURN(auto x, F());
#define EDDY_CONCAT_INNER_(a, b) a##b
#define EDDY_CONCAT_(a, b) EDDY_CONCAT_INNER_(a, b)
#define EDDY_ASSIGN_OR_RETURN(lhs, expr) \
  EDDY_ASSIGN_OR_RETURN_IMPL_(EDDY_CONCAT_(eddy_result_, __LINE__), lhs, expr)
#define EDDY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
