// The engine's records in the write-ahead log. Format: docs/log_records.md.
//
// Two record types: catalog changes (create/delete table, stream setting)
// and change groups (one or more item changes that are logged, and so
// recovered, together). A single write is a group of one; a transaction is
// one group with all its changes. A change carries everything the memtable
// and the stream need: the event type, the key, the new item and, when the
// table's stream view type asks for it, the old image.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_codec.h"
#include "eddy/db.h"
#include "eddy/result.h"
#include "eddy/table.h"
#include "engine/table_key.h"
#include "wal/wal.h"

namespace eddy::engine {

inline constexpr std::uint8_t kCatalogRecordType = wal::kFirstUserRecordType;
inline constexpr std::uint8_t kChangeGroupRecordType = wal::kFirstUserRecordType + 1;
inline constexpr std::uint8_t kShardTopologyRecordType = wal::kFirstUserRecordType + 2;
// Version 2 added the stream's initial shard count to catalog records.
inline constexpr std::uint8_t kLogRecordVersion = 2;

struct CatalogRecord {
  enum class Op : std::uint8_t {
    kCreateTable = 1,
    kDeleteTable = 2,
    kUpdateStream = 3,
    kUpdateTimeToLive = 4,
  };
  Op op = Op::kCreateTable;
  TableId table_id = 0;
  std::uint64_t time_us = 0;
  std::string name;
  KeySchema key_schema;         // kCreateTable
  StreamSpecification stream;   // kCreateTable, kUpdateStream
  TimeToLiveSpecification ttl;  // kUpdateTimeToLive
};

void EncodeCatalogRecord(const CatalogRecord& record, std::string* out);
// A key schema as catalog records carry it (also used by checkpoints).
void EncodeKeySchema(const KeySchema& schema, std::string* out);
bool DecodeKeySchema(ByteReader* in, KeySchema* schema);
Result<CatalogRecord> DecodeCatalogRecord(std::string_view bytes);

// Views into the bytes they were decoded from (or encoded out of).
struct ItemChange {
  TableId table_id = 0;
  ChangeType type = ChangeType::kNone;
  std::string_view item_key;   // EncodeKey bytes, without the table prefix
  std::string_view new_item;   // canonical encoded item; INSERT and MODIFY
  std::string_view old_image;  // canonical encoded item, when has_old_image
  bool has_old_image = false;
  bool by_service = false;  // made by the engine itself (a TTL delete)
};

// A change of a stream's shards, decided by the engine (rollover after the
// configured period, split under load) and logged so that replay rebuilds
// the same lineage.
struct ShardTopologyRecord {
  enum class Op : std::uint8_t { kRollover = 1, kSplit = 2 };
  Op op = Op::kRollover;
  TableId table_id = 0;
  std::uint64_t stream_created_us = 0;  // which of the table's streams
  std::uint32_t shard_ordinal = 0;      // the open shard that closes
  std::uint64_t time_us = 0;
};

void EncodeShardTopologyRecord(const ShardTopologyRecord& record, std::string* out);
Result<ShardTopologyRecord> DecodeShardTopologyRecord(std::string_view bytes);

void EncodeChangeGroup(std::span<const ItemChange> changes, std::string* out);
// Decodes into *changes (cleared first); views point into `bytes`.
Status DecodeChangeGroup(std::string_view bytes, std::vector<ItemChange>* changes);

}  // namespace eddy::engine
