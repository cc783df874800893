// The stream registry's checkpoint: what the log's catalog and topology
// records built (streams, shards, lineage, hash ranges, table key schemas),
// so the log that holds them can be released. The records themselves are in
// the shards' segment files, synced before the checkpoint is written.
//
// Format (docs/streams.md, "Checkpoints and log release"):
//
//   "EDDYSTRM" | version 1 | lsn | table count | (table id, key schema)*
//   | stream count | stream* | XXH3-64 of everything before it (8 bytes LE)
//   stream: table id | created us | table name | key schema | view type
//           | enabled | disabled us | next ordinal | shard count | shard*
//   shard:  ordinal | parent id | hash lo | hash hi | created us
//           | starting sequence | ending sequence (0: open) | closed us
//           | trimmed through
//
// Integers are varints, strings length-prefixed (common/byte_codec.h). ARNs,
// labels, shard IDs and directories are derived again from these fields,
// exactly as when the stream was created.

#include <algorithm>

#include "common/byte_codec.h"
#include "common/hash.h"
#include "engine/streams/registry_entries.h"

namespace eddy::engine {
namespace {

constexpr char kMagic[] = "EDDYSTRM";  // 8 bytes, no terminator written
constexpr std::size_t kMagicBytes = 8;
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kChecksumBytes = 8;

Status StreamCheckpointCorrupt(std::string_view what) {
  return Status::Corruption("stream checkpoint: " + std::string(what));
}

void PutChecksum(std::string* out) {
  std::uint64_t sum = XXH3_64bits(out->data(), out->size());
  char bytes[kChecksumBytes];
  for (std::size_t i = 0; i < kChecksumBytes; ++i)
    bytes[i] = static_cast<char>(sum >> (8 * i));
  out->append(bytes, kChecksumBytes);
}

bool ChecksumHolds(std::string_view bytes) {
  if (bytes.size() < kChecksumBytes) return false;
  std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  std::uint64_t stored = 0;
  for (std::size_t i = 0; i < kChecksumBytes; ++i)
    stored |= std::uint64_t{static_cast<unsigned char>(bytes[body.size() + i])} << (8 * i);
  return stored == XXH3_64bits(body.data(), body.size());
}

}  // namespace

StreamRegistry::Checkpoint StreamRegistry::TakeCheckpoint(Lsn lsn) const {
  Checkpoint cp;
  cp.lsn = lsn;
  std::string& out = cp.bytes;
  out.assign(kMagic, kMagicBytes);
  out.push_back(static_cast<char>(kVersion));
  PutVarint(lsn, &out);
  PutVarint(table_keys_.size(), &out);
  for (const auto& [table, schema] : table_keys_) {
    PutVarint(table, &out);
    EncodeKeySchema(schema, &out);
  }
  std::shared_lock lock(mu_);
  PutVarint(by_arn_.size(), &out);
  for (const auto& [arn, stream] : by_arn_) {
    PutVarint(stream->table_id, &out);
    PutVarint(stream->created_us, &out);
    PutBytes(stream->table_name, &out);
    EncodeKeySchema(stream->key_schema, &out);
    out.push_back(static_cast<char>(stream->view_type));
    out.push_back(stream->enabled.load(std::memory_order_acquire) ? 1 : 0);
    PutVarint(stream->disabled_us, &out);
    PutVarint(stream->next_ordinal, &out);
    PutVarint(stream->shards.size(), &out);
    for (const auto& shard : stream->shards) {
      PutVarint(shard->ordinal, &out);
      PutBytes(shard->parent_id, &out);
      PutVarint(shard->hash_lo, &out);
      PutVarint(shard->hash_hi, &out);
      PutVarint(shard->created_us, &out);
      PutVarint(shard->starting_sequence, &out);
      PutVarint(shard->ending_sequence.load(std::memory_order_acquire), &out);
      PutVarint(shard->closed_us, &out);
      PutVarint(shard->shard->trimmed_through(), &out);
      for (auto& segment : shard->shard->UnsyncedSegments())
        cp.unsynced.push_back(std::move(segment));
    }
  }
  PutChecksum(&out);
  return cp;
}

Result<Lsn> StreamRegistry::RestoreCheckpoint(std::string_view bytes) {
  if (bytes.size() < kMagicBytes + 1 + kChecksumBytes ||
      bytes.substr(0, kMagicBytes) != std::string_view(kMagic, kMagicBytes)) {
    return StreamCheckpointCorrupt("bad magic");
  }
  if (!ChecksumHolds(bytes)) return StreamCheckpointCorrupt("bad checksum");
  ByteReader in(bytes.substr(kMagicBytes, bytes.size() - kMagicBytes - kChecksumBytes));
  std::uint8_t version;
  Lsn lsn;
  std::size_t tables, streams;
  if (!in.ReadByte(&version) || version != kVersion)
    return StreamCheckpointCorrupt("unknown version");
  if (!in.ReadVarint(&lsn) || !in.ReadCount(2, &tables)) return StreamCheckpointCorrupt("header");
  for (std::size_t i = 0; i < tables; ++i) {
    TableId table;
    KeySchema schema;
    if (!in.ReadVarint(&table) || !DecodeKeySchema(&in, &schema))
      return StreamCheckpointCorrupt("table keys");
    table_keys_[table] = std::move(schema);
  }
  if (!in.ReadCount(8, &streams)) return StreamCheckpointCorrupt("stream count");
  for (std::size_t i = 0; i < streams; ++i) {
    auto stream = std::make_shared<Stream>();
    std::string_view table_name;
    std::uint8_t view_type, enabled;
    std::uint64_t next_ordinal;
    std::size_t shard_count;
    if (!in.ReadVarint(&stream->table_id) || !in.ReadVarint(&stream->created_us) ||
        !in.ReadLengthPrefixed(&table_name) || !DecodeKeySchema(&in, &stream->key_schema) ||
        !in.ReadByte(&view_type) || view_type > static_cast<std::uint8_t>(3) ||
        !in.ReadByte(&enabled) || enabled > 1 || !in.ReadVarint(&stream->disabled_us) ||
        !in.ReadVarint(&next_ordinal) || next_ordinal > UINT32_MAX ||
        !in.ReadCount(9, &shard_count)) {
      return StreamCheckpointCorrupt("stream " + std::to_string(i));
    }
    stream->table_name = std::string(table_name);
    stream->view_type = static_cast<StreamViewType>(view_type);
    stream->enabled.store(enabled == 1, std::memory_order_relaxed);
    stream->next_ordinal = static_cast<std::uint32_t>(next_ordinal);
    NameStream(stream.get());
    for (std::size_t j = 0; j < shard_count; ++j) {
      auto shard = std::make_shared<StreamShard>(options_.read_cache_bytes);
      std::uint64_t ordinal, ending, trimmed;
      std::string_view parent;
      if (!in.ReadVarint(&ordinal) || ordinal >= next_ordinal || !in.ReadLengthPrefixed(&parent) ||
          !in.ReadVarint(&shard->hash_lo) || !in.ReadVarint(&shard->hash_hi) ||
          !in.ReadVarint(&shard->created_us) || !in.ReadVarint(&shard->starting_sequence) ||
          !in.ReadVarint(&ending) || !in.ReadVarint(&shard->closed_us) ||
          !in.ReadVarint(&trimmed)) {
        return StreamCheckpointCorrupt("stream " + stream->arn + " shard " + std::to_string(j));
      }
      shard->ordinal = static_cast<std::uint32_t>(ordinal);
      shard->parent_id = std::string(parent);
      shard->ending_sequence.store(ending, std::memory_order_relaxed);
      EDDY_RETURN_IF_ERROR(OpenShardFiles(*stream, shard.get()));
      shard->shard->NoteTrimmed(trimmed);
      if (ending != 0) {
        EDDY_RETURN_IF_ERROR(shard->shard->CloseShard());
      } else if (stream->enabled.load(std::memory_order_relaxed)) {
        stream->open.push_back(shard.get());
      }
      stream->shards.push_back(std::move(shard));
    }
    std::sort(stream->open.begin(), stream->open.end(),
              [](const StreamShard* a, const StreamShard* b) { return a->hash_lo < b->hash_lo; });
    if (stream->enabled.load(std::memory_order_relaxed)) {
      if (stream->open.empty() || active_.contains(stream->table_id)) {
        return StreamCheckpointCorrupt("stream " + stream->arn +
                                       ": enabled without a single open shard set");
      }
      active_[stream->table_id] = stream.get();
    }
    std::unique_lock lock(mu_);
    by_arn_[stream->arn] = std::move(stream);
  }
  if (!in.done()) return StreamCheckpointCorrupt("trailing bytes");
  return lsn;
}

}  // namespace eddy::engine
