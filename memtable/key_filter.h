// KeyFilter: a bloom filter over the keys a memtable holds, so that a point
// read of a key the memtable never saw skips the skip-list search.
//
// Why: below the memtable's budget a search is a chain of a dozen or more
// dependent cache misses (one per tower step), and most point reads of a
// table larger than one memtable are for keys the memtable does not hold:
// at 10^6 items the search of the active memtable was 35 % of readrandom's
// CPU. RocksDB offers the same (memtable_prefix_bloom_size_ratio with whole
// key filtering), off by default.
//
// Layout: a blocked bloom filter (common/blocked_bloom.h) over the keys'
// XXH3 hashes: a key's kProbes probes all fall in one 64-byte block, so Add
// and MayContain each touch one cache line. The size is fixed when the
// memtable is made (the engine gives it a fraction of the memtable budget),
// so the false-positive rate grows if a memtable holds more keys than
// expected; a false positive only costs the search it would have made.
//
// Memory: calloc'd, so a large filter costs pages only as keys land in them
// (a fresh mapping is zero already and the allocator does not clear it).
//
// Thread-safety: Add may run concurrently with Add and MayContain (atomic
// OR on relaxed words, through std::atomic_ref). A key's bits are set before its skip-list node is
// linked; a reader that the write happens-before (it saw the write's
// acknowledgement) therefore sees them, and a reader racing with an
// unfinished write may miss the key, as it may miss the node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/blocked_bloom.h"

namespace eddy::memtable {

class KeyFilter {
 public:
  static constexpr std::size_t kBlockBytes = blocked_bloom::kBlockBytes;
  static constexpr int kProbes = 6;

  // `bytes` rounds down to whole blocks; below one block the filter is off
  // (MayContain is always true, Add does nothing).
  explicit KeyFilter(std::size_t bytes);
  KeyFilter(const KeyFilter&) = delete;
  KeyFilter& operator=(const KeyFilter&) = delete;

  // Add and MayContain take blocked_bloom::KeyHash(key).
  void Add(std::uint64_t hash);
  // Adds count keys, key_at(i) for i in [0, count), several cache lines in
  // flight at a time (recovery's bulk load adds millions of keys at once).
  template <typename KeyAt>
  void AddMany(std::size_t count, KeyAt key_at);

  bool MayContain(std::uint64_t hash) const;
  // Starts loading the key's block, for an Add or MayContain soon after.
  void Prefetch(std::uint64_t hash) const {
    if (blocks_ != 0) __builtin_prefetch(Block(hash));
  }

  std::size_t bytes() const { return blocks_ * kBlockBytes; }

 private:
  static constexpr std::size_t kWordsPerBlock = kBlockBytes / sizeof(std::uint64_t);
  static constexpr std::size_t kAddLookahead = 8;

  struct Free {
    void operator()(void* p) const;
  };

  std::uint64_t* Block(std::uint64_t hash) const {
    return words_ + blocked_bloom::BlockOf(hash, blocks_) * kWordsPerBlock;
  }
  // The block's words ORed with the key's probe bits.
  static void ProbeMasks(std::uint64_t hash, std::uint64_t masks[kWordsPerBlock]);

  std::uint64_t blocks_;
  std::unique_ptr<void, Free> allocation_;
  std::uint64_t* words_ = nullptr;  // the first block-aligned word of allocation_
};

template <typename KeyAt>
void KeyFilter::AddMany(std::size_t count, KeyAt key_at) {
  if (blocks_ == 0) return;
  std::uint64_t ahead[kAddLookahead];
  for (std::size_t i = 0; i < count + kAddLookahead; ++i) {
    if (i >= kAddLookahead) Add(ahead[i % kAddLookahead]);
    if (i < count) {
      ahead[i % kAddLookahead] = blocked_bloom::KeyHash(key_at(i));
      Prefetch(ahead[i % kAddLookahead]);
    }
  }
}

}  // namespace eddy::memtable
