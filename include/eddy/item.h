// Item, KeySchema and DynamoDB's item and key rules.
//
// An Item maps attribute names to AttributeValues. It is a flat vector of
// (name, value) sorted by name bytes, names unique: one allocation for the
// whole item, lookups by binary search, and equality is a single linear pass
// (the representation is canonical, like AttributeValue's). Items are small
// (tens of attributes), so insertion into the middle of the vector is cheap.
//
// Key encoding (EncodeKey): bytes whose memcmp order is DynamoDB's key order
// — partition key first, then sort key; N numerically, S by UTF-8 bytes, B by
// unsigned bytes — and which are prefix-free per schema. Layout in
// docs/item_format.md, "Encoded keys".
//
// Errors: InvalidArgument with DynamoDB's ValidationException wording
// ("One or more parameter values were invalid: ..."), Corruption for
// undecodable key bytes. Nothing throws.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eddy/attribute_value.h"
#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy {

// 400 KB: names plus values as counted by ItemSizeBytes.
inline constexpr std::size_t kMaxItemSizeBytes = 409'600;
inline constexpr std::size_t kMaxPartitionKeyBytes = 2048;
inline constexpr std::size_t kMaxSortKeyBytes = 1024;
inline constexpr std::size_t kMaxKeyAttributeNameBytes = 255;
inline constexpr std::size_t kMaxAttributeNameBytes = 65'535;

class Item {
 public:
  using Entry = std::pair<std::string, AttributeValue>;
  // Sorted by name (unsigned bytes), names unique.
  using Entries = std::vector<Entry>;

  Item() = default;

  // Sorts `entries`. Errors: InvalidArgument on a duplicate name.
  static Result<Item> FromEntries(Entries entries);
  // For decoders that checked the order themselves; debug builds assert it.
  static Item FromCanonical(Entries entries);

  // nullptr when absent. The pointer is invalidated by Set and Erase.
  const AttributeValue* Find(std::string_view name) const;
  // Inserts or replaces.
  void Set(std::string name, AttributeValue value);
  // Returns whether the attribute was present.
  bool Erase(std::string_view name);

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  Entries::const_iterator begin() const { return entries_.begin(); }
  Entries::const_iterator end() const { return entries_.end(); }
  const Entries& entries() const { return entries_; }
  Entries TakeEntries() && { return std::move(entries_); }

  // Semantic equality (see AttributeValue): exact, with early exits.
  friend bool operator==(const Item& a, const Item& b) {
    return &a == &b || a.entries_ == b.entries_;
  }

  // {"name":{"S":"x"},...} for logs and test failures.
  std::string DebugString() const;

 private:
  explicit Item(Entries entries) : entries_(std::move(entries)) {}

  Entries entries_;
};

// Σ (UTF-8 bytes of the name + AttributeValue::SizeBytes()).
std::size_t ItemSizeBytes(const Item& item);
// InvalidArgument "Item size has exceeded the maximum allowed size" when
// ItemSizeBytes(item) > kMaxItemSizeBytes.
Status CheckItemSize(const Item& item);

struct KeyAttribute {
  std::string name;
  AttributeType type = AttributeType::kS;  // S, N or B

  friend bool operator==(const KeyAttribute&, const KeyAttribute&) = default;
};

struct KeySchema {
  KeyAttribute partition_key;
  std::optional<KeyAttribute> sort_key;

  bool IsKeyAttribute(std::string_view name) const {
    return name == partition_key.name || (sort_key && name == sort_key->name);
  }
  std::size_t KeyAttributeCount() const { return sort_key ? 2 : 1; }

  friend bool operator==(const KeySchema&, const KeySchema&) = default;
};

// Names 1..255 bytes, types S/N/B, partition and sort key names distinct.
Status ValidateKeySchema(const KeySchema& schema);

// An item about to be written (PutItem, an UpdateItem result, ...):
//   - every key attribute is present ("Missing the key <k> in the item"), of
//     the schema's type ("Type mismatch for key <k> expected: S actual: N"),
//     not an empty S/B, and within 2048 (partition) / 1024 (sort) bytes
//     (UTF-8 bytes for S, raw bytes for B);
//   - every other attribute name is 1..65535 bytes;
//   - ItemSizeBytes <= 409,600.
// Empty S and B values are fine outside key attributes. The schema is
// assumed valid (ValidateKeySchema).
Status ValidateItemForTable(const Item& item, const KeySchema& schema);

// A Key parameter (GetItem, DeleteItem, UpdateItem, ...): exactly the key
// attributes with the schema's types, else "The provided key element does
// not match the schema"; then the same emptiness and size checks as
// ValidateItemForTable.
Status ValidateKey(const Item& key, const KeySchema& schema);

// The key attributes of `item`. Errors: InvalidArgument when one is missing
// or mistyped (validate the item first to get DynamoDB's message).
Result<Item> ExtractKey(const Item& item, const KeySchema& schema);

// Appends the order-preserving encoding of one S, N or B value. Any other
// type is a bug (asserts).
void EncodeKeyValue(const AttributeValue& value, std::string* out);
// Appends the encoded key of `item_or_key` (only the key attributes are
// read). Errors: InvalidArgument when a key attribute is missing or mistyped.
Status EncodeKey(const Item& item_or_key, const KeySchema& schema, std::string* out);
// Inverse of EncodeKey: the key attributes as an Item. Errors: Corruption.
Result<Item> DecodeKey(std::string_view encoded, const KeySchema& schema);

}  // namespace eddy
