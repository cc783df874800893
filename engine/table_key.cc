#include "engine/table_key.h"

namespace eddy::engine {

std::string TablePrefix(TableId table) {
  std::string out(kTableIdBytes, '\0');
  for (std::size_t i = 0; i < kTableIdBytes; ++i) {
    out[i] = static_cast<char>(table >> (8 * (kTableIdBytes - 1 - i)));
  }
  return out;
}

Status EncodeTableKey(TableId table, const Item& item_or_key, const KeySchema& schema,
                      std::string* out) {
  *out = TablePrefix(table);
  return EncodeKey(item_or_key, schema, out);
}

}  // namespace eddy::engine
