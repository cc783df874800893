// Options of an open Eddy directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "eddy/clock.h"
#include "eddy/sync_mode.h"

namespace eddy {

struct Options {
  std::string dir;  // created if missing
  SyncMode sync_mode = SyncMode::kBatch;
  std::uint32_t sync_interval_ms = 10;  // sync mode interval
  // Write-ahead log segment size. The log's disk use is whole segments: those
  // holding records not yet in table files, plus one pre-written spare
  // (docs/durability.md, "Disk use").
  std::uint64_t wal_segment_bytes = 16ull << 20;
  std::uint32_t wal_max_inflight_writes = 0;  // 0: by sync mode (wal::WalOptions)
  Clock* clock = nullptr;                     // nullptr: the real clock
  // Print log recovery progress on stderr; default: when stderr is a terminal.
  std::optional<bool> report_progress;

  // ---- Table files (docs/flush_and_compaction.md)
  // The active memtable becomes immutable and is flushed to a table file
  // once it holds more than this many bytes.
  std::uint64_t memtable_budget_bytes = 64ull << 20;
  // Verified table blocks kept in memory, shared by every table file.
  std::uint64_t block_cache_bytes = 64ull << 20;
  // Read table files' data blocks through read-only memory mappings (no
  // system call or copy per block) rather than pread. The cost: an I/O error
  // under a mapping kills the process with SIGBUS instead of failing the
  // read with IOError (docs/sstable_format.md, "I/O choices").
  bool map_table_files = true;
  // Bits per key of each table file's bloom filter (docs/sstable_format.md,
  // "Filter block"). Every write reads the item it replaces, so a new key
  // asks the filter of every file; a false positive costs a block read and
  // its checksum. 0: no filter. At most 40.
  std::uint32_t table_bloom_bits_per_key = 10;
  // Background compaction's write rate limit; 0: unpaced.
  std::uint64_t compaction_bytes_per_s = 64ull << 20;
  // Tiered compaction merges every table file into one once all of them
  // together hold more than this many times the bytes of the oldest (the
  // last full merge's output): the bound on the table files' space
  // amplification under overwrites. Lower keeps less garbage on disk and
  // rewrites everything more often (docs/flush_and_compaction.md, "Space
  // or rewriting"). At least 1.05.
  double compaction_max_space_amp = 1.25;

  // ---- Streams (docs/streams.md)
  std::string region = "us-east-1";              // in stream ARNs and records' awsRegion
  std::string account = "000000000000";          // 12 digits, in ARNs
  std::uint64_t stream_retention_s = 24 * 3600;  // records expire after this (60 s .. 35 days)
  std::uint64_t shard_iterator_lifetime_s = 15 * 60;
  std::uint64_t shard_rollover_s = 4 * 3600;  // an open shard closes and hands over after this
  std::uint32_t stream_initial_shards = 1;    // per new stream, unless the table says otherwise
  // An open shard that takes more than this many records per second, on
  // average over a 10 s window, splits in two. 0: never split.
  std::uint32_t shard_split_records_per_s = 20000;
  std::uint64_t stream_segment_bytes = 64ull << 20;  // a segment file's maximum size
  // GetRecords decodes a shard's records once and shares them with every
  // reader of the shard: each shard keeps its most recently decoded records
  // up to this many bytes (as they lie in the segment; decoded they take two
  // to three times that). Readers tailing a shard read within milliseconds
  // of each other, so a little covers them; a reader further behind decodes
  // its own. 0: every call decodes its own records.
  std::uint64_t stream_read_cache_bytes = 1ull << 20;
  // How often the Time to Live sweeper scans tables with TTL enabled.
  std::uint32_t ttl_sweep_interval_s = 60;
};

}  // namespace eddy
