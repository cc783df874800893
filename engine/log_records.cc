#include "engine/log_records.h"

#include "common/byte_codec.h"

namespace eddy::engine {
namespace {

constexpr std::uint8_t kHasOldImage = 1;
constexpr std::uint8_t kByService = 2;  // a delete made by the engine (TTL)

Status RecordCorrupt(std::string_view what) {
  return Status::Corruption("log record: " + std::string(what));
}

void PutKeyAttribute(const KeyAttribute& attr, std::string* out) {
  PutBytes(attr.name, out);
  PutBytes(TypeName(attr.type), out);  // "S", "N" or "B": stable on disk
}

bool ReadKeyAttribute(ByteReader* in, KeyAttribute* attr) {
  std::string_view name, type_name;
  if (!in->ReadLengthPrefixed(&name) || !in->ReadLengthPrefixed(&type_name)) return false;
  std::optional<AttributeType> t = TypeFromName(type_name);
  if (!t || (*t != AttributeType::kS && *t != AttributeType::kN && *t != AttributeType::kB)) {
    return false;
  }
  attr->name = std::string(name);
  attr->type = *t;
  return true;
}

}  // namespace

void EncodeKeySchema(const KeySchema& schema, std::string* out) {
  PutKeyAttribute(schema.partition_key, out);
  out->push_back(schema.sort_key ? 1 : 0);
  if (schema.sort_key) PutKeyAttribute(*schema.sort_key, out);
}

bool DecodeKeySchema(ByteReader* in, KeySchema* schema) {
  std::uint8_t has_sort;
  if (!ReadKeyAttribute(in, &schema->partition_key) || !in->ReadByte(&has_sort) || has_sort > 1) {
    return false;
  }
  schema->sort_key.reset();
  if (has_sort) {
    KeyAttribute sort;
    if (!ReadKeyAttribute(in, &sort)) return false;
    schema->sort_key = sort;
  }
  return true;
}

void EncodeCatalogRecord(const CatalogRecord& r, std::string* out) {
  out->push_back(static_cast<char>(kLogRecordVersion));
  out->push_back(static_cast<char>(r.op));
  PutVarint(r.table_id, out);
  PutVarint(r.time_us, out);
  PutBytes(r.name, out);
  if (r.op == CatalogRecord::Op::kCreateTable) EncodeKeySchema(r.key_schema, out);
  if (r.op == CatalogRecord::Op::kUpdateTimeToLive) {
    out->push_back(r.ttl.enabled ? 1 : 0);
    PutBytes(r.ttl.attribute_name, out);
  } else if (r.op != CatalogRecord::Op::kDeleteTable) {
    out->push_back(r.stream.enabled ? 1 : 0);
    out->push_back(static_cast<char>(r.stream.view_type));
    PutVarint(r.stream.initial_shards, out);
  }
}

Result<CatalogRecord> DecodeCatalogRecord(std::string_view bytes) {
  ByteReader in(bytes);
  CatalogRecord r;
  std::uint8_t version, op;
  std::string_view name;
  if (!in.ReadByte(&version) || version < 1 || version > kLogRecordVersion) {
    return RecordCorrupt("catalog version");
  }
  if (!in.ReadByte(&op) || op < 1 || op > 4) return RecordCorrupt("catalog op");
  r.op = static_cast<CatalogRecord::Op>(op);
  if (!in.ReadVarint(&r.table_id) || !in.ReadVarint(&r.time_us) || !in.ReadLengthPrefixed(&name)) {
    return RecordCorrupt("catalog fields");
  }
  r.name = std::string(name);
  if (r.op == CatalogRecord::Op::kCreateTable && !DecodeKeySchema(&in, &r.key_schema)) {
    return RecordCorrupt("catalog key schema");
  }
  if (r.op == CatalogRecord::Op::kUpdateTimeToLive) {
    std::uint8_t enabled;
    std::string_view attribute;
    if (!in.ReadByte(&enabled) || enabled > 1 || !in.ReadLengthPrefixed(&attribute)) {
      return RecordCorrupt("catalog time to live");
    }
    r.ttl.enabled = enabled == 1;
    r.ttl.attribute_name = std::string(attribute);
  } else if (r.op != CatalogRecord::Op::kDeleteTable) {
    std::uint8_t enabled, view;
    if (!in.ReadByte(&enabled) || enabled > 1 || !in.ReadByte(&view) || view > 3) {
      return RecordCorrupt("catalog stream");
    }
    r.stream.enabled = enabled == 1;
    r.stream.view_type = static_cast<StreamViewType>(view);
    std::uint64_t shards = 0;
    if (version >= 2 && (!in.ReadVarint(&shards) || shards > kMaxInitialShards)) {
      return RecordCorrupt("catalog stream shards");
    }
    r.stream.initial_shards = static_cast<std::uint32_t>(shards);
  }
  if (!in.done()) return RecordCorrupt("catalog trailing bytes");
  return r;
}

void EncodeChangeGroup(std::span<const ItemChange> changes, std::string* out) {
  out->push_back(static_cast<char>(kLogRecordVersion));
  PutVarint(changes.size(), out);
  for (const ItemChange& c : changes) {
    PutVarint(c.table_id, out);
    out->push_back(static_cast<char>(c.type));
    out->push_back(
        static_cast<char>((c.has_old_image ? kHasOldImage : 0) | (c.by_service ? kByService : 0)));
    PutBytes(c.item_key, out);
    if (c.type != ChangeType::kRemove) PutBytes(c.new_item, out);
    if (c.has_old_image) PutBytes(c.old_image, out);
  }
}

Status DecodeChangeGroup(std::string_view bytes, std::vector<ItemChange>* changes) {
  changes->clear();
  ByteReader in(bytes);
  std::uint8_t version;
  std::size_t count;
  if (!in.ReadByte(&version) || version < 1 || version > kLogRecordVersion) {
    return RecordCorrupt("change version");
  }
  if (!in.ReadCount(4, &count) || count == 0) return RecordCorrupt("change count");
  changes->reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    ItemChange c;
    std::uint8_t type, flags;
    if (!in.ReadVarint(&c.table_id) || !in.ReadByte(&type) || type < 1 || type > 3 ||
        !in.ReadByte(&flags) || (flags & ~(kHasOldImage | kByService)) != 0 ||
        !in.ReadLengthPrefixed(&c.item_key)) {
      return RecordCorrupt("change header");
    }
    c.type = static_cast<ChangeType>(type);
    c.has_old_image = (flags & kHasOldImage) != 0;
    c.by_service = (flags & kByService) != 0;
    if (c.type != ChangeType::kRemove && !in.ReadLengthPrefixed(&c.new_item)) {
      return RecordCorrupt("change new item");
    }
    if (c.has_old_image && !in.ReadLengthPrefixed(&c.old_image))
      return RecordCorrupt("change old image");
    changes->push_back(c);
  }
  if (!in.done()) return RecordCorrupt("change trailing bytes");
  return Status::Ok();
}

}  // namespace eddy::engine

namespace eddy::engine {

void EncodeShardTopologyRecord(const ShardTopologyRecord& r, std::string* out) {
  out->push_back(static_cast<char>(kLogRecordVersion));
  out->push_back(static_cast<char>(r.op));
  PutVarint(r.table_id, out);
  PutVarint(r.stream_created_us, out);
  PutVarint(r.shard_ordinal, out);
  PutVarint(r.time_us, out);
}

Result<ShardTopologyRecord> DecodeShardTopologyRecord(std::string_view bytes) {
  ByteReader in(bytes);
  ShardTopologyRecord r;
  std::uint8_t version, op;
  std::uint64_t ordinal;
  if (!in.ReadByte(&version) || version != kLogRecordVersion || !in.ReadByte(&op) || op < 1 ||
      op > 2 || !in.ReadVarint(&r.table_id) || !in.ReadVarint(&r.stream_created_us) ||
      !in.ReadVarint(&ordinal) || ordinal > UINT32_MAX || !in.ReadVarint(&r.time_us) ||
      !in.done()) {
    return Status::Corruption("undecodable shard topology record");
  }
  r.op = static_cast<ShardTopologyRecord::Op>(op);
  r.shard_ordinal = static_cast<std::uint32_t>(ordinal);
  return r;
}

}  // namespace eddy::engine
