#include "eddy/status.h"

namespace eddy {

std::string_view CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "OK";
    case Status::Code::kNotFound:
      return "NotFound";
    case Status::Code::kInvalidArgument:
      return "InvalidArgument";
    case Status::Code::kCorruption:
      return "Corruption";
    case Status::Code::kIOError:
      return "IOError";
    case Status::Code::kBusy:
      return "Busy";
    case Status::Code::kConditionFailed:
      return "ConditionFailed";
    case Status::Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Status::Code::kAlreadyExists:
      return "AlreadyExists";
    case Status::Code::kTrimmedDataAccess:
      return "TrimmedDataAccess";
    case Status::Code::kExpiredIterator:
      return "ExpiredIterator";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace eddy
