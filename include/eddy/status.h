// Status: the outcome of an operation that can fail in an expected way.
//
// Expected failures are values, never exceptions (see STYLE.md). A Status is
// cheap to return when OK (one enum, an empty string) and carries a message
// naming the problem otherwise. Callers must look at it: the type is
// [[nodiscard]], so dropping one is a compile error under -Werror.
//
// Thread-safety: a Status is a plain value; distinct objects may be used from
// distinct threads without synchronisation.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace eddy {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound,
    kInvalidArgument,
    kCorruption,
    kIOError,
    kBusy,
    // The write was refused because a condition on the current item failed.
    kConditionFailed,
    // The operation is not valid in the object's current state (for example a
    // log poisoned by an earlier I/O error, or a table that already exists).
    kFailedPrecondition,
    // The object to be created exists already (a table name in use).
    kAlreadyExists,
    // A stream position lies before the oldest record still retained
    // (DynamoDB Streams' TrimmedDataAccessException).
    kTrimmedDataAccess,
    // A shard iterator outlived its lifetime (ExpiredIteratorException).
    kExpiredIterator,
  };

  Status() = default;

  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return {Code::kNotFound, msg}; }
  static Status InvalidArgument(std::string_view msg) { return {Code::kInvalidArgument, msg}; }
  static Status Corruption(std::string_view msg) { return {Code::kCorruption, msg}; }
  static Status IOError(std::string_view msg) { return {Code::kIOError, msg}; }
  static Status Busy(std::string_view msg) { return {Code::kBusy, msg}; }
  static Status ConditionFailed(std::string_view msg) { return {Code::kConditionFailed, msg}; }
  static Status FailedPrecondition(std::string_view msg) {
    return {Code::kFailedPrecondition, msg};
  }
  static Status AlreadyExists(std::string_view msg) { return {Code::kAlreadyExists, msg}; }
  static Status TrimmedDataAccess(std::string_view msg) { return {Code::kTrimmedDataAccess, msg}; }
  static Status ExpiredIterator(std::string_view msg) { return {Code::kExpiredIterator, msg}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsConditionFailed() const { return code_ == Code::kConditionFailed; }
  bool IsFailedPrecondition() const { return code_ == Code::kFailedPrecondition; }
  bool IsAlreadyExists() const { return code_ == Code::kAlreadyExists; }
  bool IsTrimmedDataAccess() const { return code_ == Code::kTrimmedDataAccess; }
  bool IsExpiredIterator() const { return code_ == Code::kExpiredIterator; }

  // "IOError: fdatasync wal-000…1.log: Input/output error"
  std::string ToString() const;

  // Marks the status as deliberately ignored (tests, best-effort cleanup).
  void IgnoreError() const {}

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view CodeName(Status::Code code);

}  // namespace eddy

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define EDDY_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::eddy::Status eddy_status_ = (expr);        \
    if (!eddy_status_.ok()) return eddy_status_; \
  } while (0)
