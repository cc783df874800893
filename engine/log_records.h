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

#include "eddy/db.h"
#include "eddy/result.h"
#include "eddy/table.h"
#include "engine/table_key.h"
#include "wal/wal.h"

namespace eddy::engine {

inline constexpr std::uint8_t kCatalogRecordType = wal::kFirstUserRecordType;
inline constexpr std::uint8_t kChangeGroupRecordType = wal::kFirstUserRecordType + 1;
inline constexpr std::uint8_t kLogRecordVersion = 1;

struct CatalogRecord {
  enum class Op : std::uint8_t { kCreateTable = 1, kDeleteTable = 2, kUpdateStream = 3 };
  Op op = Op::kCreateTable;
  TableId table_id = 0;
  std::uint64_t time_us = 0;
  std::string name;
  KeySchema key_schema;        // kCreateTable
  StreamSpecification stream;  // kCreateTable, kUpdateStream
};

void EncodeCatalogRecord(const CatalogRecord& record, std::string* out);
Result<CatalogRecord> DecodeCatalogRecord(std::string_view bytes);

// Views into the bytes they were decoded from (or encoded out of).
struct ItemChange {
  TableId table_id = 0;
  ChangeType type = ChangeType::kNone;
  std::string_view item_key;   // EncodeKey bytes, without the table prefix
  std::string_view new_item;   // canonical encoded item; INSERT and MODIFY
  std::string_view old_image;  // canonical encoded item, when has_old_image
  bool has_old_image = false;
};

void EncodeChangeGroup(std::span<const ItemChange> changes, std::string* out);
// Decodes into *changes (cleared first); views point into `bytes`.
Status DecodeChangeGroup(std::string_view bytes, std::vector<ItemChange>* changes);

}  // namespace eddy::engine
