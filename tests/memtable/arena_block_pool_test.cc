#include "memtable/arena_block_pool.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "memtable/arena.h"
#include "memtable/memtable.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::memtable::arena_block_pool_test {
namespace {

constexpr std::size_t kBlockBytes = 64 << 10;

std::shared_ptr<ArenaBlockPool> NewPool(std::size_t max_blocks) {
  const std::size_t allocation = Arena::PoolAllocationBytes(kBlockBytes);
  return std::make_shared<ArenaBlockPool>(allocation, max_blocks * allocation);
}

// Fills `arena` with `blocks` blocks' worth of small allocations.
void Fill(Arena* arena, int blocks) {
  const std::size_t count = kBlockBytes / 64 * static_cast<std::size_t>(blocks);
  for (std::size_t i = 0; i < count; ++i)
    arena->Allocate(64)[0] = 1;  // the memory is writable
}

TEST(ArenaBlockPool, ADroppedArenasBlocksServeTheNextArena) {
  auto pool = NewPool(8);
  {
    Arena arena(pool);
    Fill(&arena, 4);
    EXPECT_EQ(pool->retained_bytes(), 0u);
  }
  const std::size_t retained = pool->retained_bytes();
  EXPECT_GE(retained, 4 * pool->allocation_bytes());
  {
    Arena arena(pool);
    // Every block the second arena needs comes out of the pool.
    Fill(&arena, 4);
    EXPECT_LT(pool->retained_bytes(), retained);
  }
  EXPECT_EQ(pool->retained_bytes(), retained);
}

TEST(ArenaBlockPool, TakeHandsOutWhatGiveKept) {
  auto pool = NewPool(2);
  void* a = pool->Take();
  void* b = pool->Take();
  pool->Give(a);
  pool->Give(b);
  EXPECT_EQ(pool->retained_bytes(), 2 * pool->allocation_bytes());
  std::set<void*> again{pool->Take(), pool->Take()};
  EXPECT_EQ(again, (std::set<void*>{a, b}));
  EXPECT_EQ(pool->retained_bytes(), 0u);
  for (void* raw : again)
    pool->Give(raw);
}

TEST(ArenaBlockPool, KeepsNoMoreThanItsLimit) {
  auto pool = NewPool(3);
  {
    Arena arena(pool);
    Fill(&arena, 10);
  }
  EXPECT_EQ(pool->retained_bytes(), 3 * pool->allocation_bytes());
}

TEST(ArenaBlockPool, OversizedAllocationsAreNotPooled) {
  auto pool = NewPool(8);
  {
    Arena arena(pool);
    // Larger than a quarter block: a block of its own, of another size.
    char* big = arena.Allocate(kBlockBytes * 2);
    big[kBlockBytes * 2 - 1] = 1;
  }
  // Only the arena's one regular block came back.
  EXPECT_EQ(pool->retained_bytes(), pool->allocation_bytes());
}

TEST(ArenaBlockPool, AMemtableOnAPoolGivesItsBlocksBackAndTheNextReusesThem) {
  auto pool = NewPool(64);
  auto fill = [](Memtable* m) {
    const std::string value(100, 'v');
    for (int i = 0; i < 5000; ++i)
      m->Put("key-" + std::to_string(i), static_cast<Lsn>(i + 1), value);
  };
  {
    Memtable first(pool, 0);
    fill(&first);
  }
  const std::size_t retained = pool->retained_bytes();
  ASSERT_GT(retained, 4 * pool->allocation_bytes());
  Memtable second(pool, 0);
  fill(&second);
  EXPECT_LE(pool->retained_bytes(), pool->allocation_bytes());
  const ItemVersion* v = second.Get("key-4999");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->value(), std::string(100, 'v'));
}

}  // namespace
}  // namespace eddy::memtable::arena_block_pool_test
