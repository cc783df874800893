// fillrandom, overwriterandom, readrandom, rangescan, table_suite: issue 6's
// benchmarks of the engine with items on disk (many times the memtable
// budget), against RocksDB and LevelDB in the same run with the same memory
// budget and compression off everywhere. Keys, values and settings:
// bench/table_stores.h. reopen: bench/reopen_workload.cc.
//
// One chain per engine and cell (value size x item count x threads), on one
// store, as db_bench's "fillrandom,overwrite,readrandom":
//   fillrandom       `items` new items in random key order (timed);
//   overwriterandom  `items` puts of random loaded items, each a new value;
//   readrandom       random gets of loaded items for --duration-s.
// A workload runs the phases it needs (readrandom alone: fill, then read;
// its rows say `after`). After each write phase the chain waits until the
// background work is done (Eddy WaitForFlushes + CompactUntilDone, RocksDB's
// pending and running flush/compaction properties, LevelDB's file list
// unchanged for 2 s): `settle_s`, the debt the phase left behind. Space
// amplification is the bytes allocated in the store's directory (tables +
// log + the rest) over the live bytes (items x (key + value)), at the
// phase's end (`space_amp_end`) and after the wait (`space_amp`);
// `space_amp_tables` counts table files only.
//
// rangescan loads its own table with a sort key (1000 items per partition,
// written in scattered order), waits the same way, then runs queries of 100
// consecutive items of a random partition from a random sort key (Eddy Query
// sk >= s, Limit 100; the peers a fresh iterator, Seek(pk + s), Next) for
// --duration-s.
//
// Peers run first, Eddy last, so Eddy's rows carry their ratios to the
// peers of the same cell (`vs_peer`: the better peer) and the target
// where it has one, at the large item count: fillrandom and overwriterandom
// >= 1.5x the better peer, space_amp <= the better peer's; readrandom >= 2x
// RocksDB and >= 0.35x Eddy's own rate at the small count (`vs_small`).
// Each cell ends with one summary line per ratio (a Note).
//
// Item counts: large 10^7 (10^5 with --quick), small 10^5 (10^4 with
// --quick); the environment variable EDDY_BENCH_ITEMS (e.g. 1e6) replaces
// the large count. Threads: 1 unless --threads.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "bench/table_stores.h"

namespace eddy::bench::tables {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kScanItems = 100;
// A stride coprime to any item count used (a prime, not 2 or 5): item
// j = i * stride mod N visits every item once, partitions in scattered order.
constexpr std::uint64_t kLoadStride = 2'654'435'761ull;
constexpr double kSettleMaxS = 3600;

constexpr double kWriteTarget = 1.5;        // fillrandom, overwriterandom vs the better peer
constexpr double kReadVsRocksTarget = 2.0;  // readrandom at the large count
constexpr double kReadScaleTarget = 0.35;   // readrandom large / small, Eddy alone

// What the peers of one cell did, for Eddy's ratios. Keyed by phase, then
// engine.
struct CellResults {
  std::map<std::string, std::map<std::string, double>> rate;
  std::map<std::string, std::map<std::string, double>> space;

  // The better peer's figure: the highest rate, the lowest space.
  std::optional<std::pair<std::string, double>> BestPeer(const std::string& phase,
                                                         bool lowest) const {
    const auto& m = lowest ? space : rate;
    auto it = m.find(phase);
    if (it == m.end()) return std::nullopt;
    std::optional<std::pair<std::string, double>> best;
    for (const auto& [engine, v] : it->second) {
      if (engine == "eddy" || v <= 0) continue;
      if (!best || (lowest ? v < best->second : v > best->second)) best = {{engine, v}};
    }
    return best;
  }
};

// Adds Eddy's ratios to its row and returns a line for humans.
std::string AddWriteRatios(ResultRow& row, const CellResults& cell, const std::string& phase,
                           bool with_target) {
  std::string line;
  char buf[256];
  const auto best = cell.BestPeer(phase, false);
  for (const auto& [engine, rate] : cell.rate.at(phase)) {
    if (engine != "eddy") row.AddDetail("vs_" + engine, Round(row.ops_per_s / rate, 3));
  }
  if (!best) return "";
  const double ratio = row.ops_per_s / best->second;
  row.AddParam("vs_peer", Round(ratio, 3));
  std::snprintf(buf, sizeof buf, "eddy %.0f ops/s vs %s %.0f: %.2fx", row.ops_per_s,
                best->first.c_str(), best->second, ratio);
  line = buf;
  if (with_target) {
    row.AddParam("target", kWriteTarget);
    row.AddParam("met", Verdict(ratio >= kWriteTarget));
    std::snprintf(buf, sizeof buf, " (target >= %.2f: %s)", kWriteTarget,
                  Verdict(ratio >= kWriteTarget).c_str());
    line += buf;
  }
  return line;
}

// ---------------------------------------------------------------- chains

struct Plan {
  bool report_fill = false;
  bool overwrite = false;
  bool read = false;
};

struct TableCell {
  std::uint32_t value_bytes = 100;
  std::uint64_t items = 0;
  int threads = 1;
  bool large = false;  // the item count: targets apply
};

// Space after a write phase: at its end, then after the background work.
struct Space {
  DiskUsage end;
  DiskUsage settled;
  double settle_s = 0;
  bool settled_ok = true;
};

Space SettleAndMeasure(Store& store, const fs::path& dir) {
  Space space;
  space.end = MeasureDisk(dir);
  const auto start = Clock::now();
  space.settled_ok = store.Settle(kSettleMaxS).ok();
  space.settle_s = std::chrono::duration<double>(Clock::now() - start).count();
  space.settled = MeasureDisk(dir);
  return space;
}

void AddSpace(ResultRow& row, const Space& space, double live_bytes) {
  row.AddParam("space_amp", Round(static_cast<double>(space.settled.total) / live_bytes, 3));
  row.AddDetail("space_amp_end", Round(static_cast<double>(space.end.total) / live_bytes, 3));
  row.AddDetail("space_amp_tables",
                Round(static_cast<double>(space.settled.tables) / live_bytes, 3));
  row.AddDetail("disk_bytes", static_cast<double>(space.settled.total));
  row.AddDetail("log_bytes", static_cast<double>(space.settled.log));
  row.AddDetail("table_bytes", static_cast<double>(space.settled.tables));
  row.AddDetail("settle_s", Round(space.settle_s, 2));
  if (!space.settled_ok) row.AddDetail("settled", "false");
}

// The page cache when a phase that reads starts (overwriterandom,
// readrandom, rangescan). EDDY_BENCH_READ_CACHE: "asis"
// (default: as the engine's own writes left it; Eddy writes table files
// with O_DIRECT, so they start uncached, while the peers' buffered writes
// leave theirs cached), "cold" (DropCache) or "warm" (every file read once).
// Rows report the mode and the cached fraction of the table files at the
// phase's start and end.
struct ReadCache {
  std::string mode = "asis";
  double start_fraction = 0;
};

double CachedFraction(const fs::path& dir) {
  std::uint64_t bytes = 0;
  const std::uint64_t resident = ResidentBytes(dir, /*tables_only=*/true, &bytes);
  return bytes > 0 ? static_cast<double>(resident) / static_cast<double>(bytes) : 1.0;
}

ReadCache PrepareReadCache(const fs::path& dir) {
  ReadCache cache;
  if (const char* env = std::getenv("EDDY_BENCH_READ_CACHE"); env != nullptr) cache.mode = env;
  if (cache.mode == "cold") {
    std::uint64_t resident = 0;
    DropCache(dir, &resident);
  } else if (cache.mode == "warm") {
    WarmCache(dir);
  } else {
    cache.mode = "asis";
  }
  cache.start_fraction = CachedFraction(dir);
  return cache;
}

void AddReadCache(ResultRow& row, const ReadCache& cache, const fs::path& dir) {
  row.AddDetail("read_cache", cache.mode);
  row.AddDetail("cached_fraction_start", Round(cache.start_fraction, 3));
  row.AddDetail("cached_fraction_end", Round(CachedFraction(dir), 3));
}

// State across the cells of one workload run: Eddy's readrandom rate at the
// small count per (value size, threads), for the scale target.
using SmallReads = std::map<std::pair<std::uint32_t, int>, double>;

struct ChainContext {
  const RunConfig& config;
  Reporter& reporter;
  const Plan& plan;
  const TableCell& cell;
  CellResults& results;
  SmallReads& small_reads;
  std::vector<std::string>& summary;
  std::vector<ResultRow>& rows;  // the cell's rows, reported together once every engine ran
};

// One open store of a chain.
struct Chain {
  ChainContext& ctx;
  const std::string& engine;
  Store& store;
  const fs::path& dir;
  bool eddy() const { return engine == "eddy"; }
  double live_bytes() const {
    return static_cast<double>(ctx.cell.items * (kKeyBytes + ctx.cell.value_bytes));
  }
};

Status FillPhase(Chain& chain) {
  const TableCell& cell = chain.ctx.cell;
  Phase fill;
  EDDY_RETURN_IF_ERROR(RunCounted(
      cell.threads, cell.items,
      [&](std::uint64_t i) {
        thread_local std::string value;
        value.resize(cell.value_bytes);
        MakeValue(i, 0, &value);
        return chain.store.Put(ItemKey(i).key(), value);
      },
      &fill));
  const Space space = SettleAndMeasure(chain.store, chain.dir);
  CellResults& results = chain.ctx.results;
  results.rate["fillrandom"][chain.engine] = fill.Rate();
  results.space["fillrandom"][chain.engine] = static_cast<double>(space.settled.total);
  if (!chain.ctx.plan.report_fill) return Status::Ok();
  ResultRow row = MakeRow(chain.ctx.config, "fillrandom", chain.engine, cell.threads, fill,
                          cell.value_bytes, cell.items, kKeyBytes);
  AddSpace(row, space, chain.live_bytes());
  chain.store.AddDetails(row);
  if (chain.eddy()) {
    std::string line = AddWriteRatios(row, results, "fillrandom", cell.large);
    if (!line.empty()) chain.ctx.summary.push_back("fillrandom " + line);
  }
  chain.ctx.rows.push_back(std::move(row));
  return Status::Ok();
}

// Eddy reads each item's current version before it writes, so the page
// cache matters here too.
Status OverwritePhase(Chain& chain) {
  const TableCell& cell = chain.ctx.cell;
  const ReadCache cache = PrepareReadCache(chain.dir);
  Phase overwrite;
  EDDY_RETURN_IF_ERROR(RunCounted(
      cell.threads, cell.items,
      [&](std::uint64_t i) {
        thread_local std::string value;
        value.resize(cell.value_bytes);
        const std::uint64_t item = Mix(i ^ 0x5eed) % cell.items;
        MakeValue(item, i + 1, &value);  // a version no one wrote before
        return chain.store.Put(ItemKey(item).key(), value);
      },
      &overwrite));
  const Space space = SettleAndMeasure(chain.store, chain.dir);
  CellResults& results = chain.ctx.results;
  results.rate["overwriterandom"][chain.engine] = overwrite.Rate();
  results.space["overwriterandom"][chain.engine] = static_cast<double>(space.settled.total);
  ResultRow row = MakeRow(chain.ctx.config, "overwriterandom", chain.engine, cell.threads,
                          overwrite, cell.value_bytes, cell.items, kKeyBytes);
  AddSpace(row, space, chain.live_bytes());
  AddReadCache(row, cache, chain.dir);
  chain.store.AddDetails(row);
  if (chain.eddy()) {
    std::string line = AddWriteRatios(row, results, "overwriterandom", cell.large);
    if (const auto best = results.BestPeer("overwriterandom", /*lowest=*/true)) {
      const double ratio = static_cast<double>(space.settled.total) / best->second;
      row.AddParam("space_vs_peer", Round(ratio, 3));
      if (cell.large) row.AddParam("space_met", Verdict(ratio <= 1.0));
      char buf[160];
      std::snprintf(buf, sizeof buf, "; space %.2fx %s's (target <= 1: %s)", ratio,
                    best->first.c_str(), Verdict(ratio <= 1.0).c_str());
      line += buf;
    }
    if (!line.empty()) chain.ctx.summary.push_back("overwriterandom " + line);
  }
  chain.ctx.rows.push_back(std::move(row));
  return Status::Ok();
}

// Eddy's readrandom row: its ratio to RocksDB, and at the large count its
// ratio to its own rate at the small count.
void AddReadRatios(ChainContext& ctx, ResultRow& row) {
  const TableCell& cell = ctx.cell;
  const auto& rates = ctx.results.rate["readrandom"];
  char buf[256];
  std::string line;
  for (const auto& [peer, rate] : rates) {
    if (peer != "eddy") row.AddDetail("vs_" + peer, Round(row.ops_per_s / rate, 3));
  }
  if (auto it = rates.find("rocksdb"); it != rates.end() && it->second > 0) {
    const double ratio = row.ops_per_s / it->second;
    row.AddParam("vs_rocksdb", Round(ratio, 3));
    std::snprintf(buf, sizeof buf, "eddy %.0f gets/s vs rocksdb %.0f: %.2fx", row.ops_per_s,
                  it->second, ratio);
    line = buf;
    if (cell.large) {
      row.AddParam("target", kReadVsRocksTarget);
      row.AddParam("met", Verdict(ratio >= kReadVsRocksTarget));
      std::snprintf(buf, sizeof buf, " (target >= %.1f: %s)", kReadVsRocksTarget,
                    Verdict(ratio >= kReadVsRocksTarget).c_str());
      line += buf;
    }
  }
  const auto key = std::make_pair(cell.value_bytes, cell.threads);
  if (!cell.large) {
    ctx.small_reads[key] = row.ops_per_s;
  } else if (auto it = ctx.small_reads.find(key); it != ctx.small_reads.end()) {
    const double scale = row.ops_per_s / it->second;
    row.AddParam("vs_small", Round(scale, 3));
    row.AddParam("scale_met", Verdict(scale >= kReadScaleTarget));
    std::snprintf(buf, sizeof buf,
                  "; eddy at this count / at the small count: %.2f (target >= %.2f: %s)", scale,
                  kReadScaleTarget, Verdict(scale >= kReadScaleTarget).c_str());
    line += buf;
  }
  if (!line.empty()) ctx.summary.push_back("readrandom " + line);
}

Status ReadPhase(Chain& chain) {
  const TableCell& cell = chain.ctx.cell;
  const ReadCache cache = PrepareReadCache(chain.dir);
  TimedRunResult timed = RunTimed(cell.threads, chain.ctx.config.duration_s, [&](int t) {
    return [&, t, value = std::string()](std::uint64_t i) mutable -> Status {
      const std::uint64_t item =
          Mix((std::uint64_t{0x9e7} << 48) ^ (std::uint64_t(t) << 40) ^ i) % cell.items;
      EDDY_RETURN_IF_ERROR(chain.store.Get(ItemKey(item).key(), &value));
      if (value.size() != cell.value_bytes) return Status::Corruption("readrandom: bad value");
      return Status::Ok();
    };
  });
  EDDY_RETURN_IF_ERROR(timed.status);
  const Phase read = FromTimed(std::move(timed));
  chain.ctx.results.rate["readrandom"][chain.engine] = read.Rate();
  ResultRow row = MakeRow(chain.ctx.config, "readrandom", chain.engine, cell.threads, read,
                          cell.value_bytes, cell.items, kKeyBytes);
  row.AddParam("after", chain.ctx.plan.overwrite ? "overwriterandom" : "fillrandom");
  AddReadCache(row, cache, chain.dir);
  chain.store.AddDetails(row);
  if (chain.eddy()) AddReadRatios(chain.ctx, row);
  chain.ctx.rows.push_back(std::move(row));
  return Status::Ok();
}

Status RunChain(ChainContext& ctx, const std::string& engine) {
  const TableCell& cell = ctx.cell;
  const std::string name = "chain-" + engine + "-" + std::to_string(cell.value_bytes) + "-" +
                           Count(cell.items) + "-t" + std::to_string(cell.threads);
  EDDY_ASSIGN_OR_RETURN(fs::path dir, ctx.config.MakeCellDir(name));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                        OpenStore(ctx.config, engine, dir, /*sort_key=*/false));
  Chain chain{ctx, engine, *store, dir};
  EDDY_RETURN_IF_ERROR(FillPhase(chain));
  if (ctx.plan.overwrite) EDDY_RETURN_IF_ERROR(OverwritePhase(chain));
  if (ctx.plan.read) EDDY_RETURN_IF_ERROR(ReadPhase(chain));
  EDDY_RETURN_IF_ERROR(store->Close());
  store.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return Status::Ok();
}

// ---------------------------------------------------------------- item counts

std::uint64_t LargeItems(const RunConfig& config) {
  if (const char* env = std::getenv("EDDY_BENCH_ITEMS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const double n = std::strtod(env, &end);
    if (end != env && *end == '\0' && n >= 1000 && n <= 1e10) return static_cast<std::uint64_t>(n);
    std::fprintf(stderr, "eddy-bench: ignoring EDDY_BENCH_ITEMS='%s' (want 1000..1e10)\n", env);
  }
  return config.quick ? 100'000 : 10'000'000;
}

std::uint64_t SmallItems(const RunConfig& config) {
  return config.quick ? 10'000 : 100'000;
}

// Peers first, Eddy last: its rows carry the ratios.
std::vector<std::string> ChainEngines(const RunConfig& config) {
  std::vector<std::string> engines = config.PickEngines({"rocksdb", "leveldb", "eddy"});
  std::stable_partition(engines.begin(), engines.end(),
                        [](const std::string& e) { return e != "eddy"; });
  return engines;
}

// "fillrandom+overwriterandom" and the like, for progress notes.
std::string PhaseNames(const Plan& plan) {
  std::string names = "fillrandom";
  if (plan.overwrite) names += "+overwriterandom";
  if (plan.read) names += "+readrandom";
  return names;
}

Status RunChains(const RunConfig& config, Reporter& reporter, const Plan& plan,
                 const std::vector<std::uint64_t>& counts) {
  const std::uint64_t large = LargeItems(config);
  SmallReads small_reads;
  Status first_error;
  for (std::uint32_t value_bytes : config.PickValueSizes({100, 1024})) {
    for (std::uint64_t items : counts) {
      for (int threads : config.PickThreads({1})) {
        TableCell cell{value_bytes, items, threads, items == large};
        CellResults results;
        std::vector<std::string> summary;
        std::vector<ResultRow> rows;
        ChainContext ctx{config, reporter, plan, cell, results, small_reads, summary, rows};
        const std::string where = " value_bytes=" + std::to_string(value_bytes) +
                                  " items=" + Count(items) + " threads=" + std::to_string(threads);
        for (const std::string& engine : ChainEngines(config)) {
          const auto start = Clock::now();
          Status s = RunChain(ctx, engine);
          if (!s.ok()) {
            reporter.Note("chain " + engine + where + ": " + s.ToString());
            if (first_error.ok()) first_error = s;
            continue;
          }
          char took[32];
          std::snprintf(took, sizeof took, "%.0f s",
                        std::chrono::duration<double>(Clock::now() - start).count());
          reporter.Note(engine + " " + PhaseNames(plan) + where + ": done in " + took);
        }
        // Grouped by workload (fill, overwrite, read), engines in run order.
        for (const char* workload : {"fillrandom", "overwriterandom", "readrandom"}) {
          for (const ResultRow& row : rows) {
            if (row.workload == workload) reporter.Add(row);
          }
        }
        for (const std::string& line : summary)
          reporter.Note(line + " [" + where.substr(1) + "]");
      }
    }
  }
  return first_error;
}

std::vector<std::uint64_t> SmallAndLarge(const RunConfig& config) {
  const std::uint64_t small = SmallItems(config), large = LargeItems(config);
  if (small >= large) return {large};
  return {small, large};
}

// ---------------------------------------------------------------- rangescan

Status RunScanCell(const RunConfig& config, const std::string& engine, const TableCell& cell,
                   CellResults& results, ResultRow* out) {
  if (cell.items < kPartitionItems) {
    return Status::InvalidArgument("rangescan needs at least 1000 items");
  }
  const std::string name = "scan-" + engine + "-" + std::to_string(cell.value_bytes) + "-" +
                           Count(cell.items) + "-t" + std::to_string(cell.threads);
  EDDY_ASSIGN_OR_RETURN(fs::path dir, config.MakeCellDir(name));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                        OpenStore(config, engine, dir, /*sort_key=*/true));
  Phase load;
  EDDY_RETURN_IF_ERROR(RunCounted(
      cell.threads, cell.items,
      [&](std::uint64_t i) {
        thread_local std::string value;
        value.resize(cell.value_bytes);
        const std::uint64_t j = static_cast<std::uint64_t>(static_cast<unsigned __int128>(i) *
                                                           kLoadStride % cell.items);
        const ScanKey key(j);
        MakeValue(j, 0, &value);
        return store->Put(key.key(), value);
      },
      &load));
  Space space = SettleAndMeasure(*store, dir);

  const std::uint64_t partitions = cell.items / kPartitionItems;
  const ReadCache cache = PrepareReadCache(dir);
  TimedRunResult timed = RunTimed(cell.threads, config.duration_s, [&](int t) {
    return [&, t](std::uint64_t i) -> Status {
      const std::uint64_t r = Mix((std::uint64_t{0x5ca9} << 48) ^ (std::uint64_t(t) << 40) ^ i);
      const std::uint64_t p = r % partitions;
      const std::uint64_t s = (r >> 32) % (kPartitionItems - kScanItems + 1);
      const ScanKey start(p * kPartitionItems + s);
      std::size_t found = 0;
      EDDY_RETURN_IF_ERROR(store->Query(start.key().pk, start.key().sk, kScanItems, &found));
      if (found != kScanItems) {
        return Status::Corruption("rangescan: " + std::to_string(found) + " items, want " +
                                  std::to_string(kScanItems));
      }
      return Status::Ok();
    };
  });
  EDDY_RETURN_IF_ERROR(timed.status);
  Phase scan = FromTimed(std::move(timed));
  results.rate["rangescan"][engine] = scan.Rate();
  *out = MakeRow(config, "rangescan", engine, cell.threads, scan, cell.value_bytes, cell.items,
                 kKeyBytes + kSortKeyBytes, kScanItems);
  out->AddParam("scan_items", static_cast<double>(kScanItems));
  out->AddDetail("items_per_s", scan.Rate() * kScanItems);
  out->AddDetail("load_ops_per_s", Round(load.Rate(), 0));
  out->AddDetail("load_settle_s", Round(space.settle_s, 2));
  out->AddDetail("partition_items", static_cast<double>(kPartitionItems));
  AddReadCache(*out, cache, dir);
  store->AddDetails(*out);
  EDDY_RETURN_IF_ERROR(store->Close());
  store.reset();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return Status::Ok();
}

Status RunScans(const RunConfig& config, Reporter& reporter) {
  Status first_error;
  const std::uint64_t items = LargeItems(config);
  for (std::uint32_t value_bytes : config.PickValueSizes({100, 1024})) {
    for (int threads : config.PickThreads({1})) {
      TableCell cell{value_bytes, items, threads, true};
      CellResults results;
      for (const std::string& engine : ChainEngines(config)) {
        ResultRow row;
        Status s = RunScanCell(config, engine, cell, results, &row);
        if (!s.ok()) {
          reporter.Note("rangescan " + engine + ": " + s.ToString());
          if (first_error.ok()) first_error = s;
          continue;
        }
        if (engine == "eddy") {
          if (const auto best = results.BestPeer("rangescan", false)) {
            const double ratio = row.ops_per_s / best->second;
            row.AddParam("vs_peer", Round(ratio, 3));
            for (const auto& [peer, rate] : results.rate["rangescan"]) {
              if (peer != "eddy") row.AddDetail("vs_" + peer, Round(row.ops_per_s / rate, 3));
            }
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "rangescan eddy %.0f queries/s vs %s %.0f: %.2fx [value_bytes=%u "
                          "items=%s]",
                          row.ops_per_s, best->first.c_str(), best->second, ratio, value_bytes,
                          Count(items).c_str());
            reporter.Add(row);
            reporter.Note(buf);
            continue;
          }
        }
        reporter.Add(row);
      }
    }
  }
  return first_error;
}

// ---------------------------------------------------------------- workloads

Status RunFillRandom(const RunConfig& config, Reporter& reporter) {
  return RunChains(config, reporter, {.report_fill = true}, {LargeItems(config)});
}

Status RunOverwriteRandom(const RunConfig& config, Reporter& reporter) {
  return RunChains(config, reporter, {.overwrite = true}, {LargeItems(config)});
}

Status RunReadRandom(const RunConfig& config, Reporter& reporter) {
  return RunChains(config, reporter, {.read = true}, SmallAndLarge(config));
}

Status RunTableSuite(const RunConfig& config, Reporter& reporter) {
  Status s = RunChains(config, reporter, {.report_fill = true, .overwrite = true, .read = true},
                       SmallAndLarge(config));
  Status scans = RunScans(config, reporter);
  Status reopen = RunReopen(config, reporter);
  if (!s.ok()) return s;
  if (!scans.ok()) return scans;
  return reopen;
}

}  // namespace

EDDY_BENCH_WORKLOAD(fillrandom,
                    "10^7 new items in random order vs RocksDB/LevelDB, same memory budget",
                    RunFillRandom);
EDDY_BENCH_WORKLOAD(
    overwriterandom,
    "10^7 random overwrites of 10^7 loaded items vs peers, with space amplification",
    RunOverwriteRandom);
EDDY_BENCH_WORKLOAD(readrandom, "random gets at 10^5 and 10^7 loaded items vs peers",
                    RunReadRandom);
EDDY_BENCH_WORKLOAD(rangescan, "queries of 100 consecutive items of a partition vs iterator scans",
                    RunScans);
EDDY_BENCH_WORKLOAD(table_suite,
                    "issue 6 in one run: fill->overwrite->read chains, rangescan, reopen",
                    RunTableSuite);

}  // namespace eddy::bench::tables
