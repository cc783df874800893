// Memtable: the newest version of every item written since the last flush,
// ordered by encoded key. Derived only from the write-ahead log: the engine
// applies each logged change here after logging it, and recovery replays the
// log into a fresh memtable, so the same log always yields the same state.
//
// Keys are the engine's encoded keys (table id, then the item key in
// DynamoDB order; memcmp order is the query order). Values are opaque bytes
// to the memtable: the engine stores items without their key attributes
// (common/stored_item.h), or a deletion marker, each stamped with the LSN of
// the log record that produced it.
//
// Memory per item: a skip-list node (16 bytes + 8 per tower level, 1.33
// levels on average), the key, and a version (12 bytes + the stored item),
// all inline in an arena; see docs/memtable.md for measured figures. Point
// reads first ask a fixed-size key filter (memtable/key_filter.h) whether
// the memtable may hold the key at all.
//
// Thread-safety: Apply may run concurrently for different keys; the caller
// serialises writes to one key (the engine's per-item locks). Reads are
// lock-free and may run at any time. Versions stay valid while the memtable
// lives.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/blocked_bloom.h"
#include "eddy/types.h"
#include "memtable/arena.h"
#include "memtable/arena_block_pool.h"
#include "memtable/key_filter.h"
#include "memtable/skiplist.h"

namespace eddy::memtable {

class ItemVersion {
 public:
  Lsn lsn() const { return (static_cast<Lsn>(lsn_high_) << 32) | lsn_low_; }
  bool is_deletion() const { return size_ == kDeletion; }
  // The stored item (common/stored_item.h); empty for a deletion.
  std::string_view value() const {
    return is_deletion() ? std::string_view() : std::string_view(bytes(), size_);
  }

 private:
  friend class Memtable;
  static constexpr std::uint32_t kDeletion = 0xffffffffu;
  const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
  void set_lsn(Lsn lsn) {
    lsn_low_ = static_cast<std::uint32_t>(lsn);
    lsn_high_ = static_cast<std::uint32_t>(lsn >> 32);
  }

  // Three 4-byte words rather than an 8-byte LSN: the header is 12 bytes,
  // not 16, and with the arena's 8-byte rounding a 100-byte item's version
  // takes 8 bytes less.
  std::uint32_t size_;
  std::uint32_t lsn_low_;
  std::uint32_t lsn_high_;
};
static_assert(sizeof(ItemVersion) == 12);

class Memtable {
 public:
  // `filter_bytes` sizes the key filter; 0 leaves it off.
  explicit Memtable(std::size_t arena_block_bytes = 4u << 20, std::size_t filter_bytes = 0);
  // Arena blocks from `pool`, given back to it when the memtable goes.
  Memtable(std::shared_ptr<ArenaBlockPool> pool, std::size_t filter_bytes);
  Memtable(const Memtable&) = delete;
  Memtable& operator=(const Memtable&) = delete;

  // Makes `value` the newest version of `key`.
  void Put(std::string_view key, Lsn lsn, std::string_view value);
  // Records that `key` was deleted (a marker that hides older files' data).
  void Delete(std::string_view key, Lsn lsn);

  // The newest version of `key`, or null when this memtable never saw it.
  // `key_hash` is blocked_bloom::KeyHash(key), for a read that asks several
  // memtables and files about one key and hashes it once.
  const ItemVersion* Get(std::string_view key) const {
    return Get(key, blocked_bloom::KeyHash(key));
  }
  const ItemVersion* Get(std::string_view key, std::uint64_t key_hash) const;

  // A lookup that remembers where the key is or goes, so a write that reads
  // the current version and then installs a new one searches once. The
  // caller holds the key's write lock from Find to Put/Delete.
  struct Slot {
    SkipList::Splice splice;
    SkipList::Node* node = nullptr;
    std::uint64_t key_hash = 0;  // for the key filter, set when node is null
  };
  const ItemVersion* Find(std::string_view key, Slot* slot) const;
  void Put(Slot* slot, std::string_view key, Lsn lsn, std::string_view value);
  void Delete(Slot* slot, std::string_view key, Lsn lsn);

  // Bulk loading (recovery) is memtable/bulk_load.h's BulkLoad.

  std::size_t MemoryBytes() const {
    return node_arena_.MemoryBytes() + version_arena_.MemoryBytes() + filter_.bytes();
  }
  std::size_t KeyCount() const { return list_.size(); }

  // Walks keys in order. Valid while the memtable lives; sees inserts that
  // happen during the walk or not, key by key.
  class Iterator {
   public:
    explicit Iterator(const Memtable* table) : list_(&table->list_) {}
    bool Valid() const { return node_ != nullptr; }
    void SeekToFirst() { node_ = list_->First(); }
    void SeekToLast() { node_ = list_->Last(); }
    // First key >= target.
    void Seek(std::string_view target) { node_ = list_->LowerBound(target); }
    // Last key < target.
    void SeekBefore(std::string_view target) { node_ = list_->LastBefore(target); }
    void Next() { node_ = node_->Next(0); }
    void Prev() { node_ = list_->LastBefore(node_->key()); }
    std::string_view key() const { return node_->key(); }
    const ItemVersion* version() const {
      return static_cast<const ItemVersion*>(node_->payload().load(std::memory_order_acquire));
    }

   private:
    const SkipList* list_;
    SkipList::Node* node_ = nullptr;
  };

 private:
  // Makes versions ahead of their install and links nodes in key order.
  friend class BulkLoad;
  void Install(std::string_view key, const ItemVersion* version);
  void InstallAt(Slot* slot, std::string_view key, const ItemVersion* version);
  const ItemVersion* NewVersion(Lsn lsn, std::string_view value);
  const ItemVersion* NewDeletion(Lsn lsn);

  // Nodes (towers and keys) apart from versions (items): a search touches
  // only nodes, which then share pages and cache lines with one another
  // rather than with item bytes it never reads; see docs/memtable.md.
  Arena node_arena_;
  Arena version_arena_;
  SkipList list_;
  KeyFilter filter_;
};

}  // namespace eddy::memtable
