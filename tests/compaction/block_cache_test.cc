// BlockCache: LRU eviction within the byte budget, pinned blocks outlive
// eviction, second-miss admission, and concurrent readers through a small
// cache see correct data.
#include "compaction/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "compaction/block_builder.h"
#include "compaction/table_reader.h"
#include "support/mem_env.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::block_cache_test {
namespace {

std::shared_ptr<const Block> MakeBlock(const std::string& key, std::size_t value_bytes) {
  BlockBuilder builder(16);
  builder.Add(key, std::string(value_bytes, 'v'));
  std::optional<Block> block = Block::Parse(std::string(builder.Finish()));
  return std::make_shared<const Block>(std::move(*block));
}

TEST(BlockCache, EvictsLeastRecentlyUsedWithinCapacity) {
  // One shard's budget holds a few 1 KiB blocks; all keys use offsets that
  // may land in any shard, so check the global bound and LRU by recency.
  BlockCache cache(BlockCache::kShardCount * 4096);
  for (std::uint64_t i = 0; i < 1000; ++i) {
    cache.Insert(1, i * 1000, MakeBlock("k", 1000));
    EXPECT_LE(cache.usage_bytes(), cache.capacity_bytes());
  }
  EXPECT_GT(cache.usage_bytes(), cache.capacity_bytes() / 2);
  // The most recent insert survives; the first ones are gone.
  EXPECT_NE(cache.Lookup(1, 999 * 1000), nullptr);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
}

TEST(BlockCache, LookupRefreshesRecency) {
  BlockCache cache(BlockCache::kShardCount * 4096);
  // Keep touching block 0 while inserting many others: it must survive.
  cache.Insert(7, 0, MakeBlock("k", 1000));
  for (std::uint64_t i = 1; i < 500; ++i) {
    ASSERT_NE(cache.Lookup(7, 0), nullptr) << "evicted after " << i;
    cache.Insert(7, i * 4096, MakeBlock("k", 1000));
  }
}

TEST(BlockCache, EvictionNeverFreesABlockInUse) {
  BlockCache cache(BlockCache::kShardCount * 2048);
  cache.Insert(1, 0, MakeBlock("pinned", 1500));
  std::shared_ptr<const Block> pinned = cache.Lookup(1, 0);
  ASSERT_NE(pinned, nullptr);
  for (std::uint64_t i = 1; i < 200; ++i)
    cache.Insert(1, i, MakeBlock("k", 1500));
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  Block::Iter it(pinned.get());
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "pinned");
  EXPECT_EQ(it.value().size(), 1500u);
}

TEST(BlockCache, OversizedBlockIsNotCachedAndEraseFileDropsItsBlocks) {
  BlockCache cache(BlockCache::kShardCount * 1024);
  cache.Insert(1, 0, MakeBlock("big", 5000));
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  cache.Insert(2, 0, MakeBlock("a", 10));
  cache.Insert(3, 0, MakeBlock("b", 10));
  cache.EraseFile(2);
  EXPECT_EQ(cache.Lookup(2, 0), nullptr);
  EXPECT_NE(cache.Lookup(3, 0), nullptr);
}

TEST(BlockCache, SecondMissAdmissionCachesOnlyBlocksOfferedTwice) {
  BlockCache cache(BlockCache::kShardCount * 64 * 1024, BlockCache::Admission::kSecondMiss);
  cache.Insert(3, 4096, MakeBlock("k", 1000));
  EXPECT_EQ(cache.Lookup(3, 4096), nullptr) << "admitted on its first offer";
  EXPECT_EQ(cache.rejected(), 1u);
  cache.Insert(3, 4096, MakeBlock("k", 1000));
  EXPECT_NE(cache.Lookup(3, 4096), nullptr) << "not admitted on its second offer";
  EXPECT_EQ(cache.rejected(), 1u);
  // Plain LRU admits at once.
  BlockCache lru(BlockCache::kShardCount * 64 * 1024);
  lru.Insert(3, 4096, MakeBlock("k", 1000));
  EXPECT_NE(lru.Lookup(3, 4096), nullptr);
}

// Random reads over far more blocks than fit: most misses are turned away,
// the cache stays within budget, and what is read again soon still gets in.
TEST(BlockCache, SecondMissAdmissionUnderChurnKeepsRepeatedBlocks) {
  BlockCache cache(BlockCache::kShardCount * 16 * 1024, BlockCache::Admission::kSecondMiss);
  std::mt19937_64 rng(17);
  std::shared_ptr<const Block> block = MakeBlock("k", 1000);
  std::uint64_t inserts = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t offset = (rng() % 100000) * 4096;
    if (cache.Lookup(9, offset) == nullptr) {
      cache.Insert(9, offset, block);
      ++inserts;
    }
    // One hot block, read every tenth time.
    if (i % 10 == 0 && cache.Lookup(9, 1) == nullptr) {
      cache.Insert(9, 1, block);
      ++inserts;
    }
    ASSERT_LE(cache.usage_bytes(), cache.capacity_bytes());
  }
  EXPECT_GT(cache.rejected(), inserts * 9 / 10);
  EXPECT_NE(cache.Lookup(9, 1), nullptr);
  EXPECT_GT(cache.hits(), 1900u);  // the hot block, nearly every time
}

TEST(BlockCache, ConcurrentReadersThroughASmallCache) {
  wal::testing::MemEnv env;
  testing::Model model = testing::RandomModel({.entries = 20'000, .seed = 9});
  ASSERT_TRUE(testing::WriteModel({.env = &env, .path = "/c.sst"}, model).ok());
  // About 40 of the file's ~400 blocks fit.
  BlockCache cache(160 * 1024);
  auto table = TableReader::Open(&env, "/c.sst", 1, &cache);
  ASSERT_TRUE(table.ok());
  std::vector<const testing::Model::value_type*> entries;
  for (const auto& kv : model)
    entries.push_back(&kv);

  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      auto it = (*table)->NewIterator();
      for (int i = 0; i < 5000; ++i) {
        const auto& [key, want] = *entries[rng() % entries.size()];
        if (i % 10 == 0) {
          it->Seek(key);
          if (!it->Valid() || it->entry().key != key || it->entry().value != want.value) ++errors;
          continue;
        }
        auto got = (*table)->Get(key);
        if (!got.ok() || !got->has_value() || (*got)->value != want.value ||
            (*got)->lsn != want.lsn) {
          ++errors;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_LE(cache.usage_bytes(), cache.capacity_bytes());
  EXPECT_GT(cache.misses(), 1000u);  // the cache really was too small
  EXPECT_GT(cache.hits(), 0u);
}

}  // namespace
}  // namespace eddy::compaction::block_cache_test
