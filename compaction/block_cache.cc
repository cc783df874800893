#include "compaction/block_cache.h"

#include "common/hash.h"

namespace eddy::compaction {

std::size_t BlockCache::KeyHash::operator()(const Key& k) const {
  std::uint64_t words[2] = {k.file_number, k.offset};
  return static_cast<std::size_t>(XXH3_64bits(words, sizeof(words)));
}

namespace {

// Admission slots per shard: about the blocks of 4 KiB a shard holds, a
// power of two, at least 64.
std::size_t OfferedSlots(std::size_t shard_capacity_bytes) {
  std::size_t slots = 64;
  while (slots < shard_capacity_bytes / 4096)
    slots *= 2;
  return slots;
}

// A fingerprint from hash bits that neither the shard (top 4) nor the slot
// (low bits) uses up; never 0, which marks an empty slot.
std::uint32_t Fingerprint(std::uint64_t hash) {
  return static_cast<std::uint32_t>(hash >> 28) | 1u;
}

}  // namespace

BlockCache::BlockCache(std::size_t capacity_bytes, Admission admission)
    : capacity_bytes_(capacity_bytes),
      admission_(admission),
      shard_capacity_bytes_(capacity_bytes / kShardCount) {
  if (admission_ == Admission::kSecondMiss) {
    for (Shard& shard : shards_)
      shard.offered.assign(OfferedSlots(shard_capacity_bytes_), 0);
  }
}

BlockCache::Shard& BlockCache::ShardFor(std::uint64_t hash) {
  // The map uses the low bits of the same hash; the shard takes the top ones.
  return shards_[hash >> 60];
}

bool BlockCache::AdmitLocked(Shard& shard, std::uint64_t hash) {
  std::uint32_t& slot = shard.offered[hash & (shard.offered.size() - 1)];
  const std::uint32_t fingerprint = Fingerprint(hash);
  if (slot == fingerprint) {
    slot = 0;
    return true;
  }
  slot = fingerprint;
  ++shard.rejected;
  return false;
}
static_assert(BlockCache::kShardCount == 16, "ShardFor takes 4 bits");

std::shared_ptr<const Block> BlockCache::Lookup(std::uint64_t file_number, std::uint64_t offset) {
  Key key{file_number, offset};
  Shard& shard = ShardFor(KeyHash{}(key));
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(key);
  if (it == shard.map.end()) {
    ++shard.misses;
    return nullptr;
  }
  ++shard.hits;
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->block;
}

void BlockCache::Insert(std::uint64_t file_number, std::uint64_t offset,
                        std::shared_ptr<const Block> block) {
  Key key{file_number, offset};
  std::size_t charge = block->size() + kEntryOverheadBytes;
  if (charge > shard_capacity_bytes_) return;
  const std::uint64_t hash = KeyHash{}(key);
  Shard& shard = ShardFor(hash);
  // Dropped references are released after the lock, so a block's memory is
  // not freed while other readers wait on the shard.
  std::list<Entry> evicted;
  {
    std::lock_guard lock(shard.mu);
    if (admission_ == Admission::kSecondMiss && !AdmitLocked(shard, hash)) return;
    if (auto it = shard.map.find(key); it != shard.map.end()) {
      shard.usage -= it->second->charge;
      evicted.splice(evicted.end(), shard.lru, it->second);
      shard.map.erase(it);
    }
    shard.lru.push_front(Entry{key, std::move(block), charge});
    shard.map.emplace(key, shard.lru.begin());
    shard.usage += charge;
    while (shard.usage > shard_capacity_bytes_) {
      auto last = std::prev(shard.lru.end());
      shard.usage -= last->charge;
      shard.map.erase(last->key);
      evicted.splice(evicted.end(), shard.lru, last);
    }
  }
}

void BlockCache::EraseFile(std::uint64_t file_number) {
  for (Shard& shard : shards_) {
    std::list<Entry> evicted;
    std::lock_guard lock(shard.mu);
    for (auto it = shard.lru.begin(); it != shard.lru.end();) {
      auto next = std::next(it);
      if (it->key.file_number == file_number) {
        shard.usage -= it->charge;
        shard.map.erase(it->key);
        evicted.splice(evicted.end(), shard.lru, it);
      }
      it = next;
    }
  }
}

template <typename T>
T BlockCache::SumOverShards(T Shard::*counter) const {
  T total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.*counter;
  }
  return total;
}

std::size_t BlockCache::usage_bytes() const {
  return SumOverShards(&Shard::usage);
}
std::uint64_t BlockCache::hits() const {
  return SumOverShards(&Shard::hits);
}
std::uint64_t BlockCache::misses() const {
  return SumOverShards(&Shard::misses);
}
std::uint64_t BlockCache::rejected() const {
  return SumOverShards(&Shard::rejected);
}

}  // namespace eddy::compaction
