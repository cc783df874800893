// Peer stores (RocksDB, LevelDB from Debian) driven through the same loops as
// Eddy, in the same process and run, so results are ratios taken under the
// same machine noise. Linked only into eddy-bench.
//
// Settings shared by every peer, as in docs/performance-anchors.md: the
// library's defaults, compression off, WAL on; each Put's WriteOptions.sync
// is chosen per call. PeerOptions overrides the memory knobs (memtable,
// block cache, bloom filter) when a workload gives every engine the same
// budget. Each peer opens a directory the caller removes.
//
// Threads: Put, Get and Scan may be called from any number of threads (both
// libraries group-commit concurrent writers); Close once, after the callers
// joined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/types.h"

namespace eddy::bench {

// 0 (or false) keeps the library's default. Compression is off whatever
// these say.
struct PeerOptions {
  std::uint64_t write_buffer_bytes = 0;  // a memtable's size (LevelDB clips to 1 GiB)
  int max_write_buffers = 0;             // RocksDB: memtables before writes stall
  std::uint64_t block_cache_bytes = 0;   // LRU block cache
  int bloom_bits_per_key = 0;            // 0: no filter (both libraries' default)
  int max_open_files = 0;                // LevelDB's table cache (RocksDB's default: all)
  // RocksDB: replay the log into memtables without writing them to L0 at
  // the end of recovery (avoid_flush_during_recovery).
  bool avoid_flush_during_recovery = false;
  bool error_if_exists = true;  // false: open what is there (after a crash)
};

class PeerDb {
 public:
  virtual ~PeerDb() = default;
  virtual Status Put(ByteSpan key, ByteSpan value, bool sync) = 0;
  // NotFound when the key is absent.
  virtual Status Get(ByteSpan key, std::string* value) = 0;
  // A fresh iterator per call (as db_bench's seekrandom): seeks to `start`
  // and reads up to `count` entries while their keys begin with `prefix`,
  // copying each key and value into *key / *value (the last one read stays
  // there). *found: entries read.
  virtual Status Scan(ByteSpan start, ByteSpan prefix, std::size_t count, std::string* key,
                      std::string* value, std::size_t* found) = 0;
  // True while a flush or compaction runs or is due; nullopt when the
  // library cannot say (LevelDB).
  virtual std::optional<bool> BackgroundBusy() = 0;
  // Flushes nothing on purpose: it only closes, so a cell's timing never
  // includes it and the directory can be removed.
  virtual Status Close() = 0;
  // "rocksdb 7.8.3" and the like, for the docs.
  virtual std::string Describe() const = 0;
};

// The peers known to OpenPeer, in report order.
const std::vector<std::string>& PeerEngines();

// engine: one of PeerEngines(). `dir` must exist (and be empty, unless
// options.error_if_exists is false).
Result<std::unique_ptr<PeerDb>> OpenPeer(std::string_view engine, const std::filesystem::path& dir,
                                         const PeerOptions& options = {});

}  // namespace eddy::bench
