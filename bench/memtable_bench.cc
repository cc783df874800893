// Google Benchmark microbenchmarks of the memtable, run by workload `micro`:
//   eddy-bench micro --gbench-arg=--benchmark_filter=Memtable
// Keys are in random order (the engine's 26-byte table keys: an 8-byte
// table id, then 16 hex digits and a terminator as the reopen workload's
// keys), items 100 bytes. `filter` is the key filter's size in bytes (0:
// off; 4 MiB is what the engine gives a memtable whose budget holds 10^6
// such items, 1 MiB that of the default 64 MiB budget).
//   MemtablePut/N/filter              one Memtable::Put per item into a
//                                     fresh memtable (replay before).
//   MemtableBulkLoad/N/batch/filter   BulkLoad with `batch` changes per
//                                     sorted run.
//   MemtableGet/filter/hit            one Memtable::Get of a random key of a
//                                     memtable of 300,000 items (what a full
//                                     64 MiB memtable holds): one it holds
//                                     (hit 1) or not (hit 0); a miss is what
//                                     most point reads of a table larger than
//                                     a memtable ask.
// items_per_second is items per CPU second (for the inserts, dropping the
// memtable included; it frees a few dozen arena blocks).
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
  const auto filter_bytes = static_cast<std::size_t>(state.range(1));
  for (auto _ : state) {
    memtable::Memtable table(4u << 20, filter_bytes);
    Lsn lsn = 0;
    for (const std::string& key : keys)
      table.Put(key, ++lsn, kItem);
    benchmark::DoNotOptimize(table.KeyCount());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_MemtablePut)
    ->ArgNames({"items", "filter"})
    ->ArgsProduct({{100'000, 1'000'000}, {0, 4 << 20}})
    ->Unit(benchmark::kMillisecond);

void BM_MemtableBulkLoad(benchmark::State& state) {
  const auto& keys = Keys(static_cast<std::size_t>(state.range(0)));
  const auto filter_bytes = static_cast<std::size_t>(state.range(2));
  for (auto _ : state) {
    memtable::Memtable table(4u << 20, filter_bytes);
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
    ->ArgNames({"items", "batch", "filter"})
    ->ArgsProduct({{1'000'000}, {1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20}, {0}})
    ->Args({1'000'000, 1 << 18, 4 << 20})
    ->Unit(benchmark::kMillisecond);

constexpr std::size_t kGetItems = 300'000;

void BM_MemtableGet(benchmark::State& state) {
  const auto filter_bytes = static_cast<std::size_t>(state.range(0));
  const bool hit = state.range(1) != 0;
  // The first kGetItems keys go in; the rest are keys it does not hold.
  const auto& keys = Keys(2 * kGetItems);
  memtable::Memtable table(4u << 20, filter_bytes);
  Lsn lsn = 0;
  for (std::size_t i = 0; i < kGetItems; ++i)
    table.Put(keys[i], ++lsn, kItem);
  std::uint64_t step = 0;
  benchmark::IterationCount found = 0;
  for (auto _ : state) {
    // A large odd stride scatters the lookups over the whole memtable.
    step += 0x9e3779b9ull;
    const std::string& key = keys[step % kGetItems + (hit ? 0 : kGetItems)];
    const memtable::ItemVersion* v = table.Get(key);
    found += v != nullptr ? 1 : 0;
    benchmark::DoNotOptimize(v);
  }
  if (found != (hit ? state.iterations() : 0)) state.SkipWithError("a lookup answered wrongly");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_MemtableGet)->ArgNames({"filter", "hit"})->ArgsProduct({{0, 1 << 20}, {1, 0}});

}  // namespace
}  // namespace eddy::bench
