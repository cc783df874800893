// Google Benchmark microbenchmarks of blocks and the block cache, run by
// workload `micro`:
//   eddy-bench micro --gbench-arg=--benchmark_filter='BlockSeek|BlockCacheMiss'
//   BlockSeek/entries/restart_interval   one Seek to a random present key
//                                        in a block of `entries` entries of
//                                        24-byte keys: restart interval 1
//                                        with 250,000 entries is the index
//                                        of a 1 GB table file, 16 with 30
//                                        entries a 4 KiB data block of
//                                        100-byte items.
//   BlockCacheMiss/admission             what the cache costs a random read
//                                        of a table 16x its size (the engine's
//                                        10^7 items against its 64 MiB):
//                                        Lookup, and on a miss Insert of an
//                                        already-verified 4 KiB block;
//                                        admission 0 plain LRU, 1 second
//                                        miss (compaction/block_cache.h).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "compaction/block.h"
#include "compaction/block_builder.h"
#include "compaction/block_cache.h"

namespace eddy::bench {
namespace {

std::string SortedKey(std::uint64_t i) {
  char key[32];
  std::snprintf(key, sizeof key, "tabletid%016llx", static_cast<unsigned long long>(i * 7919));
  return key;
}

void BM_BlockSeek(benchmark::State& state) {
  const auto entries = static_cast<std::uint64_t>(state.range(0));
  const auto restart_interval = static_cast<std::uint32_t>(state.range(1));
  const std::string value(restart_interval == 1 ? 8 : 100, 'v');
  compaction::BlockBuilder builder(restart_interval);
  std::vector<std::string> keys;
  keys.reserve(entries);
  for (std::uint64_t i = 0; i < entries; ++i) {
    keys.push_back(SortedKey(i));
    builder.Add(keys.back(), value);
  }
  std::optional<compaction::Block> block = compaction::Block::Parse(std::string(builder.Finish()));
  std::mt19937_64 rng(1);
  std::uint64_t found = 0;
  for (auto _ : state) {
    compaction::Block::Iter it(&*block);
    it.Seek(keys[rng() % entries]);
    found += it.Valid() ? 1 : 0;
  }
  if (found != static_cast<std::uint64_t>(state.iterations())) state.SkipWithError("key not found");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BlockSeek)
    ->ArgNames({"entries", "restart_interval"})
    ->Args({250'000, 1})
    ->Args({30, 16})
    ->Unit(benchmark::kNanosecond);

void BM_BlockCacheMiss(benchmark::State& state) {
  constexpr std::size_t kCacheBytes = 64u << 20;
  constexpr std::uint64_t kBlockBytes = 4096;
  constexpr std::uint64_t kTableBlocks = 16 * kCacheBytes / kBlockBytes;
  const auto admission = state.range(0) == 0 ? compaction::BlockCache::Admission::kAlways
                                             : compaction::BlockCache::Admission::kSecondMiss;
  compaction::BlockCache cache(kCacheBytes, admission);
  compaction::BlockBuilder builder(16);
  for (int i = 0; i < 30; ++i)
    builder.Add(SortedKey(static_cast<std::uint64_t>(i)), std::string(100, 'v'));
  // The block's bytes stand for a table file's mapping.
  auto mapping = std::make_shared<const std::string>(builder.Finish());
  auto parse = [&] {
    return std::make_shared<const compaction::Block>(
        *compaction::Block::ParseMapped(*mapping, mapping));
  };
  std::mt19937_64 rng(1);
  // Warm up: fill the cache as a long run would have.
  for (std::uint64_t i = 0; i < 4 * kCacheBytes / kBlockBytes; ++i) {
    const std::uint64_t offset = (rng() % kTableBlocks) * kBlockBytes;
    if (cache.Lookup(1, offset) == nullptr) cache.Insert(1, offset, parse());
  }
  for (auto _ : state) {
    const std::uint64_t offset = (rng() % kTableBlocks) * kBlockBytes;
    std::shared_ptr<const compaction::Block> hit = cache.Lookup(1, offset);
    if (hit == nullptr) {
      // What ReadDataBlock does for a block of a mapped file once verified.
      cache.Insert(1, offset, parse());
    }
    benchmark::DoNotOptimize(hit);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BlockCacheMiss)->ArgName("admission")->Arg(0)->Arg(1)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace eddy::bench
