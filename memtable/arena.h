// Arena: a bump allocator that many threads may allocate from at once.
//
// Memtable nodes and item versions live here until the whole memtable is
// dropped; nothing is freed one by one. With an ArenaBlockPool the blocks
// of a dropped arena serve the next one, so steady-state writes touch warm
// pages (memtable/arena_block_pool.h says why that matters).
//
// Thread-safety: Allocate may be called concurrently. Fast path: one
// fetch_add on the current block; a new block is installed under a mutex.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "memtable/arena_block_pool.h"

namespace eddy::memtable {

class Arena {
 public:
  explicit Arena(std::size_t block_bytes = 1u << 20);
  // Takes its blocks from `pool` and gives them back when destroyed; the
  // block size is the pool's allocation size less a block's header.
  explicit Arena(std::shared_ptr<ArenaBlockPool> pool);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `bytes` bytes aligned to 8. Never null (aborts when out of memory).
  char* Allocate(std::size_t bytes) {
    bytes = (bytes + 7) & ~std::size_t{7};
    Block* b = current_.load(std::memory_order_acquire);
    std::size_t at = b->used.fetch_add(bytes, std::memory_order_relaxed);
    if (at + bytes <= b->capacity) return b->data() + at;
    return AllocateSlow(bytes);
  }

  // Bytes taken from the system for this arena, less the part of the
  // current block nothing was allocated from yet (what RocksDB's arena
  // reports too): without that, the figure moves in whole blocks.
  std::size_t MemoryBytes() const {
    // current_ first: a block's bytes are counted before it is installed.
    const Block* b = current_.load(std::memory_order_acquire);
    const std::size_t used = std::min(b->used.load(std::memory_order_relaxed), b->capacity);
    return memory_bytes_.load(std::memory_order_relaxed) - (b->capacity - used);
  }

 private:
  struct Block {
    std::atomic<std::size_t> used{0};
    std::size_t capacity = 0;
    char* data() { return reinterpret_cast<char*>(this + 1); }
  };
  struct FreeBlock {
    ArenaBlockPool* pool;  // null: the block is not the pool's size
    void operator()(Block* b) const;
  };

 public:
  // The pool allocation size that gives blocks of `block_bytes`.
  static std::size_t PoolAllocationBytes(std::size_t block_bytes) {
    return sizeof(Block) + block_bytes;
  }

 private:
  char* AllocateSlow(std::size_t bytes);
  Block* NewBlock(std::size_t capacity);

  const std::shared_ptr<ArenaBlockPool> pool_;  // may be null
  const std::size_t block_bytes_;
  std::atomic<Block*> current_{nullptr};
  std::atomic<std::size_t> memory_bytes_{0};
  std::mutex mu_;
  std::vector<std::unique_ptr<Block, FreeBlock>> blocks_;  // GUARDED_BY(mu_)
};

}  // namespace eddy::memtable
