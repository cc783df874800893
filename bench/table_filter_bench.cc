// Google Benchmark microbenchmark of the table files' bloom filters, run by
// workload `micro`:
//   eddy-bench micro --gbench-arg=--benchmark_filter=TableFilter
//   TableFilterProbe/layout/files/prefetch
//                                   one point read's filter checks: a random
//                                   absent key asked of `files` filters of
//                                   10^7 / files keys each, 10 bits per key
//                                   (layout 1: spread, version 1 files;
//                                   2: blocked, version 2). prefetch 0 hashes
//                                   the key per filter and asks them in turn;
//                                   1 hashes it once and prefetches every
//                                   filter's line first, as the engine's
//                                   point read does (engine/read_view.cc).
// A point read of a random key asks the filter of every file whose key range
// holds it, and with random keys that is every file, so this is the filter
// cost of one readrandom miss at 10^7 items. Ten million keys at 10 bits are
// 12 MiB of filters: more than the caches, as on the real read path.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "compaction/bloom_filter.h"

namespace eddy::bench {
namespace {

constexpr std::uint64_t kTotalKeys = 10'000'000;

std::string FilterKey(std::uint64_t i) {
  // The engine's key shape: 8 bytes of table id, then 16 hex digits.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key(24, '\0');
  for (int d = 0; d < 16; ++d)
    key[23 - d] = kHex[(i >> (4 * d)) & 0xF];
  return key;
}

void BM_TableFilterProbe(benchmark::State& state) {
  const auto layout = compaction::FilterLayoutOf(static_cast<std::uint8_t>(state.range(0)));
  const auto files = static_cast<std::uint64_t>(state.range(1));
  const bool prefetch = state.range(2) != 0;
  std::vector<compaction::BloomFilter> filters;
  filters.reserve(files);
  for (std::uint64_t f = 0; f < files; ++f) {
    compaction::BloomFilterBuilder builder(10, layout);
    for (std::uint64_t i = f; i < kTotalKeys; i += files)
      builder.AddKey(FilterKey(i));
    filters.push_back(*compaction::BloomFilter::Parse(builder.Finish(), layout));
  }
  std::uint64_t probe = kTotalKeys;
  std::int64_t positives = 0;
  for (auto _ : state) {
    // Odd multiples of a large odd constant: absent keys in no useful order.
    const std::string key = FilterKey(kTotalKeys + (probe++ * 0x9E3779B97F4A7C15ull));
    if (prefetch) {
      const std::uint64_t hash = blocked_bloom::KeyHash(key);
      for (const compaction::BloomFilter& filter : filters)
        filter.Prefetch(hash);
      for (const compaction::BloomFilter& filter : filters)
        positives += filter.MayContainHash(hash) ? 1 : 0;
    } else {
      for (const compaction::BloomFilter& filter : filters)
        positives += filter.MayContain(key) ? 1 : 0;
    }
  }
  state.counters["false_positive_per_read"] =
      benchmark::Counter(static_cast<double>(positives), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TableFilterProbe)
    ->ArgNames({"layout", "files", "prefetch"})
    ->ArgsProduct({{1, 2}, {4, 16, 64}, {0}})
    ->ArgsProduct({{2}, {4, 16, 64}, {1}})
    ->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace eddy::bench
