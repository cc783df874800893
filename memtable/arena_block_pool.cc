#include "memtable/arena_block_pool.h"

#include <cstdlib>
#include <new>

namespace eddy::memtable {

ArenaBlockPool::ArenaBlockPool(std::size_t allocation_bytes, std::size_t max_retained_bytes)
    : allocation_bytes_(allocation_bytes),
      max_retained_blocks_(max_retained_bytes / allocation_bytes) {}

ArenaBlockPool::~ArenaBlockPool() {
  for (void* raw : retained_)
    std::free(raw);
}

void* ArenaBlockPool::Take() {
  {
    std::lock_guard lock(mu_);
    if (!retained_.empty()) {
      void* raw = retained_.back();
      retained_.pop_back();
      return raw;
    }
  }
  void* raw = std::malloc(allocation_bytes_);
  if (raw == nullptr) throw std::bad_alloc();
  return raw;
}

void ArenaBlockPool::Give(void* raw) {
  {
    std::lock_guard lock(mu_);
    if (retained_.size() < max_retained_blocks_) {
      retained_.push_back(raw);
      return;
    }
  }
  std::free(raw);
}

std::size_t ArenaBlockPool::retained_bytes() const {
  std::lock_guard lock(mu_);
  return retained_.size() * allocation_bytes_;
}

}  // namespace eddy::memtable
