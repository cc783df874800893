// Tables: names, key schemas and stream settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "eddy/item.h"

namespace eddy {

// Which images a table's stream records carry (DynamoDB's StreamViewType).
enum class StreamViewType : std::uint8_t {
  kKeysOnly = 0,
  kNewImage = 1,
  kOldImage = 2,
  kNewAndOldImages = 3,
};

std::string_view StreamViewTypeName(StreamViewType type);  // "KEYS_ONLY", ...
std::optional<StreamViewType> ParseStreamViewType(std::string_view name);

inline bool ViewNeedsOldImage(StreamViewType t) {
  return t == StreamViewType::kOldImage || t == StreamViewType::kNewAndOldImages;
}
inline bool ViewNeedsNewImage(StreamViewType t) {
  return t == StreamViewType::kNewImage || t == StreamViewType::kNewAndOldImages;
}

struct StreamSpecification {
  bool enabled = false;
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  // Open shards a newly enabled stream starts with; 0: the engine's
  // Options::stream_initial_shards. At most kMaxInitialShards.
  std::uint32_t initial_shards = 0;
};

inline constexpr std::uint32_t kMaxInitialShards = 1024;

// DynamoDB's Time to Live: items whose `attribute_name` holds a number of
// epoch seconds in the past are deleted by the engine, in the background
// (Options::ttl_sweep_interval_s). Such deletes are stream records with the
// service's userIdentity.
struct TimeToLiveSpecification {
  bool enabled = false;
  std::string attribute_name;
};

struct TableSpec {
  std::string name;  // 3-255 characters of [a-zA-Z0-9_.-]
  KeySchema key_schema;
  StreamSpecification stream;
};

struct TableDescription {
  std::string name;
  KeySchema key_schema;
  StreamSpecification stream;
  std::uint64_t table_id = 0;  // unique for the life of the directory
  std::uint64_t creation_time_us = 0;
  std::uint64_t item_count = 0;  // items currently stored (exact)
  TimeToLiveSpecification time_to_live;
  // The newest stream (enabled or disabled but still retained), if any.
  std::string latest_stream_arn;
  std::string latest_stream_label;
};

// Checks DynamoDB's table-name rule. InvalidArgument names the problem.
Status ValidateTableName(std::string_view name);

}  // namespace eddy
