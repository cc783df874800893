// ApiError: a DynamoDB error response, and the one mapping from eddy::Status
// codes to DynamoDB error types (STYLE.md: "server/ maps Status to DynamoDB
// error types in one file").
//
// An operation returns ApiStatus / ApiResult<T>: success, or the ApiError the
// client sees. The router renders it as
//   HTTP <status>  {"__type":"<namespace>#<Type>","message":"..."[, extra members]}
// (facts doc §1.3). Extra members (Item for ConditionalCheckFailedException,
// CancellationReasons for TransactionCanceledException) travel in `extra`, a
// JSON object whose members are appended to the body.
//
// Thread-safety: plain values.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "eddy/result.h"
#include "eddy/status.h"
#include "server/json.h"

namespace eddy::server {

struct ApiError {
  std::string type;  // short name: "ValidationException"
  std::string message;
  unsigned http_status = 400;
  // TransactionCanceledException spells its member "Message".
  bool capitalized_message = false;
  std::shared_ptr<JsonDocument> extra;  // an object, or null

  static ApiError Validation(std::string_view message);
  // A body or value that cannot be parsed; DynamoDB often sends no message.
  static ApiError Serialization(std::string_view message);
  static ApiError UnknownOperation(std::string_view message);
  static ApiError ResourceNotFound(std::string_view message);
  static ApiError ResourceInUse(std::string_view message);
  static ApiError ConditionalCheckFailed();
  static ApiError Internal(std::string_view message);

  // "com.amazon.coral.validate#ValidationException", ...: the namespaces real
  // DynamoDB uses (SDKs only look past the '#').
  std::string QualifiedType() const;
};

// The mapping. NotFound → ResourceNotFoundException, AlreadyExists →
// ResourceInUseException, InvalidArgument → ValidationException,
// ConditionFailed → ConditionalCheckFailedException, TrimmedDataAccess →
// TrimmedDataAccessException, ExpiredIterator → ExpiredIteratorException;
// IOError, Corruption,
// FailedPrecondition, Busy (the engine cannot serve) → InternalServerError
// (HTTP 500, which SDKs retry). `status` must not be OK.
ApiError ErrorFromStatus(const Status& status);

class [[nodiscard]] ApiStatus {
 public:
  ApiStatus() = default;
  ApiStatus(ApiError error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose
  ApiStatus(const Status& status) {                        // NOLINT
    if (!status.ok()) error_ = ErrorFromStatus(status);
  }
  static ApiStatus Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  const ApiError& error() const& { return *error_; }
  ApiError&& error() && { return std::move(*error_); }

 private:
  std::optional<ApiError> error_;
};

template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : value_(std::move(value)) {}                      // NOLINT
  ApiResult(ApiError error) : error_(std::move(error)) {}               // NOLINT
  ApiResult(const Status& status) : error_(ErrorFromStatus(status)) {}  // NOLINT
  ApiResult(Result<T> result) {                                         // NOLINT
    if (result.ok()) {
      value_.emplace(std::move(result).value());
    } else {
      error_ = ErrorFromStatus(result.status());
    }
  }

  bool ok() const { return value_.has_value(); }
  const ApiError& error() const& { return *error_; }
  ApiError&& error() && { return std::move(*error_); }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  T& operator*() & { return *value_; }

 private:
  std::optional<T> value_;
  std::optional<ApiError> error_;
};

// The error carried by any of the four failure types (for the macros).
inline ApiError ToApiError(const Status& s) {
  return ErrorFromStatus(s);
}
inline ApiError ToApiError(const ApiStatus& s) {
  return s.error();
}
template <typename T>
ApiError ToApiError(const Result<T>& r) {
  return ErrorFromStatus(r.status());
}
template <typename T>
ApiError ToApiError(const ApiResult<T>& r) {
  return r.error();
}

}  // namespace eddy::server

// Returns the error of `expr` (Status, ApiStatus) from the enclosing function.
#define EDDY_API_RETURN_IF_ERROR(expr)                     \
  do {                                                     \
    auto eddy_api_status_ = (expr);                        \
    if (!eddy_api_status_.ok()) {                          \
      return ::eddy::server::ToApiError(eddy_api_status_); \
    }                                                      \
  } while (0)

// Like EDDY_ASSIGN_OR_RETURN, for Result<T> and ApiResult<T>.
#define EDDY_API_ASSIGN_OR_RETURN(lhs, expr) \
  EDDY_API_ASSIGN_OR_RETURN_IMPL_(EDDY_CONCAT_(eddy_api_result_, __LINE__), lhs, expr)
#define EDDY_API_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return ::eddy::server::ToApiError(tmp); \
  lhs = std::move(tmp).value()
