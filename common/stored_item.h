// Stored items: what the memtable and the table files keep of an item.
//
// Every memtable version and table entry sits under its table key, which
// already holds the item's key attributes (EncodeKey). Storing them again in
// the value would cost, for a 16-byte string partition key named "pk", 21 of
// the 127 bytes of a 100-byte item, in memory and on disk. So a stored item
// is the item's canonical encoding (docs/item_format.md) with the key
// attributes left out, and readers put them back from the key.
//
// The log keeps whole items: stream images are derived from it and the log
// is the source of truth. The write path and replay strip each logged item
// before it reaches the memtable (StripKeyAttributes is byte-level, no
// decode), so the memtable still gets exactly what the log says.
//
// Table files written before stored items existed hold whole items. Every
// function here accepts both forms: a key attribute already present in a
// stored item is kept, not added twice.
//
// Errors: Corruption for bytes that are not an encoded item.
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>

#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy {

// Replaces *out with the stored form of `encoded`, an encoded item.
Status StripKeyAttributes(std::string_view encoded, const KeySchema& schema, std::string* out);

// Replaces *out with the whole encoded item: `stored` plus the key
// attributes of `item_or_key` (only the schema's attributes are read; each
// must be present).
Status RestoreKeyAttributes(std::string_view stored, const Item& item_or_key,
                            const KeySchema& schema, std::string* out);

// The whole item: `stored` decoded, plus the key attributes of `item_or_key`.
Result<Item> DecodeStoredItem(std::string_view stored, const Item& item_or_key,
                              const KeySchema& schema);

// Whether two stored forms of the same key hold the same item. `current`
// may be a whole item from an older file; `stripped` is StripKeyAttributes
// output.
Result<bool> SameStoredItem(std::string_view current, std::string_view stripped,
                            const KeySchema& schema);

}  // namespace eddy
