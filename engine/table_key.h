// Memtable keys: the table's id (8 bytes, big-endian, so one table's items
// are contiguous and tables sort by id), then the item key as EncodeKey
// writes it (DynamoDB's order; see docs/item_format.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eddy/item.h"
#include "eddy/status.h"

namespace eddy::engine {

using TableId = std::uint64_t;

inline constexpr std::size_t kTableIdBytes = 8;

// The first key of `table` (no item key sorts before it).
std::string TablePrefix(TableId table);
// `table`'s prefix followed by the encoded key of `item_or_key`.
Status EncodeTableKey(TableId table, const Item& item_or_key, const KeySchema& schema,
                      std::string* out);
// The item key part of a table key.
inline std::string_view ItemKeyPart(std::string_view table_key) {
  return table_key.substr(kTableIdBytes);
}

}  // namespace eddy::engine
