// Google Benchmark microbenchmarks of the memtable's bulk load (recovery's
// replay inserts, memtable/bulk_load.h), run by workload `micro`:
//   eddy-bench micro --gbench-arg=--benchmark_filter=Memtable
// Both build a fresh memtable of N items from keys in random order (the
// engine's 26-byte table keys: an 8-byte table id, then 16 hex digits and
// a terminator as the reopen workload's keys), 100-byte items:
//   MemtablePut/N              one Memtable::Put per item (replay before).
//   MemtableBulkLoad/N/batch   BulkLoad with `batch` changes per sorted run.
// items_per_second is items inserted per CPU second (dropping the memtable
// included; it frees a few dozen arena blocks).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "memtable/bulk_load.h"
#include "memtable/memtable.h"

namespace eddy::bench {
namespace {

std::vector<std::string> RandomOrderKeys(std::size_t n) {
  std::vector<std::string> keys;
  keys.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    // splitmix64's finaliser: distinct keys in random order.
    std::uint64_t z = i + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    std::string key(7, '\0');
    key.push_back('\1');
    static constexpr char kHex[] = "0123456789abcdef";
    for (int d = 15; d >= 0; --d)
      key.push_back(kHex[(z >> (4 * d)) & 15]);
    key.append("\0\0", 2);
    keys.push_back(std::move(key));
  }
  return keys;
}

const std::vector<std::string>& Keys(std::size_t n) {
  static std::vector<std::string> keys;
  if (keys.size() != n) keys = RandomOrderKeys(n);
  return keys;
}

const std::string kItem(100, 'v');

void BM_MemtablePut(benchmark::State& state) {
  const auto& keys = Keys(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    memtable::Memtable table;
    Lsn lsn = 0;
    for (const std::string& key : keys)
      table.Put(key, ++lsn, kItem);
    benchmark::DoNotOptimize(table.KeyCount());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_MemtablePut)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_MemtableBulkLoad(benchmark::State& state) {
  const auto& keys = Keys(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    memtable::Memtable table;
    memtable::BulkLoad load(&table, static_cast<std::size_t>(state.range(1)));
    Lsn lsn = 0;
    for (const std::string& key : keys)
      load.Put(key, ++lsn, kItem);
    load.Finish();
    benchmark::DoNotOptimize(table.KeyCount());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_MemtableBulkLoad)
    ->ArgsProduct({{1'000'000}, {1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace eddy::bench
