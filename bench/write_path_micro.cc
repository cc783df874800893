// Google Benchmark microbenchmark (workload `micro`) of the write path's CPU
// per write, with the skip-list search kept small and cached: overwrites of
// 1,000 items that stay in the memtable, each a real change (a new value),
// sync none, stream off or NEW_AND_OLD_IMAGES. What remains is the engine's
// own work per write: validation, key and item encoding, the log append, the
// memtable insert, the stream record, and their allocations.
//   eddy-bench micro --gbench-arg=--benchmark_filter=WritePath
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "bench/item_data.h"
#include "eddy/db.h"

namespace eddy::bench {
namespace {

constexpr char kWriteTable[] = "micro_write";
constexpr std::uint64_t kWriteItems = 1000;

void BM_WritePathOverwrite(benchmark::State& state) {
  const bool stream = state.range(0) != 0;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("eddy-micro-write-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Options options;
  options.dir = dir.string();
  options.sync_mode = SyncMode::kNone;
  options.report_progress = false;
  options.shard_split_records_per_s = 0;
  options.memtable_budget_bytes = 4ull << 30;  // no flush in the middle of a repetition
  Result<std::unique_ptr<Db>> db = Db::Open(options);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  TableSpec spec;
  spec.name = kWriteTable;
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  if (stream) spec.stream = {true, StreamViewType::kNewAndOldImages, 1};
  if (Status s = (*db)->CreateTable(spec).status(); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  std::string value(100, '\0');
  char key[kKeyBytes];
  std::uint64_t version = 0;
  for (auto _ : state) {
    const std::uint64_t item = version % kWriteItems;
    HexKey(item, key);
    MakeValue(item, ++version, &value);
    Item put = Item::FromCanonical(
        {{"pk", AttributeValue::S(std::string(key, kKeyBytes))}, {"v", AttributeValue::B(value)}});
    if (Status s = (*db)->Write(WriteOp::Put(kWriteTable, std::move(put))); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  (void)(*db)->Close();
  db->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
BENCHMARK(BM_WritePathOverwrite)->Arg(0)->Arg(1);

}  // namespace
}  // namespace eddy::bench
