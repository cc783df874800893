#include "eddy/table.h"

#include <string>

namespace eddy {

std::string_view StreamViewTypeName(StreamViewType type) {
  switch (type) {
    case StreamViewType::kKeysOnly:
      return "KEYS_ONLY";
    case StreamViewType::kNewImage:
      return "NEW_IMAGE";
    case StreamViewType::kOldImage:
      return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages:
      return "NEW_AND_OLD_IMAGES";
  }
  return "UNKNOWN";
}

std::optional<StreamViewType> ParseStreamViewType(std::string_view name) {
  for (auto t : {StreamViewType::kKeysOnly, StreamViewType::kNewImage, StreamViewType::kOldImage,
                 StreamViewType::kNewAndOldImages}) {
    if (StreamViewTypeName(t) == name) return t;
  }
  return std::nullopt;
}

Status ValidateTableName(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) {
    return Status::InvalidArgument(
        "TableName must be at least 3 characters long and at most 255 "
        "characters long");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Status::InvalidArgument(
          "1 validation error detected: Value '" + std::string(name) +
          "' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression "
          "pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

}  // namespace eddy
