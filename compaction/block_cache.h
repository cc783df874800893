// BlockCache: a bounded cache of recently used, verified blocks, shared by
// every TableReader of an engine.
//
// Keyed by (file number, block offset). File numbers are never reused while
// the cache lives (the manifest hands them out), so a deleted file's blocks
// are never mistaken for a new file's; they simply age out.
//
// Design: kShardCount shards, each an LRU list plus a hash map under its own
// mutex, picked by a hash of the key, so concurrent readers rarely contend.
// Capacity is in bytes (a block's size plus a fixed overhead), split evenly
// over the shards. Values are std::shared_ptr<const Block>: eviction drops
// the cache's reference only, so a block an iterator still reads stays
// alive until that iterator lets go. (Refcounted handles with explicit
// Release, as leveldb has, save an atomic per lookup but make every caller
// remember to release; shared_ptr cannot leak a pin.)
//
// Admission. With kSecondMiss a block enters the cache only when it was
// offered once before, recently: each shard remembers the fingerprints of
// the last blocks it turned away in a small direct-mapped table (as many
// slots as the shard holds blocks of 4 KiB). A table many times the cache,
// read at random, misses nearly always; admitting every miss would evict
// one block per read (map erase, list node, free: with the lookups, an
// eighth of the writer's time in overwriterandom at 10^7 items) for a hit
// rate of a few percent. A block read twice within about a cache's worth
// of misses still gets in, and a one-pass scan's blocks mostly do not. The
// engine's cache uses it; kAlways is plain LRU.
//
// Thread-safety: every member is thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "compaction/block.h"

namespace eddy::compaction {

class BlockCache {
 public:
  static constexpr std::size_t kShardCount = 16;
  // Bytes charged per block on top of its contents: list node, map node,
  // control block.
  static constexpr std::size_t kEntryOverheadBytes = 128;

  enum class Admission { kAlways, kSecondMiss };

  explicit BlockCache(std::size_t capacity_bytes, Admission admission = Admission::kAlways);

  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // The block cached under the key, or null; a hit becomes most recent.
  std::shared_ptr<const Block> Lookup(std::uint64_t file_number, std::uint64_t offset);
  // Caches `block` (replacing any block under the key) and evicts least
  // recently used blocks until the shard fits; with Admission::kSecondMiss
  // only if the same key was offered recently (see above). A block larger
  // than a whole shard is not cached.
  void Insert(std::uint64_t file_number, std::uint64_t offset, std::shared_ptr<const Block> block);
  // Drops every block of one file (after the file is deleted), to free the
  // memory sooner than ageing would.
  void EraseFile(std::uint64_t file_number);

  std::size_t capacity_bytes() const { return capacity_bytes_; }
  // Bytes charged now, over all shards.
  std::size_t usage_bytes() const;
  // Lookups that hit / missed since creation; inserts turned away.
  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::uint64_t rejected() const;

 private:
  struct Key {
    std::uint64_t file_number;
    std::uint64_t offset;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    std::shared_ptr<const Block> block;
    std::size_t charge;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // GUARDED_BY(mu); front = most recent
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> map;  // GUARDED_BY(mu)
    std::size_t usage = 0;                                             // GUARDED_BY(mu)
    std::uint64_t hits = 0;                                            // GUARDED_BY(mu)
    std::uint64_t misses = 0;                                          // GUARDED_BY(mu)
    std::uint64_t rejected = 0;                                        // GUARDED_BY(mu)
    // Admission::kSecondMiss: fingerprints of recently turned-away keys,
    // indexed by hash bits (0: empty).
    std::vector<std::uint32_t> offered;  // GUARDED_BY(mu)
  };

  Shard& ShardFor(std::uint64_t hash);
  // One counter added up over the shards, each read under its mutex.
  template <typename T>
  T SumOverShards(T Shard::*counter) const;
  // Admission::kSecondMiss: whether the key was offered before (and forget
  // it), else remember it. Caller holds shard.mu.
  bool AdmitLocked(Shard& shard, std::uint64_t hash);

  const std::size_t capacity_bytes_;
  const Admission admission_;
  const std::size_t shard_capacity_bytes_;
  Shard shards_[kShardCount];
};

}  // namespace eddy::compaction
