// Item container, DynamoDB's item/key validation and the ordered key
// encoding.
//
// Validation messages copy DynamoDB's ValidationException texts, including
// their oddities ("limit of2048 bytes"), because SDK users grep for them.
#include "eddy/item.h"

#include <algorithm>
#include <cassert>

#include "common/invalid_parameter.h"

namespace eddy {
namespace {

constexpr std::string_view kKeyMismatch = "The provided key element does not match the schema";

bool IsKeyType(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

auto FindEntry(const Item::Entries& entries, std::string_view name) {
  return std::lower_bound(entries.begin(), entries.end(), name,
                          [](const Item::Entry& e, std::string_view n) { return e.first < n; });
}

// Emptiness and length checks shared by items and keys. The value already
// has the schema's type.
Status CheckKeyValue(const KeyAttribute& attr, const AttributeValue& value, bool is_partition) {
  std::size_t bytes = 0;
  switch (attr.type) {
    case AttributeType::kS:
      bytes = value.AsString().size();
      break;
    case AttributeType::kB:
      bytes = value.AsBinary().size();
      break;
    default:
      // Numbers are at most 21 bytes; they can be neither empty nor too long.
      return Status::Ok();
  }
  if (bytes == 0) {
    std::string msg =
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty ";
    msg.append(attr.type == AttributeType::kS ? "string" : "binary");
    msg.append(" value. Key: ");
    msg.append(attr.name);
    return Status::InvalidArgument(msg);
  }
  if (is_partition && bytes > kMaxPartitionKeyBytes) {
    return InvalidParameterValue(
        "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (!is_partition && bytes > kMaxSortKeyBytes) {
    return InvalidParameterValue(
        "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  }
  return Status::Ok();
}

Status CheckItemKeyAttribute(const Item& item, const KeyAttribute& attr, bool is_partition) {
  const AttributeValue* value = item.Find(attr.name);
  if (value == nullptr)
    return InvalidParameterValue("Missing the key " + attr.name + " in the item");
  if (value->type() != attr.type) {
    std::string detail = "Type mismatch for key " + attr.name + " expected: ";
    detail.append(TypeName(attr.type));
    detail.append(" actual: ");
    detail.append(TypeName(value->type()));
    return InvalidParameterValue(detail);
  }
  return CheckKeyValue(attr, *value, is_partition);
}

// S and B: bytes with 0x00 escaped as 00 FF, then the terminator 00 01.
// The terminator sorts below every escaped or ordinary continuation, so a
// string sorts before its extensions, and the encoding is prefix-free.
void EncodeOrderedBytes(std::string_view bytes, std::string* out) {
  for (const char c : bytes) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xFF');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

Result<std::string> DecodeOrderedBytes(std::string_view* in) {
  std::string bytes;
  std::size_t i = 0;
  const std::string_view s = *in;
  while (true) {
    if (i >= s.size()) return Status::Corruption("encoded key: unterminated bytes");
    const char c = s[i++];
    if (c != '\0') {
      bytes.push_back(c);
      continue;
    }
    if (i >= s.size()) return Status::Corruption("encoded key: truncated escape");
    const char next = s[i++];
    if (next == '\x01') break;
    if (next != '\xFF') return Status::Corruption("encoded key: bad escape");
    bytes.push_back('\0');
  }
  in->remove_prefix(i);
  return bytes;
}

Result<AttributeValue> DecodeKeyValue(AttributeType type, std::string_view* in) {
  if (type == AttributeType::kN) {
    EDDY_ASSIGN_OR_RETURN(Number n, Number::DecodeOrdered(in));
    return AttributeValue::N(n);
  }
  EDDY_ASSIGN_OR_RETURN(std::string bytes, DecodeOrderedBytes(in));
  return type == AttributeType::kS ? AttributeValue::S(std::move(bytes))
                                   : AttributeValue::B(std::move(bytes));
}

}  // namespace

Result<Item> Item::FromEntries(Entries entries) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i - 1].first == entries[i].first) {
      return InvalidParameterValue("Duplicate attribute name " + entries[i].first);
    }
  }
  return Item(std::move(entries));
}

Item Item::FromCanonical(Entries entries) {
  assert(std::adjacent_find(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
           return !(a.first < b.first);
         }) == entries.end());
  return Item(std::move(entries));
}

const AttributeValue* Item::Find(std::string_view name) const {
  auto it = FindEntry(entries_, name);
  if (it == entries_.end() || it->first != name) return nullptr;
  return &it->second;
}

void Item::Set(std::string name, AttributeValue value) {
  auto it = FindEntry(entries_, name);
  if (it != entries_.end() && it->first == name) {
    entries_[static_cast<std::size_t>(it - entries_.begin())].second = std::move(value);
    return;
  }
  entries_.emplace(it, std::move(name), std::move(value));
}

bool Item::Erase(std::string_view name) {
  auto it = FindEntry(entries_, name);
  if (it == entries_.end() || it->first != name) return false;
  entries_.erase(it);
  return true;
}

std::string Item::DebugString() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : entries_) {
    if (!first) out.push_back(',');
    first = false;
    // Reuse the value renderer for the JSON-escaped name.
    const std::string quoted = AttributeValue::S(name).DebugString();
    out.append(quoted, 5, quoted.size() - 6);  // strip {"S": and }
    out.push_back(':');
    out.append(value.DebugString());
  }
  out.push_back('}');
  return out;
}

std::size_t ItemSizeBytes(const Item& item) {
  std::size_t total = 0;
  for (const auto& [name, value] : item)
    total += name.size() + value.SizeBytes();
  return total;
}

Status CheckItemSize(const Item& item) {
  if (ItemSizeBytes(item) > kMaxItemSizeBytes) {
    return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
  }
  return Status::Ok();
}

Status ValidateKeySchema(const KeySchema& schema) {
  auto check = [](const KeyAttribute& attr) -> Status {
    if (attr.name.empty() || attr.name.size() > kMaxKeyAttributeNameBytes) {
      return InvalidParameterValue("Key attribute name " + attr.name +
                                   " must be between 1 and 255 bytes long");
    }
    if (!IsKeyType(attr.type)) {
      std::string detail = "Key attribute " + attr.name + " has type ";
      detail.append(TypeName(attr.type));
      detail.append("; key attributes must be of type S, N or B");
      return InvalidParameterValue(detail);
    }
    return Status::Ok();
  };
  EDDY_RETURN_IF_ERROR(check(schema.partition_key));
  if (schema.sort_key) {
    EDDY_RETURN_IF_ERROR(check(*schema.sort_key));
    if (schema.sort_key->name == schema.partition_key.name) {
      return InvalidParameterValue(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
  }
  return Status::Ok();
}

Status ValidateItemForTable(const Item& item, const KeySchema& schema) {
  EDDY_RETURN_IF_ERROR(CheckItemKeyAttribute(item, schema.partition_key, true));
  if (schema.sort_key) EDDY_RETURN_IF_ERROR(CheckItemKeyAttribute(item, *schema.sort_key, false));
  std::size_t size = 0;
  for (const auto& [name, value] : item) {
    // Key names were bounded by ValidateKeySchema; the rest get the general
    // limit.
    if (name.empty()) return InvalidParameterValue("An attribute name cannot be empty");
    if (name.size() > kMaxAttributeNameBytes) {
      return InvalidParameterValue("Attribute name exceeds the maximum length of 65535 bytes");
    }
    size += name.size() + value.SizeBytes();
  }
  if (size > kMaxItemSizeBytes) {
    return Status::InvalidArgument("Item size has exceeded the maximum allowed size");
  }
  return Status::Ok();
}

Status ValidateKey(const Item& key, const KeySchema& schema) {
  if (key.size() != schema.KeyAttributeCount()) return Status::InvalidArgument(kKeyMismatch);
  const AttributeValue* pk = key.Find(schema.partition_key.name);
  if (pk == nullptr || pk->type() != schema.partition_key.type) {
    return Status::InvalidArgument(kKeyMismatch);
  }
  const AttributeValue* sk = nullptr;
  if (schema.sort_key) {
    sk = key.Find(schema.sort_key->name);
    if (sk == nullptr || sk->type() != schema.sort_key->type) {
      return Status::InvalidArgument(kKeyMismatch);
    }
  }
  EDDY_RETURN_IF_ERROR(CheckKeyValue(schema.partition_key, *pk, true));
  if (sk != nullptr) EDDY_RETURN_IF_ERROR(CheckKeyValue(*schema.sort_key, *sk, false));
  return Status::Ok();
}

Result<Item> ExtractKey(const Item& item, const KeySchema& schema) {
  Item::Entries entries;
  entries.reserve(schema.KeyAttributeCount());
  auto take = [&](const KeyAttribute& attr) -> Status {
    const AttributeValue* v = item.Find(attr.name);
    if (v == nullptr || v->type() != attr.type) return Status::InvalidArgument(kKeyMismatch);
    entries.emplace_back(attr.name, *v);
    return Status::Ok();
  };
  EDDY_RETURN_IF_ERROR(take(schema.partition_key));
  if (schema.sort_key) EDDY_RETURN_IF_ERROR(take(*schema.sort_key));
  if (entries.size() == 2 && entries[1].first < entries[0].first) {
    std::swap(entries[0], entries[1]);
  }
  return Item::FromCanonical(std::move(entries));
}

void EncodeKeyValue(const AttributeValue& value, std::string* out) {
  switch (value.type()) {
    case AttributeType::kS:
      EncodeOrderedBytes(value.AsString(), out);
      return;
    case AttributeType::kB:
      EncodeOrderedBytes(value.AsBinary(), out);
      return;
    case AttributeType::kN:
      value.AsNumber().EncodeOrdered(out);
      return;
    default:
      assert(false && "key values are S, N or B");
  }
}

Status EncodeKey(const Item& item_or_key, const KeySchema& schema, std::string* out) {
  const AttributeValue* pk = item_or_key.Find(schema.partition_key.name);
  if (pk == nullptr || pk->type() != schema.partition_key.type) {
    return Status::InvalidArgument(kKeyMismatch);
  }
  const AttributeValue* sk = nullptr;
  if (schema.sort_key) {
    sk = item_or_key.Find(schema.sort_key->name);
    if (sk == nullptr || sk->type() != schema.sort_key->type) {
      return Status::InvalidArgument(kKeyMismatch);
    }
  }
  EncodeKeyValue(*pk, out);
  if (sk != nullptr) EncodeKeyValue(*sk, out);
  return Status::Ok();
}

Result<Item> DecodeKey(std::string_view encoded, const KeySchema& schema) {
  Item::Entries entries;
  entries.reserve(schema.KeyAttributeCount());
  EDDY_ASSIGN_OR_RETURN(AttributeValue pk, DecodeKeyValue(schema.partition_key.type, &encoded));
  entries.emplace_back(schema.partition_key.name, std::move(pk));
  if (schema.sort_key) {
    EDDY_ASSIGN_OR_RETURN(AttributeValue sk, DecodeKeyValue(schema.sort_key->type, &encoded));
    entries.emplace_back(schema.sort_key->name, std::move(sk));
  }
  if (!encoded.empty()) return Status::Corruption("encoded key: trailing bytes");
  if (entries.size() == 2 && entries[1].first < entries[0].first) {
    std::swap(entries[0], entries[1]);
  }
  return Item::FromCanonical(std::move(entries));
}

}  // namespace eddy
