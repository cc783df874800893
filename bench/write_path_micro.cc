// Google Benchmark microbenchmark (workload `micro`) of the write path's CPU
// per write, with the skip-list search kept small and cached: overwrites of
// 1,000 items that stay in the memtable, each a real change (a new value),
// sync none, stream off or NEW_AND_OLD_IMAGES. What remains is the engine's
// own work per write: validation, key and item encoding, the log append, the
// memtable insert, the stream record, and their allocations.
//   eddy-bench micro --gbench-arg=--benchmark_filter=WritePath
#include <benchmark/benchmark.h>
#include <string>

#include "bench/item_data.h"
#include "bench/scratch_db.h"
#include "eddy/db.h"

namespace eddy::bench {
namespace {

constexpr char kWriteTable[] = "micro_write";
constexpr std::uint64_t kWriteItems = 1000;

void BM_WritePathOverwrite(benchmark::State& state) {
  const bool stream = state.range(0) != 0;
  TableSpec spec;
  spec.name = kWriteTable;
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  if (stream) spec.stream = {true, StreamViewType::kNewAndOldImages, 1};
  ScratchDb scratch("micro-write");
  // A budget no repetition fills: no flush in the middle of one.
  Options options;
  options.memtable_budget_bytes = 4ull << 30;
  if (Status s = scratch.Open(spec, options); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  Db& db = scratch.db();
  std::string value(100, '\0');
  char key[kKeyBytes];
  std::uint64_t version = 0;
  for (auto _ : state) {
    const std::uint64_t item = version % kWriteItems;
    HexKey(item, key);
    MakeValue(item, ++version, &value);
    Item put = Item::FromCanonical(
        {{"pk", AttributeValue::S(std::string(key, kKeyBytes))}, {"v", AttributeValue::B(value)}});
    if (Status s = db.Write(WriteOp::Put(kWriteTable, std::move(put))); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_WritePathOverwrite)->Arg(0)->Arg(1);

}  // namespace
}  // namespace eddy::bench
