// Google Benchmark microbenchmark of Block::Iter::Seek, run by workload
// `micro`:
//   eddy-bench micro --gbench-arg=--benchmark_filter=BlockSeek
//   BlockSeek/entries/restart_interval   one Seek to a random present key
//                                        in a block of `entries` entries of
//                                        24-byte keys: restart interval 1
//                                        with 250,000 entries is the index
//                                        of a 1 GB table file, 16 with 30
//                                        entries a 4 KiB data block of
//                                        100-byte items.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "compaction/block.h"
#include "compaction/block_builder.h"

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

}  // namespace
}  // namespace eddy::bench
