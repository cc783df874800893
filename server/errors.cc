#include "server/errors.h"

namespace eddy::server {
namespace {

ApiError Make(std::string_view type, std::string_view message, unsigned http_status = 400) {
  ApiError e;
  e.type = std::string(type);
  e.message = std::string(message);
  e.http_status = http_status;
  return e;
}

}  // namespace

ApiError ApiError::Validation(std::string_view message) {
  return Make("ValidationException", message);
}
ApiError ApiError::Serialization(std::string_view message) {
  return Make("SerializationException", message);
}
ApiError ApiError::UnknownOperation(std::string_view message) {
  return Make("UnknownOperationException", message);
}
ApiError ApiError::ResourceNotFound(std::string_view message) {
  return Make("ResourceNotFoundException", message);
}
ApiError ApiError::ResourceInUse(std::string_view message) {
  return Make("ResourceInUseException", message);
}
ApiError ApiError::ConditionalCheckFailed() {
  return Make("ConditionalCheckFailedException", "The conditional request failed");
}
ApiError ApiError::Internal(std::string_view message) {
  return Make("InternalServerError", message, 500);
}

std::string ApiError::QualifiedType() const {
  if (type == "ValidationException") return "com.amazon.coral.validate#" + type;
  if (type == "SerializationException" || type == "UnknownOperationException") {
    return "com.amazon.coral.service#" + type;
  }
  return "com.amazonaws.dynamodb.v20120810#" + type;
}

ApiError ErrorFromStatus(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return ApiError::Validation(status.message());
    case Status::Code::kNotFound:
      return ApiError::ResourceNotFound(status.message());
    case Status::Code::kAlreadyExists:
      return ApiError::ResourceInUse(status.message());
    case Status::Code::kConditionFailed:
      return ApiError::ConditionalCheckFailed();
    case Status::Code::kTrimmedDataAccess:
      return Make("TrimmedDataAccessException", status.message());
    case Status::Code::kExpiredIterator:
      return Make("ExpiredIteratorException", status.message());
    case Status::Code::kOk:
      break;  // a bug in the caller; report it rather than crash the server
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
    case Status::Code::kBusy:
    case Status::Code::kFailedPrecondition:
      break;
  }
  return ApiError::Internal(status.ToString());
}

}  // namespace eddy::server
