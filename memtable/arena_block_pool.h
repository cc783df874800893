// ArenaBlockPool: memtable arena blocks kept after their memtable is gone,
// for the next memtable to write into.
//
// Why: a memtable's arena takes its whole budget in blocks of a few MiB,
// writes every byte once and is dropped after its flush. Memory freshly
// taken from the system costs a page fault on first touch (15-40× the
// cost of reused memory on these machines, by the performance anchors the
// project was given), and the allocator hands large blocks back to the
// system when they are freed, so
// without a pool every memtable faults in its budget again, a page at a
// time, in the writing thread. Keeping up to one memtable's worth of
// blocks makes the next memtable's pages warm.
//
// The pool holds at most `max_retained_bytes`; blocks beyond that go back
// to the allocator. Blocks of another size (an arena's oversized
// allocations) are never pooled.
//
// Thread-safety: Take and Give may be called from any thread (a memtable is
// freed by whichever reader lets go of it last).
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace eddy::memtable {

class ArenaBlockPool {
 public:
  // Pools allocations of exactly `allocation_bytes` bytes.
  ArenaBlockPool(std::size_t allocation_bytes, std::size_t max_retained_bytes);
  ~ArenaBlockPool();
  ArenaBlockPool(const ArenaBlockPool&) = delete;
  ArenaBlockPool& operator=(const ArenaBlockPool&) = delete;

  std::size_t allocation_bytes() const { return allocation_bytes_; }

  // A retained allocation, or a new one from the allocator when none is
  // left. Never null (throws std::bad_alloc when out of memory).
  void* Take();
  // Hands back an allocation of allocation_bytes() taken from Take (or from
  // malloc): kept while there is room, freed otherwise.
  void Give(void* raw);

  std::size_t retained_bytes() const;

 private:
  const std::size_t allocation_bytes_;
  const std::size_t max_retained_blocks_;
  mutable std::mutex mu_;
  std::vector<void*> retained_;  // GUARDED_BY(mu_)
};

}  // namespace eddy::memtable
