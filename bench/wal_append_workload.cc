// Workload `wal_append`: how fast the log takes records, next to what the
// peers' whole Put costs.
//
// Matrix: record size {128 B, 1 KiB, 16 KiB} x sync {none, batch} x threads
// {1, 2, 4, 8} x engine {eddy, rocksdb, leveldb}. Engines of one cell run
// back to back, so their ratio sees the same machine noise.
//
// Same bytes everywhere: each operation carries a 16-byte key and
// `record_bytes - 16` bytes of value. Eddy appends them as one payload of
// `record_bytes`; the peers Put(key, value). Keys are a bijective hash of
// (thread, counter), so they never repeat and arrive in random order, as in
// db_bench fillrandom. Sync `none` maps to the peers' WriteOptions.sync=false,
// `batch` to sync=true.
//
// Each engine runs in a fresh directory, removed after the cell. Eddy's log
// runs with a helper thread calling ReleaseBelow(durable LSN) every
// --wal-release-ms, standing in for the engine's flushes: without it a
// 16 KiB run would fill the disk with segments no engine would keep, and the
// peers too delete their logs after each memtable flush.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/peers.h"
#include "bench/timed_run.h"
#include "bench/workload.h"
#include "eddy/types.h"
#include "wal/wal.h"

namespace eddy::bench {
namespace {

constexpr std::uint32_t kRecordKeyBytes = 16;
// The segment size the log's targets were measured with (benchmarks.md).
constexpr std::uint64_t kWalAppendSegmentBytes = 64ull << 20;
constexpr std::uint8_t kRecordType = wal::kFirstUserRecordType;

// murmur3's fmix64: a bijection, so distinct ids give distinct keys.
std::uint64_t Fmix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// 16 lowercase hex digits: printable keys, as db_bench's.
void WriteKey(std::uint64_t id, std::byte* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t h = Fmix64(id);
  for (int i = 15; i >= 0; --i) {
    out[i] = static_cast<std::byte>(kHex[h & 0xf]);
    h >>= 4;
  }
}

// One thread's record: key in front, value behind, filled once with bytes
// that do not compress (compression is off anyway; this keeps it honest).
std::vector<std::byte> MakeRecord(std::uint32_t record_bytes, int thread) {
  std::vector<std::byte> record(record_bytes);
  std::uint64_t state = Fmix64(0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(thread));
  for (std::size_t i = kRecordKeyBytes; i < record.size(); ++i) {
    state = Fmix64(state + i);
    record[i] = static_cast<std::byte>(state);
  }
  return record;
}

std::uint64_t OpId(int thread, std::uint64_t i) {
  return (static_cast<std::uint64_t>(thread) << 48) | i;
}

struct WalCell {
  std::string engine;
  std::uint32_t record_bytes = 0;
  SyncMode sync = SyncMode::kNone;
  int threads = 1;
};

std::string CellName(const WalCell& cell) {
  return "wal_append-" + cell.engine + "-" + std::to_string(cell.record_bytes) + "-" +
         std::string(SyncModeName(cell.sync)) + "-" + std::to_string(cell.threads);
}

ResultRow MakeRow(const WalCell& cell, const TimedRunResult& run) {
  ResultRow row;
  row.workload = "wal_append";
  row.engine = cell.engine;
  row.threads = cell.threads;
  row.ops = run.ops;
  row.seconds = run.seconds;
  row.ops_per_s = run.OpsPerSecond();
  row.mb_per_s = row.ops_per_s * cell.record_bytes / 1e6;
  row.p50_us = run.latency.PercentileUs(50);
  row.p99_us = run.latency.PercentileUs(99);
  row.AddParam("record_bytes", cell.record_bytes);
  row.AddParam("sync", std::string(SyncModeName(cell.sync)));
  row.AddDetail("key_bytes", kRecordKeyBytes);
  row.AddDetail("mean_us", run.latency.MeanUs());
  row.AddDetail("max_us", run.latency.MaxUs());
  return row;
}

std::string SyncMethodName(wal::SyncMethod method) {
  return method == wal::SyncMethod::kDsync ? "dsync" : "linked_datasync";
}

// Calls ReleaseBelow(durable LSN) every `period` until destroyed.
class SegmentReleaser {
 public:
  SegmentReleaser(wal::Wal* log, std::uint32_t period_ms) {
    if (period_ms == 0) return;
    thread_ = std::thread([this, log, period_ms] {
      while (!stop_.load(std::memory_order_relaxed)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(period_ms));
        const Lsn durable = log->durable_lsn();
        if (durable == kNoLsn) continue;
        Status s = log->ReleaseBelow(durable);
        if (!s.ok() && status_.ok()) status_ = std::move(s);
      }
    });
  }
  ~SegmentReleaser() { Stop().IgnoreError(); }

  // Joins the thread; returns the first error ReleaseBelow gave.
  Status Stop() {
    stop_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> stop_{false};
  Status status_;
  std::thread thread_;
};

Result<ResultRow> RunEddyCell(const RunConfig& config, const WalCell& cell,
                              const std::filesystem::path& dir) {
  wal::WalOptions options;
  options.dir = dir.string();
  options.segment_bytes = WalSegmentBytes(config, kWalAppendSegmentBytes);
  options.sync_mode = cell.sync;
  options.sync_method = config.wal_sync_method;
  options.max_inflight_writes = config.wal_max_inflight;
  options.report_progress = false;
  auto opened = wal::Wal::Open(
      options, 1, [](const wal::LogRecord&) { return Status::Ok(); }, nullptr);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<wal::Wal> log = std::move(opened).value();

  SegmentReleaser releaser(log.get(), config.wal_release_ms);
  TimedRunResult run = RunTimed(cell.threads, config.duration_s, [&](int thread) {
    return [record = MakeRecord(cell.record_bytes, thread), thread,
            log = log.get()](std::uint64_t i) mutable -> Status {
      WriteKey(OpId(thread, i), record.data());
      Result<Lsn> lsn = log->Append(kRecordType, ByteSpan(record.data(), record.size()));
      return lsn.ok() ? Status::Ok() : lsn.status();
    };
  });
  Status released = releaser.Stop();
  Status closed = log->Close();
  if (!run.status.ok()) return run.status;
  if (!released.ok()) return released;
  if (!closed.ok()) return closed;

  ResultRow row = MakeRow(cell, run);
  row.AddDetail("sync_method", SyncMethodName(config.wal_sync_method));
  row.AddDetail("segment_mib", WalSegmentBytes(config, kWalAppendSegmentBytes) >> 20);
  row.AddDetail("max_inflight_writes", config.wal_max_inflight);
  row.AddDetail("release_ms", config.wal_release_ms);
  return row;
}

Result<ResultRow> RunPeerCell(const RunConfig& config, const WalCell& cell,
                              const std::filesystem::path& dir) {
  auto opened = OpenPeer(cell.engine, dir);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<PeerDb> db = std::move(opened).value();
  const bool sync = cell.sync != SyncMode::kNone;

  TimedRunResult run = RunTimed(cell.threads, config.duration_s, [&](int thread) {
    return [record = MakeRecord(cell.record_bytes, thread), thread, sync,
            db = db.get()](std::uint64_t i) mutable -> Status {
      WriteKey(OpId(thread, i), record.data());
      return db->Put(ByteSpan(record.data(), kRecordKeyBytes),
                     ByteSpan(record.data() + kRecordKeyBytes, record.size() - kRecordKeyBytes),
                     sync);
    };
  });
  const std::string version = db->Describe();
  Status closed = db->Close();
  if (!run.status.ok()) return run.status;
  if (!closed.ok()) return closed;

  ResultRow row = MakeRow(cell, run);
  row.AddDetail("write_sync", sync ? "true" : "false");
  row.AddDetail("engine_version", version);
  return row;
}

Status RunWalAppend(const RunConfig& config, Reporter& reporter) {
  std::vector<std::string> engines = {"eddy"};
  for (const std::string& peer : PeerEngines())
    engines.push_back(peer);
  engines = config.PickEngines(engines);
  const auto sizes = config.PickValueSizes({128, 1024, 16384});
  const auto syncs = config.PickSyncs({SyncMode::kNone, SyncMode::kBatch});
  const auto thread_counts = config.PickThreads({1, 2, 4, 8});

  Status first_error;
  for (std::uint32_t size : sizes) {
    if (size < kRecordKeyBytes) {
      reporter.Note("wal_append: record size " + std::to_string(size) + " is below the " +
                    std::to_string(kRecordKeyBytes) + "-byte key; skipped");
      continue;
    }
    for (SyncMode sync : syncs) {
      for (int threads : thread_counts) {
        for (const std::string& engine : engines) {
          const WalCell cell{engine, size, sync, threads};
          if (engine != "eddy" && sync == SyncMode::kInterval) continue;  // no peer equivalent
          Result<ResultRow> row = [&]() -> Result<ResultRow> {
            EDDY_ASSIGN_OR_RETURN(auto dir, config.MakeCellDir(CellName(cell)));
            Result<ResultRow> r =
                engine == "eddy" ? RunEddyCell(config, cell, dir) : RunPeerCell(config, cell, dir);
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
            return r;
          }();
          if (row.ok()) {
            reporter.Add(row.value());
          } else {
            reporter.Note(CellName(cell) + " failed: " + row.status().ToString());
            if (first_error.ok()) first_error = row.status();
          }
        }
      }
    }
  }
  return first_error;
}

}  // namespace
}  // namespace eddy::bench

EDDY_BENCH_WORKLOAD(wal_append,
                    "WAL appends (128 B/1 KiB/16 KiB, sync none/batch, 1-8 threads) vs "
                    "RocksDB/LevelDB Put with sync=false/true",
                    ::eddy::bench::RunWalAppend);
