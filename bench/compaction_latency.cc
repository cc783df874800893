// compaction_latency: foreground write latency while a compaction runs,
// against the same writer's latency while none runs, in one run (issue 6:
// p99 during compaction within 2× of the idle p99).
//
// One paced writer overwrites random items of a loaded table (1 KB values,
// a 4 MiB memtable, so flushes come every few thousand writes and tiered
// compaction merges their files all the time). Each write is classed by
// whether a compaction was merging when it was issued or acknowledged; the
// engine's flush/compaction hook (DbImpl::SetFlushHookForTesting) marks the
// merge: from "compaction:writing" to "compaction:recorded". Flushes run in
// both classes alike.
//
// Cells: sync none and batch, each with compaction paced at the default
// Options::compaction_bytes_per_s and unpaced (0), to show what pacing buys.
// The rate is fixed per sync mode (well under the maximum, as a service
// would run): none 20k writes/s, batch 2k/s.
#include <atomic>
#include <random>
#include <string>

#include "bench/histogram.h"
#include "bench/pacing.h"
#include "bench/workload.h"
#include "eddy/db.h"
#include "engine/db_impl.h"

namespace eddy::bench {
namespace {

constexpr char kLatencyTable[] = "compaction";
constexpr std::size_t kLatencyValueBytes = 1000;

// Set by the hook, read by the writer. Global because the hook is a plain
// function pointer.
std::atomic<bool> compacting{false};

void MarkCompaction(std::string_view point) {
  if (point == "compaction:writing") compacting.store(true, std::memory_order_release);
  if (point == "compaction:recorded") compacting.store(false, std::memory_order_release);
}

Item MakeItem(std::uint64_t key, std::uint64_t version) {
  std::string value(kLatencyValueBytes, '\0');
  std::mt19937_64 bits(key * 1'000'003 + version);
  for (std::size_t i = 0; i + 8 <= value.size(); i += 8) {
    const std::uint64_t x = bits();
    std::memcpy(value.data() + i, &x, 8);
  }
  return Item::FromCanonical({{"pk", AttributeValue::S("k" + std::to_string(key))},
                              {"v", AttributeValue::B(std::move(value))}});
}

struct LatencyCell {
  SyncMode sync = SyncMode::kNone;
  bool paced = true;
};

Status RunCell(const RunConfig& config, const LatencyCell& cell, Reporter& reporter) {
  const std::string name = std::string("compaction_latency-") +
                           std::string(SyncModeName(cell.sync)) +
                           (cell.paced ? "-paced" : "-unpaced");
  EDDY_ASSIGN_OR_RETURN(std::filesystem::path dir, config.MakeCellDir(name));
  Options options;
  options.dir = dir.string();
  options.sync_mode = cell.sync;
  options.report_progress = false;
  options.memtable_budget_bytes = 4u << 20;
  options.block_cache_bytes = 16u << 20;
  if (!cell.paced) options.compaction_bytes_per_s = 0;
  const std::uint64_t compaction_rate = options.compaction_bytes_per_s;
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
  TableSpec spec;
  spec.name = kLatencyTable;
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  EDDY_RETURN_IF_ERROR(db->CreateTable(spec).status());

  // Load (untimed), with sync none so batch cells do not wait for it.
  const std::uint64_t items = config.quick ? 20'000 : 200'000;
  for (std::uint64_t k = 0; k < items; ++k) {
    WriteOp op = WriteOp::Put(kLatencyTable, MakeItem(k, 0));
    EDDY_RETURN_IF_ERROR(db->Write(op));
  }
  auto* impl = static_cast<engine::DbImpl*>(db.get());
  EDDY_RETURN_IF_ERROR(impl->WaitForFlushes());

  const double rate = cell.sync == SyncMode::kNone ? 20'000 : 2'000;
  const double seconds = std::max(config.duration_s, config.quick ? 3.0 : 30.0);
  LatencyHistogram idle, during;
  std::uint64_t compactions_seen = 0;
  bool was_compacting = false;
  std::mt19937_64 pick(42);
  engine::DbImpl::SetFlushHookForTesting(&MarkCompaction);
  Status status;
  {
    const TimerSlack slack;
    const auto interval_ns = static_cast<std::int64_t>(1e9 / rate);
    const std::int64_t start = NowNs();
    const std::int64_t end = start + static_cast<std::int64_t>(seconds * 1e9);
    std::int64_t next = start;
    for (std::uint64_t version = 1; status.ok(); ++version) {
      std::int64_t now = NowNs();
      if (now >= end) break;
      if (now < next) {
        WaitUntil(next);
      } else {
        next = now;  // late: go now, and pace from here (no catch-up burst)
      }
      Item item = MakeItem(pick() % items, version);
      const bool before = compacting.load(std::memory_order_acquire);
      const std::int64_t issued = NowNs();
      status = db->Write(WriteOp::Put(kLatencyTable, std::move(item)));
      const std::int64_t acked = NowNs();
      const bool after = compacting.load(std::memory_order_acquire);
      (before || after ? during : idle).Record(static_cast<std::uint64_t>(acked - issued));
      if (after && !was_compacting) ++compactions_seen;
      was_compacting = after;
      next += interval_ns;
    }
  }
  engine::DbImpl::SetFlushHookForTesting(nullptr);
  compacting.store(false);
  EDDY_RETURN_IF_ERROR(status);
  EDDY_RETURN_IF_ERROR(db->Close());

  for (const auto& [state, h] : {std::pair{"idle", &idle}, std::pair{"compacting", &during}}) {
    ResultRow row;
    row.workload = "compaction_latency";
    row.engine = "eddy";
    row.ops = h->count();
    row.seconds = seconds;
    row.ops_per_s = static_cast<double>(h->count()) / seconds;
    row.p50_us = h->PercentileUs(50);
    row.p99_us = h->PercentileUs(99);
    row.AddParam("sync", std::string(SyncModeName(cell.sync)));
    row.AddParam("compaction",
                 cell.paced ? std::to_string(compaction_rate >> 20) + " MiB/s" : "unpaced");
    row.AddParam("state", state);
    row.AddParam("rate", rate);
    row.AddDetail("p999_us", h->PercentileUs(99.9));
    row.AddDetail("max_us", h->MaxUs());
    row.AddDetail("compactions", static_cast<double>(compactions_seen));
    reporter.Add(row);
  }
  if (idle.count() == 0 || during.count() == 0) {
    reporter.Note(name + ": no write fell in one of the classes; run longer (--duration)");
  } else {
    char line[200];
    std::snprintf(line, sizeof line,
                  "%s: p99 during compaction / idle p99 = %.2f (goal <= 2), %llu compactions",
                  name.c_str(), during.PercentileUs(99) / idle.PercentileUs(99),
                  static_cast<unsigned long long>(compactions_seen));
    reporter.Note(line);
  }
  return Status::Ok();
}

Status RunCompactionLatency(const RunConfig& config, Reporter& reporter) {
  for (SyncMode sync : config.PickSyncs({SyncMode::kNone, SyncMode::kBatch})) {
    for (bool paced : {true, false}) {
      EDDY_RETURN_IF_ERROR(RunCell(config, LatencyCell{sync, paced}, reporter));
    }
  }
  return Status::Ok();
}

}  // namespace

EDDY_BENCH_WORKLOAD(compaction_latency,
                    "paced overwrites: write p50/p99 while compaction runs vs idle (issue 6)",
                    RunCompactionLatency);

}  // namespace eddy::bench
