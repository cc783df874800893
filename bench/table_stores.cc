#include "bench/table_stores.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <system_error>

#include "compaction/page_cache.h"

namespace eddy::bench::tables {
namespace fs = std::filesystem;

Options EddyOptions(const RunConfig& config, const fs::path& dir, std::uint64_t memtable_bytes) {
  Options options;
  options.dir = dir.string();
  options.sync_mode = SyncMode::kNone;
  options.wal_segment_bytes = WalSegmentBytes(config, options.wal_segment_bytes);
  options.memtable_budget_bytes = memtable_bytes;
  options.block_cache_bytes = kBlockCacheBytes;
  options.map_table_files = config.map_table_files;
  options.table_bloom_bits_per_key = config.bloom_bits_per_key;
  options.report_progress = false;
  return options;
}

PeerOptions SharedPeerOptions(const RunConfig& config, std::uint64_t memtable_bytes) {
  PeerOptions options;
  options.write_buffer_bytes = memtable_bytes;
  options.max_write_buffers = kRocksWriteBuffers;
  options.block_cache_bytes = kBlockCacheBytes;
  options.bloom_bits_per_key = static_cast<int>(config.bloom_bits_per_key);
  rlimit files{};
  const bool known = ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY;
  options.max_open_files =
      known ? static_cast<int>(std::min<rlim_t>(kLevelDbMaxOpenFiles, files.rlim_cur / 2))
            : kLevelDbMaxOpenFiles;
  return options;
}

// ---- EddyStore

namespace {

Item KeyItem(Key key) {
  Item::Entries entries;
  entries.emplace_back("pk", AttributeValue::S(std::string(key.pk)));
  if (!key.sk.empty()) entries.emplace_back("sk", AttributeValue::S(std::string(key.sk)));
  return Item::FromCanonical(std::move(entries));
}

}  // namespace

Result<std::unique_ptr<EddyStore>> EddyStore::Open(const Options& options, bool sort_key,
                                                   bool create) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
  if (create) {
    TableSpec spec;
    spec.name = "bench";
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    if (sort_key) spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kS};
    EDDY_RETURN_IF_ERROR(db->CreateTable(spec).status());
  }
  return std::unique_ptr<EddyStore>(new EddyStore(std::move(db)));
}

Status EddyStore::Put(Key key, std::string_view value) {
  Item::Entries entries;
  entries.reserve(3);
  entries.emplace_back("pk", AttributeValue::S(std::string(key.pk)));
  if (!key.sk.empty()) entries.emplace_back("sk", AttributeValue::S(std::string(key.sk)));
  entries.emplace_back("v", AttributeValue::B(std::string(value)));
  return db_->Write(WriteOp::Put("bench", Item::FromCanonical(std::move(entries))));
}

Status EddyStore::Get(Key key, std::string* value) {
  EDDY_ASSIGN_OR_RETURN(std::optional<Item> item, db_->Get("bench", KeyItem(key)));
  if (!item) return Status::NotFound("eddy get: no such item");
  *value = item->Find("v")->AsBinary();
  return Status::Ok();
}

Status EddyStore::Query(std::string_view pk, std::string_view sk_from, std::size_t count,
                        std::size_t* found) {
  QueryRequest q;
  q.table = "bench";
  q.partition_key = AttributeValue::S(std::string(pk));
  q.sort_key = SortKeyCondition{SortKeyCondition::Op::kGe, AttributeValue::S(std::string(sk_from)),
                                AttributeValue::Null()};
  q.limit = static_cast<std::uint32_t>(count);
  EDDY_ASSIGN_OR_RETURN(QueryResult r, db_->Query(q));
  *found = r.items.size();
  return Status::Ok();
}

Status EddyStore::Settle(double) {
  EDDY_RETURN_IF_ERROR(impl().WaitForFlushes());
  EDDY_RETURN_IF_ERROR(impl().CompactUntilDone());
  // What the maintenance thread does within a second of a flush: drop the
  // log segments the flushed files made redundant (the peers delete a
  // flushed memtable's log file at once).
  return impl().CheckpointAndReleaseLog();
}

void EddyStore::AddDetails(ResultRow& row) {
  row.AddDetail("table_files", static_cast<double>(impl().TableFileCount()));
  row.AddDetail("flushes", static_cast<double>(impl().FlushCount()));
  row.AddDetail("memtable_bytes_now", static_cast<double>(impl().MemtableBytes()));
  // Each log write covers whole 4 KiB blocks: this says how full they were.
  const wal::WalStats log = impl().log().stats();
  if (log.records > 0) {
    row.AddDetail("log_bytes_per_record",
                  static_cast<double>(log.bytes_written) / static_cast<double>(log.records));
  }
}

// ---- PeerStore

namespace {

// Every file under `dir` with its size, to tell when LevelDB stops changing it.
std::map<std::string, std::uintmax_t> ListFiles(const fs::path& dir) {
  std::map<std::string, std::uintmax_t> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) files[it->path().string()] = it->file_size(size_ec);
  }
  return files;
}

class PeerStore final : public Store {
 public:
  PeerStore(std::unique_ptr<PeerDb> db, fs::path dir) : db_(std::move(db)), dir_(std::move(dir)) {}

  Status Put(Key key, std::string_view value) override {
    return db_->Put(Bytes(Join(key)), Bytes(value), /*sync=*/false);
  }
  Status Get(Key key, std::string* value) override { return db_->Get(Bytes(Join(key)), value); }

  Status Query(std::string_view pk, std::string_view sk_from, std::size_t count,
               std::size_t* found) override {
    thread_local std::string key, value;
    return db_->Scan(Bytes(Join({pk, sk_from})), Bytes(pk), count, &key, &value, found);
  }

  Status Settle(double max_s) override {
    const auto deadline = Clock::now() + std::chrono::duration<double>(max_s);
    // RocksDB says whether work is due; LevelDB does not, so its file list
    // must stay the same for 2 s (it writes a 2 MiB compaction output file
    // in well under a second).
    int quiet = 0;
    auto files = ListFiles(dir_);
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (std::optional<bool> busy = db_->BackgroundBusy()) {
        quiet = *busy ? 0 : quiet + 1;
        if (quiet >= 3) return Status::Ok();
        continue;
      }
      auto now = ListFiles(dir_);
      quiet = now == files ? quiet + 1 : 0;
      files = std::move(now);
      if (quiet >= 20) return Status::Ok();
    }
    return Status::Busy("background work still running after " + std::to_string(max_s) + " s");
  }

  Status Close() override { return db_->Close(); }

 private:
  static ByteSpan Bytes(std::string_view s) { return AsBytes(s.data(), s.size()); }
  static std::string_view Join(Key key) {
    if (key.sk.empty()) return key.pk;
    thread_local std::string joined;
    joined.assign(key.pk);
    joined.append(key.sk);
    return joined;
  }

  std::unique_ptr<PeerDb> db_;
  fs::path dir_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPeerStore(std::string_view engine, const fs::path& dir,
                                             const PeerOptions& options) {
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<PeerDb> db, OpenPeer(engine, dir, options));
  return std::unique_ptr<Store>(std::make_unique<PeerStore>(std::move(db), dir));
}

Result<std::unique_ptr<Store>> OpenStore(const RunConfig& config, const std::string& engine,
                                         const fs::path& dir, bool sort_key) {
  if (engine == "eddy") {
    EDDY_ASSIGN_OR_RETURN(auto store, EddyStore::Open(EddyOptions(config, dir, kMemtableBytes),
                                                      sort_key, /*create=*/true));
    return std::unique_ptr<Store>(std::move(store));
  }
  return OpenPeerStore(engine, dir, SharedPeerOptions(config, kMemtableBytes));
}

// ---- Disk

namespace {

bool IsTableFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".sst" || ext == ".ldb";
}

}  // namespace

DiskUsage MeasureDisk(const fs::path& dir) {
  DiskUsage usage;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const std::uint64_t bytes = static_cast<std::uint64_t>(st.st_blocks) * 512;
    usage.total += bytes;
    if (it->path().parent_path().filename() == "wal" || it->path().extension() == ".log") {
      usage.log += bytes;
    } else if (IsTableFile(it->path())) {
      usage.tables += bytes;
    }
  }
  return usage;
}

namespace {

std::vector<fs::path> RegularFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) files.push_back(it->path());
  }
  return files;
}

}  // namespace

std::uint64_t ResidentBytes(const fs::path& dir, bool tables_only, std::uint64_t* file_bytes) {
  std::uint64_t resident = 0, bytes = 0;
  for (const fs::path& path : RegularFiles(dir)) {
    if (tables_only && !IsTableFile(path)) continue;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      const std::size_t len = static_cast<std::size_t>(st.st_size);
      bytes += len;
      void* map = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd, 0);
      if (map != MAP_FAILED) {
        resident += compaction::ResidentBytes(static_cast<const char*>(map), len);
        ::munmap(map, len);
      }
    }
    ::close(fd);
  }
  if (file_bytes != nullptr) *file_bytes = bytes;
  return std::min(resident, bytes);
}

void WarmCache(const fs::path& dir) {
  std::vector<char> buf(1 << 20);
  for (const fs::path& path : RegularFiles(dir)) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    while (::read(fd, buf.data(), buf.size()) > 0) {
    }
    ::close(fd);
  }
}

std::string DropCache(const fs::path& dir, std::uint64_t* resident) {
  for (const fs::path& path : RegularFiles(dir)) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::fdatasync(fd);  // DONTNEED leaves dirty pages alone
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
  *resident = ResidentBytes(dir);
  if (*resident == 0) return "fadvise";
  const int fd = ::open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return "fadvise";
  ::sync();
  const bool dropped = ::write(fd, "1\n", 2) == 2;
  ::close(fd);
  if (!dropped) return "fadvise";
  *resident = ResidentBytes(dir);
  return "fadvise+drop_caches";
}

// ---- Timing

void SummariseSeconds(std::vector<double> per_second, Phase* phase) {
  if (per_second.empty()) return;
  phase->min_1s_ops = *std::min_element(per_second.begin(), per_second.end());
  const double mean = phase->Rate();
  phase->stall_seconds = static_cast<int>(
      std::count_if(per_second.begin(), per_second.end(), [&](double r) { return r < mean / 10; }));
  phase->per_second = std::move(per_second);
}

Phase FromTimed(TimedRunResult r) {
  Phase phase;
  phase.ops = r.ops;
  phase.seconds = r.seconds;
  phase.latency = std::move(r.latency);
  return phase;
}

// ---- Rows

double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

std::string Count(std::uint64_t n) {
  int exp = 0;
  std::uint64_t m = n;
  while (m >= 10 && m % 10 == 0) {
    m /= 10;
    ++exp;
  }
  if (m == 1 && exp > 0) return "1e" + std::to_string(exp);
  return std::to_string(n);
}

std::string Verdict(bool met) {
  return met ? "met" : "NOT_MET";
}

void AddSettings(ResultRow& row, const RunConfig& config, const std::string& engine,
                 std::uint64_t memtable_bytes) {
  row.AddDetail("memtable_bytes", static_cast<double>(memtable_bytes));
  row.AddDetail("block_cache_bytes", static_cast<double>(kBlockCacheBytes));
  row.AddDetail("bloom_bits_per_key", config.bloom_bits_per_key);
  row.AddDetail("compression", "none");
  row.AddDetail("sync", "none");
  if (engine == "eddy") {
    row.AddDetail("memtables_max", 5);
    row.AddDetail("compaction", "tiered, 64 MiB/s");
    row.AddDetail("table_reads", config.map_table_files ? "mmap" : "pread");
  } else if (engine.starts_with("rocksdb")) {
    row.AddDetail("memtables_max", kRocksWriteBuffers);
    row.AddDetail("compaction", "leveled");
    row.AddDetail("table_reads", "pread");
  } else {
    row.AddDetail("memtables_max", 2);
    row.AddDetail("compaction", "leveled");
    row.AddDetail("max_open_files", kLevelDbMaxOpenFiles);
    row.AddDetail("table_reads", "mmap");  // leveldb's default on 64-bit
  }
}

ResultRow MakeRow(const RunConfig& config, const std::string& workload, const std::string& engine,
                  int threads, const Phase& phase, std::uint32_t value_bytes, std::uint64_t items,
                  std::size_t key_bytes, std::size_t items_per_op) {
  ResultRow row;
  row.workload = workload;
  row.engine = engine;
  row.threads = threads;
  row.ops = phase.ops;
  row.seconds = phase.seconds;
  row.ops_per_s = phase.Rate();
  row.mb_per_s =
      row.ops_per_s * static_cast<double>(items_per_op * (key_bytes + value_bytes)) / 1e6;
  row.p50_us = phase.latency.PercentileUs(50);
  row.p99_us = phase.latency.PercentileUs(99);
  row.AddParam("value_bytes", value_bytes);
  row.AddParam("items", Count(items));
  row.AddDetail("key_bytes", static_cast<double>(key_bytes));
  row.AddDetail("max_us", phase.latency.MaxUs());
  if (phase.min_1s_ops > 0 || phase.stall_seconds > 0) {
    row.AddDetail("min_1s_ops_per_s", phase.min_1s_ops);
    row.AddDetail("stall_seconds", phase.stall_seconds);
    std::string series;
    for (double n : phase.per_second)
      series += (series.empty() ? "" : "/") + std::to_string(static_cast<std::uint64_t>(n));
    row.AddDetail("ops_per_second_series", series);
  }
  AddSettings(row, config, engine, kMemtableBytes);
  return row;
}

}  // namespace eddy::bench::tables
