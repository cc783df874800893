// Stored items. Both directions work on bytes: they walk the attribute
// headers (name, then the value's length, found without decoding it) and
// copy everything else through, so a write or a replay pays a few
// comparisons per attribute, not a decode and an encode.
#include "common/stored_item.h"

#include <array>
#include <tuple>
#include <utility>

#include "common/byte_codec.h"
#include "common/item_codec.h"

namespace eddy {
namespace {

Status StoredItemCorrupt(std::string_view what) {
  return Status::Corruption("stored item: " + std::string(what));
}

// One attribute of an encoded item: its name and where its whole encoding
// (name and value) sits in the item.
struct EncodedAttribute {
  std::string_view name;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Walks an encoded item's attributes in order.
class AttributeWalk {
 public:
  explicit AttributeWalk(std::string_view encoded) : in_(encoded), reader_(encoded) {}

  Status Start() {
    std::uint8_t version;
    std::uint64_t count;
    if (!reader_.ReadByte(&version) || version != kItemFormatVersion ||
        !reader_.ReadVarint(&count)) {
      return StoredItemCorrupt("bad item header");
    }
    count_ = count;
    header_bytes_ = offset();
    return Status::Ok();
  }
  std::uint64_t count() const { return count_; }
  std::size_t header_bytes() const { return header_bytes_; }
  bool done() const { return seen_ == count_; }

  Status Next(EncodedAttribute* a) {
    a->begin = offset();
    if (!reader_.ReadLengthPrefixed(&a->name)) return StoredItemCorrupt("truncated attribute name");
    EDDY_ASSIGN_OR_RETURN(std::size_t value_bytes, EncodedValueLength(in_.substr(offset())));
    std::string_view value;
    reader_.ReadSpan(value_bytes, &value);
    a->end = offset();
    ++seen_;
    return Status::Ok();
  }

  Status Finish() const {
    return reader_.done() ? Status::Ok() : StoredItemCorrupt("trailing bytes");
  }

 private:
  std::size_t offset() const { return in_.size() - reader_.remaining(); }

  std::string_view in_;
  ByteReader reader_;
  std::uint64_t count_ = 0;
  std::uint64_t seen_ = 0;
  std::size_t header_bytes_ = 0;
};

// A key attribute's encoding inside an item (name, then value), and where
// it goes among a stored item's attributes.
struct KeyAttributeBytes {
  std::string_view name;
  std::string bytes;
  std::size_t insert_at = 0;  // offset in the stored item
  bool present = false;       // the stored item already has it (an older file)
  bool decided = false;       // insert_at or present is known
};

}  // namespace

Status StripKeyAttributes(std::string_view encoded, const KeySchema& schema, std::string* out) {
  AttributeWalk walk(encoded);
  EDDY_RETURN_IF_ERROR(walk.Start());
  // At most two key attributes, and names are unique: remember their spans.
  std::array<EncodedAttribute, 2> cut;
  std::size_t cuts = 0;
  while (!walk.done()) {
    EncodedAttribute a;
    EDDY_RETURN_IF_ERROR(walk.Next(&a));
    if (schema.IsKeyAttribute(a.name)) {
      if (cuts == cut.size()) return StoredItemCorrupt("duplicate key attribute");
      cut[cuts++] = a;
    }
  }
  EDDY_RETURN_IF_ERROR(walk.Finish());
  out->clear();
  out->reserve(encoded.size());
  out->push_back(static_cast<char>(kItemFormatVersion));
  PutVarint(walk.count() - cuts, out);
  std::size_t from = walk.header_bytes();
  for (std::size_t i = 0; i < cuts; ++i) {
    out->append(encoded.substr(from, cut[i].begin - from));
    from = cut[i].end;
  }
  out->append(encoded.substr(from));
  return Status::Ok();
}

Status RestoreKeyAttributes(std::string_view stored, const Item& item_or_key,
                            const KeySchema& schema, std::string* out) {
  std::array<KeyAttributeBytes, 2> keys;
  std::size_t key_count = 0;
  for (const KeyAttribute* k :
       {&schema.partition_key, schema.sort_key ? &*schema.sort_key : nullptr}) {
    if (k == nullptr) continue;
    const AttributeValue* value = item_or_key.Find(k->name);
    if (value == nullptr) return Status::InvalidArgument("missing key attribute " + k->name);
    KeyAttributeBytes& kb = keys[key_count++];
    kb.name = k->name;
    PutBytes(k->name, &kb.bytes);
    AppendValueEncoding(*value, &kb.bytes);
  }
  // Each key attribute goes before the first stored attribute whose name
  // sorts after it, or at the end.
  AttributeWalk walk(stored);
  EDDY_RETURN_IF_ERROR(walk.Start());
  for (std::size_t i = 0; i < key_count; ++i)
    keys[i].insert_at = stored.size();
  while (!walk.done()) {
    EncodedAttribute a;
    EDDY_RETURN_IF_ERROR(walk.Next(&a));
    for (std::size_t i = 0; i < key_count; ++i) {
      KeyAttributeBytes& kb = keys[i];
      if (kb.decided) continue;
      kb.present = a.name == kb.name;
      if (kb.present || kb.name < a.name) {
        kb.insert_at = a.begin;
        kb.decided = true;
      }
    }
  }
  EDDY_RETURN_IF_ERROR(walk.Finish());
  // Two key attributes at the same place go in name order.
  if (key_count == 2 &&
      std::tie(keys[1].insert_at, keys[1].name) < std::tie(keys[0].insert_at, keys[0].name)) {
    std::swap(keys[0], keys[1]);
  }
  std::size_t added = 0;
  for (std::size_t i = 0; i < key_count; ++i)
    added += keys[i].present ? 0 : 1;
  out->clear();
  out->reserve(stored.size() + keys[0].bytes.size() + keys[1].bytes.size() + 2);
  out->push_back(static_cast<char>(kItemFormatVersion));
  PutVarint(walk.count() + added, out);
  std::size_t from = walk.header_bytes();
  for (std::size_t i = 0; i < key_count; ++i) {
    if (keys[i].present) continue;
    out->append(stored.substr(from, keys[i].insert_at - from));
    out->append(keys[i].bytes);
    from = keys[i].insert_at;
  }
  out->append(stored.substr(from));
  return Status::Ok();
}

Result<Item> DecodeStoredItem(std::string_view stored, const Item& item_or_key,
                              const KeySchema& schema) {
  EDDY_ASSIGN_OR_RETURN(Item item, DecodeItem(stored));
  for (const KeyAttribute* k :
       {&schema.partition_key, schema.sort_key ? &*schema.sort_key : nullptr}) {
    if (k == nullptr || item.Find(k->name) != nullptr) continue;
    const AttributeValue* value = item_or_key.Find(k->name);
    if (value == nullptr) return Status::InvalidArgument("missing key attribute " + k->name);
    item.Set(k->name, *value);
  }
  return item;
}

Result<bool> SameStoredItem(std::string_view current, std::string_view stripped,
                            const KeySchema& schema) {
  if (current == stripped) return true;
  // Only a whole item from an older file can still be the same item.
  AttributeWalk walk(current);
  EDDY_RETURN_IF_ERROR(walk.Start());
  bool has_key_attribute = false;
  while (!walk.done() && !has_key_attribute) {
    EncodedAttribute a;
    EDDY_RETURN_IF_ERROR(walk.Next(&a));
    has_key_attribute = schema.IsKeyAttribute(a.name);
  }
  if (!has_key_attribute) return false;
  std::string current_stripped;
  EDDY_RETURN_IF_ERROR(StripKeyAttributes(current, schema, &current_stripped));
  return current_stripped == stripped;
}

}  // namespace eddy
