#include "memtable/memtable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::memtable::memtable_test {
namespace {

std::string Key(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key-%012llu", static_cast<unsigned long long>(n));
  return buf;
}

TEST(Memtable, GetReturnsNewestVersion) {
  Memtable table;
  table.Put("a", 1, "one");
  table.Put("a", 2, "two");
  const ItemVersion* v = table.Get("a");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->lsn(), 2u);
  EXPECT_EQ(v->value(), "two");
  EXPECT_EQ(table.Get("b"), nullptr);
  EXPECT_EQ(table.KeyCount(), 1u);
}

TEST(Memtable, DeleteLeavesAMarker) {
  Memtable table;
  table.Put("a", 1, "one");
  table.Delete("a", 2);
  const ItemVersion* v = table.Get("a");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->is_deletion());
  EXPECT_EQ(v->value(), "");
  EXPECT_EQ(v->lsn(), 2u);
}

TEST(Memtable, EmptyValueIsNotADeletion) {
  Memtable table;
  table.Put("k", 7, "");
  ASSERT_NE(table.Get("k"), nullptr);
  EXPECT_FALSE(table.Get("k")->is_deletion());
}

TEST(Memtable, IteratesInKeyOrderBothWays) {
  Memtable table;
  std::mt19937_64 rng(42);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; ++i) {
    std::string k = Key(rng() % 2000);
    std::string v = std::to_string(i);
    table.Put(k, i + 1, v);
    model[k] = v;
  }
  Memtable::Iterator it(&table);
  auto m = model.begin();
  for (it.SeekToFirst(); it.Valid(); it.Next(), ++m) {
    ASSERT_NE(m, model.end());
    EXPECT_EQ(it.key(), m->first);
    EXPECT_EQ(it.version()->value(), m->second);
  }
  EXPECT_EQ(m, model.end());
  auto r = model.rbegin();
  for (it.SeekToLast(); it.Valid(); it.Prev(), ++r) {
    ASSERT_NE(r, model.rend());
    EXPECT_EQ(it.key(), r->first);
  }
  EXPECT_EQ(r, model.rend());
}

TEST(Memtable, SeekAndSeekBeforeFindNeighbours) {
  Memtable table;
  for (int k : {10, 20, 30})
    table.Put(Key(k), k, "v");
  Memtable::Iterator it(&table);
  it.Seek(Key(15));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), Key(20));
  it.Seek(Key(20));
  EXPECT_EQ(it.key(), Key(20));
  it.Seek(Key(31));
  EXPECT_FALSE(it.Valid());
  it.SeekBefore(Key(20));
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), Key(10));
  it.SeekBefore(Key(10));
  EXPECT_FALSE(it.Valid());
}

TEST(Memtable, ConcurrentInsertsOfDistinctKeysAllLand) {
  Memtable table(64 << 10);  // small blocks: exercise block changes under contention
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::uint64_t n = static_cast<std::uint64_t>(i) * kThreads + t;
        table.Put(Key(n), n + 1, std::to_string(n));
      }
    });
  }
  // A reader walking the list meanwhile always sees keys in order.
  std::thread reader([&] {
    for (int pass = 0; pass < 20; ++pass) {
      Memtable::Iterator it(&table);
      std::string last;
      for (it.SeekToFirst(); it.Valid(); it.Next()) {
        ASSERT_LT(last, std::string(it.key()));
        last = std::string(it.key());
      }
    }
  });
  for (auto& th : threads)
    th.join();
  reader.join();
  ASSERT_EQ(table.KeyCount(), static_cast<std::size_t>(kThreads * kPerThread));
  for (std::uint64_t n = 0; n < kThreads * kPerThread; ++n) {
    const ItemVersion* v = table.Get(Key(n));
    ASSERT_NE(v, nullptr) << n;
    EXPECT_EQ(v->value(), std::to_string(n));
  }
}

TEST(Arena, MemoryBytesFollowsAllocationsNotWholeBlocks) {
  Arena arena(64 << 10);
  const std::size_t empty = arena.MemoryBytes();
  arena.Allocate(100);  // rounded to 8
  EXPECT_EQ(arena.MemoryBytes(), empty + 104);
  // Filling the block and starting the next: the first block counts whole
  // (its tail is wasted), the new one by what it handed out.
  while (arena.MemoryBytes() < empty + (64 << 10) - 4096)
    arena.Allocate(4000);
  const std::size_t before_new_block = arena.MemoryBytes();
  arena.Allocate(8000);
  EXPECT_GT(arena.MemoryBytes(), before_new_block + 8000);
  EXPECT_LT(arena.MemoryBytes(), before_new_block + 8000 + 8192);
}

TEST(Memtable, KeyFilterAnswersAbsentKeysWithoutHidingPresentOnes) {
  Memtable table(64 << 10, 4096);
  EXPECT_EQ(table.MemoryBytes(), Memtable(64 << 10).MemoryBytes() + 4096);
  Memtable::Slot slot;
  ASSERT_EQ(table.Find("b", &slot), nullptr);
  table.Put(&slot, "b", 1, "one");  // the write path's way in
  table.Put("a", 2, "two");         // and the plain one
  table.Delete("c", 3);             // a marker must be found too
  ASSERT_NE(table.Get("a"), nullptr);
  ASSERT_NE(table.Get("b"), nullptr);
  ASSERT_NE(table.Get("c"), nullptr);
  EXPECT_TRUE(table.Get("c")->is_deletion());
  EXPECT_EQ(table.Get("d"), nullptr);
}

TEST(Memtable, AReaderThatSawAWriteFinishFindsTheKey) {
  // The engine acknowledges a write after its install; a reader that learns
  // of the acknowledgement must then find the key although the key filter
  // is read without a lock. Here the acknowledgement is `finished`.
  Memtable table(64 << 10, 1024);
  constexpr std::uint64_t kKeys = 30000;
  std::atomic<std::uint64_t> finished{0};
  std::thread writer([&] {
    for (std::uint64_t n = 1; n <= kKeys; ++n) {
      Memtable::Slot slot;
      ASSERT_EQ(table.Find(Key(n), &slot), nullptr);
      table.Put(&slot, Key(n), n, "v");
      finished.store(n, std::memory_order_release);
    }
  });
  std::uint64_t misses = 0;
  for (std::uint64_t seen = 0; seen < kKeys;) {
    seen = finished.load(std::memory_order_acquire);
    if (seen != 0 && table.Get(Key(seen)) == nullptr) ++misses;
  }
  writer.join();
  EXPECT_EQ(misses, 0u);
}

}  // namespace
}  // namespace eddy::memtable::memtable_test
