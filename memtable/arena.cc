#include "memtable/arena.h"

#include <cstdlib>
#include <new>
#include <utility>

namespace eddy::memtable {

void Arena::FreeBlock::operator()(Block* b) const {
  b->~Block();
  if (pool != nullptr) {
    pool->Give(b);
  } else {
    std::free(b);
  }
}

Arena::Arena(std::size_t block_bytes) : block_bytes_(block_bytes) {
  std::lock_guard lock(mu_);
  current_.store(NewBlock(block_bytes_), std::memory_order_release);
}

Arena::Arena(std::shared_ptr<ArenaBlockPool> pool)
    : pool_(std::move(pool)), block_bytes_(pool_->allocation_bytes() - sizeof(Block)) {
  std::lock_guard lock(mu_);
  current_.store(NewBlock(block_bytes_), std::memory_order_release);
}

Arena::Block* Arena::NewBlock(std::size_t capacity) {
  ArenaBlockPool* pool = pool_ != nullptr && capacity == block_bytes_ ? pool_.get() : nullptr;
  void* raw = pool != nullptr ? pool->Take() : std::malloc(sizeof(Block) + capacity);
  if (raw == nullptr) throw std::bad_alloc();
  Block* b = new (raw) Block();
  b->capacity = capacity;
  blocks_.emplace_back(b, FreeBlock{pool});
  memory_bytes_.fetch_add(sizeof(Block) + capacity, std::memory_order_relaxed);
  return b;
}

char* Arena::AllocateSlow(std::size_t bytes) {
  std::lock_guard lock(mu_);
  // Another thread may have installed a fresh block meanwhile.
  Block* b = current_.load(std::memory_order_acquire);
  std::size_t at = b->used.fetch_add(bytes, std::memory_order_relaxed);
  if (at + bytes <= b->capacity) return b->data() + at;
  if (bytes > block_bytes_ / 4) {
    // A large allocation gets a block of its own; the current block keeps
    // serving small ones.
    return NewBlock(bytes)->data();
  }
  Block* fresh = NewBlock(block_bytes_);
  fresh->used.store(bytes, std::memory_order_relaxed);
  current_.store(fresh, std::memory_order_release);
  return fresh->data();
}

}  // namespace eddy::memtable
