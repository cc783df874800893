// The registry's entries: a stream and its shards. Private to the
// registry's own files (stream_registry.cc, stream_registry_checkpoint.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/streams/decoded_records.h"
#include "engine/streams/stream_registry.h"

namespace eddy::engine {

struct StreamRegistry::StreamShard {
  explicit StreamShard(std::uint64_t read_cache_bytes) : decoded(read_cache_bytes) {}

  std::uint32_t ordinal = 0;
  std::string id;
  std::string parent_id;
  std::uint64_t hash_lo = 0, hash_hi = 0;  // inclusive range of partition key hashes
  std::uint64_t created_us = 0;
  std::uint64_t starting_sequence = 0;
  std::atomic<std::uint64_t> ending_sequence{0};  // 0: open
  std::uint64_t closed_us = 0;                    // GUARDED_BY(mu_)
  std::shared_ptr<shards::Shard> shard;
  // Load, for split decisions: the producer counts, maintenance reads.
  std::atomic<std::uint64_t> records{0};
  std::uint64_t window_start_us = 0;  // maintenance only
  std::uint64_t window_records = 0;   // maintenance only
  bool touched = false;               // producer only
  // GetRecords' decoded records, shared by the shard's readers.
  DecodedRecordCache decoded;
};

struct StreamRegistry::Stream {
  TableId table_id = 0;
  std::uint64_t created_us = 0;
  std::string key;  // "<table id>-<created us>": the directory name
  std::string table_name, label, arn, dir;
  KeySchema key_schema;
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  std::atomic<bool> enabled{true};
  std::uint64_t disabled_us = 0;                     // GUARDED_BY(mu_)
  std::vector<std::shared_ptr<StreamShard>> shards;  // GUARDED_BY(mu_), by ordinal
  std::uint32_t next_ordinal = 0;                    // producer only
  std::vector<StreamShard*> open;                    // producer only, by hash_lo
};

}  // namespace eddy::engine
