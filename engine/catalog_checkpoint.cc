// The catalog's checkpoint (docs/log_records.md, "Catalog checkpoint"):
//
//   version 1 | catalog_lsn | counts_lsn | next_table_id | table count
//   per table: length-prefixed catalog record (kCreateTable with the
//              table's current stream setting) | ttl enabled (1 byte) |
//              ttl attribute (length-prefixed) | item count (varint of the
//              count's two's-complement bits)
//
// Tables are written as the catalog records that would create them, so the
// key schema and stream encodings are the log's own. The manifest's
// checksum covers the whole checkpoint.
#include <mutex>

#include "common/byte_codec.h"
#include "engine/catalog.h"

namespace eddy::engine {
namespace {

constexpr std::uint8_t kCheckpointVersion = 1;

Status CheckpointCorrupt(std::string_view what) {
  return Status::Corruption("catalog checkpoint: " + std::string(what));
}

}  // namespace

std::vector<std::pair<TableId, std::int64_t>> Catalog::ItemCounts() const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<TableId, std::int64_t>> counts;
  counts.reserve(by_id_.size());
  for (const auto& [id, state] : by_id_)
    counts.emplace_back(id, state->item_count->load(std::memory_order_relaxed));
  return counts;
}

void Catalog::EncodeCheckpoint(Lsn catalog_lsn, Lsn counts_lsn,
                               const std::vector<std::pair<TableId, std::int64_t>>& counts,
                               std::string* out) const {
  std::unordered_map<TableId, std::int64_t> count_of(counts.begin(), counts.end());
  std::shared_lock lock(mu_);
  out->push_back(static_cast<char>(kCheckpointVersion));
  PutVarint(catalog_lsn, out);
  PutVarint(counts_lsn, out);
  PutVarint(next_id_, out);
  PutVarint(by_id_.size(), out);
  std::string record_bytes;
  for (const auto& [id, state] : by_id_) {
    const TableDescription& d = state->description;
    CatalogRecord r;
    r.op = CatalogRecord::Op::kCreateTable;
    r.table_id = id;
    r.time_us = d.creation_time_us;
    r.name = d.name;
    r.key_schema = d.key_schema;
    r.stream = d.stream;
    record_bytes.clear();
    EncodeCatalogRecord(r, &record_bytes);
    PutBytes(record_bytes, out);
    out->push_back(d.time_to_live.enabled ? 1 : 0);
    PutBytes(d.time_to_live.attribute_name, out);
    auto it = count_of.find(id);
    PutVarint(static_cast<std::uint64_t>(it == count_of.end() ? 0 : it->second), out);
  }
}

Result<Catalog::CheckpointLsns> Catalog::Restore(std::string_view bytes) {
  ByteReader in(bytes);
  std::uint8_t version;
  CheckpointLsns lsns;
  TableId next_id;
  std::size_t tables;
  if (!in.ReadByte(&version) || version != kCheckpointVersion) return CheckpointCorrupt("version");
  if (!in.ReadVarint(&lsns.catalog) || !in.ReadVarint(&lsns.counts) || !in.ReadVarint(&next_id) ||
      !in.ReadCount(4, &tables)) {
    return CheckpointCorrupt("header");
  }
  std::map<std::string, std::shared_ptr<const TableState>, std::less<>> by_name;
  std::unordered_map<TableId, std::shared_ptr<const TableState>> by_id;
  for (std::size_t i = 0; i < tables; ++i) {
    std::string_view record_bytes, ttl_attribute;
    std::uint8_t ttl_enabled;
    std::uint64_t count;
    if (!in.ReadLengthPrefixed(&record_bytes) || !in.ReadByte(&ttl_enabled) || ttl_enabled > 1 ||
        !in.ReadLengthPrefixed(&ttl_attribute) || !in.ReadVarint(&count)) {
      return CheckpointCorrupt("table " + std::to_string(i));
    }
    EDDY_ASSIGN_OR_RETURN(CatalogRecord r, DecodeCatalogRecord(record_bytes));
    if (r.op != CatalogRecord::Op::kCreateTable || r.table_id >= next_id ||
        by_name.contains(r.name) || by_id.contains(r.table_id)) {
      return CheckpointCorrupt("table " + r.name);
    }
    auto state = std::make_shared<TableState>();
    state->description.name = r.name;
    state->description.key_schema = r.key_schema;
    state->description.stream = r.stream;
    state->description.table_id = r.table_id;
    state->description.creation_time_us = r.time_us;
    state->description.time_to_live.enabled = ttl_enabled == 1;
    state->description.time_to_live.attribute_name = std::string(ttl_attribute);
    state->item_count =
        std::make_shared<std::atomic<std::int64_t>>(static_cast<std::int64_t>(count));
    by_name[r.name] = state;
    by_id[r.table_id] = std::move(state);
  }
  if (!in.done()) return CheckpointCorrupt("trailing bytes");
  std::unique_lock lock(mu_);
  by_name_ = std::move(by_name);
  by_id_ = std::move(by_id);
  next_id_ = next_id;
  return lsns;
}

}  // namespace eddy::engine
