// What the issue-6 workloads (table_workloads.cc, reopen_workload.cc) share:
// the keys and values, one Store face over Eddy, RocksDB and LevelDB with the
// same memory budget, the directory's disk use, page-cache dropping, a
// count-driven phase runner, and row helpers.
//
// Same bytes everywhere. An item's key is 16 hex digits of a bijective hash
// of its number (keys arrive in random order); its value is `value_bytes`
// incompressible bytes. Eddy stores {pk: S(key), v: B(value)}, the peers
// Put(key, value). With a sort key (rangescan), item j lives in partition
// j / kPartitionItems (pk: 16 hex digits of the partition's hash) at sort
// key j % kPartitionItems (sk: S, 8 decimal digits); the peers' key is
// pk + sk.
//
// Same memory budget (SharedPeerOptions, EddyOptions): a 64 MiB memtable
// (Eddy memtable_budget_bytes, the peers' write_buffer_size), a 64 MiB LRU
// block cache, 10-bit bloom filters (Eddy's table files always have one;
// both peers get one), up to 4 memtables waiting for flush (Eddy's
// kMaxImmutables; RocksDB max_write_buffer_number 5; LevelDB has one), index
// and filter blocks outside the cache on all sides, compression off, sync
// none / WriteOptions.sync = false.
//
// Threads: a Store's Put, Get and Query may be called from many threads;
// Settle, AddDetails and Close from one, with no other call running.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/histogram.h"
#include "bench/item_data.h"
#include "bench/peers.h"
#include "bench/timed_run.h"
#include "bench/workload.h"
#include "eddy/db.h"
#include "engine/db_impl.h"

namespace eddy::bench::tables {

using Clock = std::chrono::steady_clock;

inline constexpr std::size_t kSortKeyBytes = 8;
inline constexpr std::uint64_t kPartitionItems = 1000;

// The shared memory budget.
inline constexpr std::uint64_t kMemtableBytes = 64ull << 20;
inline constexpr std::uint64_t kBlockCacheBytes = 64ull << 20;
inline constexpr int kRocksWriteBuffers = 5;  // Eddy: the active memtable + 4 waiting for flush
inline constexpr int kLevelDbMaxOpenFiles = 10'000;

// ---- Keys and values (Mix, HexKey, MakeValue: bench/item_data.h)

inline void SortKey(std::uint64_t s, char* out) {
  for (std::size_t i = kSortKeyBytes; i-- > 0; s /= 10)
    out[i] = static_cast<char>('0' + s % 10);
}

// A key as the workloads build it: sk is empty for the pk-only table.
struct Key {
  std::string_view pk;
  std::string_view sk;
};

// Item i of the pk-only table.
struct ItemKey {
  char pk[kKeyBytes];
  explicit ItemKey(std::uint64_t i) { HexKey(i, pk); }
  Key key() const { return {{pk, kKeyBytes}, {}}; }
};

// Item j of the table with a sort key.
struct ScanKey {
  char pk[kKeyBytes];
  char sk[kSortKeyBytes];
  explicit ScanKey(std::uint64_t j) {
    HexKey(j / kPartitionItems, pk);
    SortKey(j % kPartitionItems, sk);
  }
  Key key() const { return {{pk, kKeyBytes}, {sk, kSortKeyBytes}}; }
};

// ---- Stores

class Store {
 public:
  virtual ~Store() = default;
  virtual Status Put(Key key, std::string_view value) = 0;
  // NotFound when absent.
  virtual Status Get(Key key, std::string* value) = 0;
  // Up to `count` items of partition `pk` from sort key `sk_from` on.
  virtual Status Query(std::string_view pk, std::string_view sk_from, std::size_t count,
                       std::size_t* found) = 0;
  // Waits until no flush or compaction runs or is due, and what they made
  // redundant is deleted; Busy after max_s.
  virtual Status Settle(double max_s) = 0;
  // Engine facts for a row's details (Eddy: table files, flushes).
  virtual void AddDetails(ResultRow&) {}
  virtual Status Close() = 0;
};

Options EddyOptions(const RunConfig& config, const std::filesystem::path& dir,
                    std::uint64_t memtable_bytes);
PeerOptions SharedPeerOptions(const RunConfig& config, std::uint64_t memtable_bytes);

// Eddy with one table "bench" (created when `create`).
class EddyStore final : public Store {
 public:
  static Result<std::unique_ptr<EddyStore>> Open(const Options& options, bool sort_key,
                                                 bool create);
  Status Put(Key key, std::string_view value) override;
  Status Get(Key key, std::string* value) override;
  Status Query(std::string_view pk, std::string_view sk_from, std::size_t count,
               std::size_t* found) override;
  // WaitForFlushes, then CompactUntilDone (in this thread; max_s unused).
  Status Settle(double max_s) override;
  void AddDetails(ResultRow& row) override;
  Status Close() override { return db_->Close(); }

  Db& db() { return *db_; }
  engine::DbImpl& impl() { return static_cast<engine::DbImpl&>(*db_); }

 private:
  explicit EddyStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  std::unique_ptr<Db> db_;
};

// A peer ("rocksdb", "leveldb") in `dir`.
Result<std::unique_ptr<Store>> OpenPeerStore(std::string_view engine,
                                             const std::filesystem::path& dir,
                                             const PeerOptions& options);
// Any engine with the shared budget; a fresh directory.
Result<std::unique_ptr<Store>> OpenStore(const RunConfig& config, const std::string& engine,
                                         const std::filesystem::path& dir, bool sort_key);

// ---- Disk

struct DiskUsage {
  std::uint64_t total = 0;   // bytes allocated (st_blocks), as du counts them
  std::uint64_t log = 0;     // Eddy's wal/, the peers' *.log
  std::uint64_t tables = 0;  // *.sst, *.ldb
};
DiskUsage MeasureDisk(const std::filesystem::path& dir);

// Bytes of the files under `dir` (only *.sst and *.ldb when `tables_only`)
// now in the page cache (mincore); *file_bytes, if given: their sizes.
std::uint64_t ResidentBytes(const std::filesystem::path& dir, bool tables_only = false,
                            std::uint64_t* file_bytes = nullptr);
// Reads every file under `dir` once through the page cache.
void WarmCache(const std::filesystem::path& dir);

// Empties the page cache of `dir`'s files: fdatasync and
// posix_fadvise(DONTNEED) each, then checks with mincore; only if pages are
// left, writes /proc/sys/vm/drop_caches (root only; it empties the whole
// machine's cache, which disturbs anyone else measuring). Returns the method
// used; *resident: bytes still cached afterwards.
std::string DropCache(const std::filesystem::path& dir, std::uint64_t* resident);

// ---- Timing

struct Phase {
  std::uint64_t ops = 0;
  double seconds = 0;
  LatencyHistogram latency;
  // Count-driven phases: completions per whole second; the slowest second,
  // and how many seconds fell below a tenth of the phase's mean (stalls).
  double min_1s_ops = 0;
  int stall_seconds = 0;
  std::vector<double> per_second;  // completions in each whole second

  double Rate() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
};

// Keeps per-second completion counts and fills phase->stall figures.
void SummariseSeconds(std::vector<double> per_second, Phase* phase);

// Runs op(i) for i in [0, count), split into contiguous ranges across
// threads; a sampler thread counts completions each second. Stops at the
// first error (that thread's range only) and returns it.
template <typename Op>
Status RunCounted(int threads, std::uint64_t count, Op op, Phase* phase) {
  struct alignas(64) PerThread {
    std::atomic<std::uint64_t> done{0};
    LatencyHistogram latency;
    Status status;
  };
  std::vector<PerThread> per(static_cast<std::size_t>(threads));
  std::atomic<bool> finished{false};
  std::vector<double> per_second;
  const auto start = Clock::now();
  std::thread sampler([&] {
    std::uint64_t last = 0;
    auto next = start + std::chrono::seconds(1);
    while (!finished.load()) {
      std::this_thread::sleep_until(std::min(next, Clock::now() + std::chrono::milliseconds(50)));
      if (Clock::now() < next) continue;
      std::uint64_t total = 0;
      for (PerThread& p : per)
        total += p.done.load(std::memory_order_relaxed);
      per_second.push_back(static_cast<double>(total - last));
      last = total;
      next += std::chrono::seconds(1);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PerThread& mine = per[static_cast<std::size_t>(t)];
      const std::uint64_t begin = count * t / threads, end = count * (t + 1) / threads;
      auto last = Clock::now();
      for (std::uint64_t i = begin; i < end; ++i) {
        Status s = op(i);
        if (!s.ok()) {
          mine.status = std::move(s);
          return;
        }
        const auto now = Clock::now();
        mine.latency.Record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count()));
        last = now;
        mine.done.store(i - begin + 1, std::memory_order_relaxed);
      }
    });
  }
  for (std::thread& w : workers)
    w.join();
  phase->seconds = std::chrono::duration<double>(Clock::now() - start).count();
  finished.store(true);
  sampler.join();
  phase->ops = count;
  for (PerThread& p : per) {
    EDDY_RETURN_IF_ERROR(p.status);
    phase->latency.Merge(p.latency);
  }
  SummariseSeconds(std::move(per_second), phase);
  return Status::Ok();
}

Phase FromTimed(TimedRunResult r);

// ---- Rows

double Round(double value, int decimals);
// 10000000 as "1e7"; other counts in full.
std::string Count(std::uint64_t n);
std::string Verdict(bool met);  // "met" / "NOT_MET"
// The memory budget and settings of `engine`, as details.
void AddSettings(ResultRow& row, const RunConfig& config, const std::string& engine,
                 std::uint64_t memtable_bytes);
// A row with the phase's rates and latencies, value_bytes and items params,
// and the settings. mb_per_s counts items_per_op x (key + value) per op.
ResultRow MakeRow(const RunConfig& config, const std::string& workload, const std::string& engine,
                  int threads, const Phase& phase, std::uint32_t value_bytes, std::uint64_t items,
                  std::size_t key_bytes, std::size_t items_per_op = 1);

// ---- Workloads defined in one file and run by another (table_suite)

Status RunReopen(const RunConfig& config, Reporter& reporter);

}  // namespace eddy::bench::tables
