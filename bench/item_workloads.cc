// put, overwrite, get: the engine's write and read paths, item by item,
// against RocksDB and LevelDB in the same run, and against the change capture
// a RocksDB user builds by hand (Get the old value, then one WriteBatch with
// the new value and a change record holding old and new).
//
// Same bytes everywhere: 16-byte keys (a bijective hash of the item number,
// so keys arrive in random order) and values of `value_bytes`. Eddy stores
// the item {pk: S(key), v: B(value)} in a table whose stream is off or uses
// one of the view types; peers Put(key, value). Sync mode none / sync=false:
// these workloads measure the engines, not the disk.
//
// put: `items` new items, split across threads. overwrite: the same items
// are first loaded (untimed), then `items` overwrites of random items, of
// which `noop_pct` % write the item's current value (a no-op for Eddy; the
// peers, which cannot tell, write it again). get: load, then random gets.
// Memory per item: Eddy's memtable bytes (or RocksDB's
// rocksdb.cur-size-all-mem-tables) divided by the items loaded.
//
// Item counts 10^5 and 10^6 by default; `--items 1e5,1e7` adds the issue's
// 10^7 cells. After the rows, one `#` line per target of issue 3 that the
// run's cells allow to check (NoteTargets).
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "bench/histogram.h"
#include "bench/item_data.h"
#include "bench/table_stores.h"
#include "bench/timed_run.h"
#include "bench/workload.h"
#include "eddy/db.h"
#include "engine/db_impl.h"

namespace eddy::bench {
namespace {

// The peers' memtable size: Eddy's default memtable budget, so every engine
// flushes at the same point (docs/benchmarks.md, "put at 10^7", says what
// the 1 GiB used before did to the peers' 10^7 puts).
const std::size_t kPeerWriteBufferBytes = Options{}.memtable_budget_bytes;

// What the workloads need from an engine. Called from several threads.
class ItemStore {
 public:
  virtual ~ItemStore() = default;
  virtual Status Put(std::string_view key, std::string_view value) = 0;
  virtual Status Get(std::string_view key, std::string* value) = 0;
  virtual std::size_t MemtableBytes() = 0;
  virtual Status Close() = 0;
};

class EddyStore final : public ItemStore {
 public:
  static Result<std::unique_ptr<ItemStore>> Open(const std::filesystem::path& dir,
                                                 std::optional<StreamViewType> stream) {
    Options options;
    options.dir = dir.string();
    options.sync_mode = SyncMode::kNone;
    EDDY_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(options));
    TableSpec spec;
    spec.name = "bench";
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    if (stream) spec.stream = {true, *stream};
    EDDY_RETURN_IF_ERROR(db->CreateTable(spec).status());
    return std::unique_ptr<ItemStore>(new EddyStore(std::move(db)));
  }

  Status Put(std::string_view key, std::string_view value) override {
    Item item = Item::FromCanonical({{"pk", AttributeValue::S(std::string(key))},
                                     {"v", AttributeValue::B(std::string(value))}});
    return db_->Write(WriteOp::Put("bench", std::move(item)));
  }

  Status Get(std::string_view key, std::string* value) override {
    Item k = Item::FromCanonical({{"pk", AttributeValue::S(std::string(key))}});
    EDDY_ASSIGN_OR_RETURN(std::optional<Item> item, db_->Get("bench", k));
    if (!item) return Status::NotFound("item");
    *value = item->Find("v")->AsBinary();
    return Status::Ok();
  }

  std::size_t MemtableBytes() override {
    return static_cast<engine::DbImpl*>(db_.get())->MemtableBytes();
  }
  Status Close() override { return db_->Close(); }

 private:
  explicit EddyStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  std::unique_ptr<Db> db_;
};

Status RocksStatus(const rocksdb::Status& s) {
  return s.ok() ? Status::Ok() : Status::IOError("rocksdb: " + s.ToString());
}

class RocksStore final : public ItemStore {
 public:
  // `capture`: the hand-built change capture (read old, batch new + change).
  static Result<std::unique_ptr<ItemStore>> Open(const std::filesystem::path& dir, bool capture) {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.compression = rocksdb::kNoCompression;
    options.bottommost_compression = rocksdb::kNoCompression;
    // Eddy's memtable budget: an active memtable and up to four waiting for
    // their flush, as Eddy's (the 10^5 cells stay in memory on every side,
    // so memory per item compares like with like there).
    options.write_buffer_size = kPeerWriteBufferBytes;
    options.max_write_buffer_number = tables::kRocksWriteBuffers;
    rocksdb::DB* db = nullptr;
    EDDY_RETURN_IF_ERROR(RocksStatus(rocksdb::DB::Open(options, dir.string(), &db)));
    return std::unique_ptr<ItemStore>(new RocksStore(db, capture));
  }
  ~RocksStore() override { delete db_; }

  Status Put(std::string_view key, std::string_view value) override {
    if (!capture_) return RocksStatus(db_->Put(write_, ToSlice(key), ToSlice(value)));
    thread_local std::string old_value, change;
    rocksdb::Status s = db_->Get(read_, ToSlice(key), &old_value);
    if (!s.ok() && !s.IsNotFound()) return RocksStatus(s);
    change.clear();
    change.append(s.IsNotFound() ? "I" : "M");
    change.append(key);
    if (s.ok()) change.append(old_value);
    change.append(value);
    char seq_key[24];
    std::snprintf(seq_key, sizeof(seq_key), "~cdc%019llu",
                  static_cast<unsigned long long>(seq_.fetch_add(1)));
    rocksdb::WriteBatch batch;
    batch.Put(ToSlice(key), ToSlice(value));
    batch.Put(seq_key, change);
    return RocksStatus(db_->Write(write_, &batch));
  }

  Status Get(std::string_view key, std::string* value) override {
    return RocksStatus(db_->Get(read_, ToSlice(key), value));
  }
  std::size_t MemtableBytes() override {
    std::uint64_t bytes = 0;
    db_->GetIntProperty("rocksdb.cur-size-all-mem-tables", &bytes);
    return bytes;
  }
  Status Close() override { return RocksStatus(db_->Close()); }

 private:
  RocksStore(rocksdb::DB* db, bool capture) : db_(db), capture_(capture) {}
  static rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }
  rocksdb::DB* db_;
  const bool capture_;
  rocksdb::WriteOptions write_;
  rocksdb::ReadOptions read_;
  std::atomic<std::uint64_t> seq_{0};
};

class LevelStore final : public ItemStore {
 public:
  static Result<std::unique_ptr<ItemStore>> Open(const std::filesystem::path& dir) {
    leveldb::Options options;
    options.create_if_missing = true;
    options.compression = leveldb::kNoCompression;
    options.write_buffer_size = kPeerWriteBufferBytes;
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, dir.string(), &db);
    if (!s.ok()) return Status::IOError("leveldb: " + s.ToString());
    return std::unique_ptr<ItemStore>(new LevelStore(db));
  }
  ~LevelStore() override { delete db_; }

  Status Put(std::string_view key, std::string_view value) override {
    leveldb::Status s = db_->Put(write_, {key.data(), key.size()}, {value.data(), value.size()});
    return s.ok() ? Status::Ok() : Status::IOError("leveldb: " + s.ToString());
  }
  Status Get(std::string_view key, std::string* value) override {
    leveldb::Status s = db_->Get(read_, {key.data(), key.size()}, value);
    return s.ok() ? Status::Ok() : Status::IOError("leveldb: " + s.ToString());
  }
  std::size_t MemtableBytes() override {
    std::string v;
    db_->GetProperty("leveldb.approximate-memory-usage", &v);
    return std::strtoull(v.c_str(), nullptr, 10);
  }
  Status Close() override { return Status::Ok(); }

 private:
  explicit LevelStore(leveldb::DB* db) : db_(db) {}
  leveldb::DB* db_;
  leveldb::WriteOptions write_;
  leveldb::ReadOptions read_;
};

struct ItemCell {
  std::string workload;                  // put, overwrite, get
  std::string engine;                    // eddy, rocksdb, rocksdb-cdc, leveldb
  std::optional<StreamViewType> stream;  // eddy only
  int threads = 1;
  std::uint32_t value_bytes = 100;
  std::uint64_t items = 100'000;
  int noop_pct = 0;  // overwrite only
};

Result<std::unique_ptr<ItemStore>> OpenStore(const ItemCell& cell,
                                             const std::filesystem::path& dir) {
  if (cell.engine == "eddy") return EddyStore::Open(dir, cell.stream);
  if (cell.engine == "rocksdb") return RocksStore::Open(dir, false);
  if (cell.engine == "rocksdb-cdc") return RocksStore::Open(dir, true);
  if (cell.engine == "leveldb") return LevelStore::Open(dir);
  return Status::InvalidArgument("unknown engine " + cell.engine);
}

Status Load(ItemStore& store, const ItemCell& cell) {
  LatencyHistogram ignored;
  double seconds;
  return RunCounted(
      cell.threads, cell.items,
      [&](int, std::uint64_t i) {
        thread_local std::string value;
        char key[kKeyBytes];
        value.resize(cell.value_bytes);
        HexKey(i, key);
        MakeValue(i, 0, &value);
        return store.Put({key, kKeyBytes}, value);
      },
      &ignored, &seconds);
}

// *memory_per_item: the memtable bytes per item loaded (also a row param).
Result<ResultRow> RunCell(const RunConfig& config, const ItemCell& cell, double* memory_per_item) {
  std::string name = cell.workload + "-" + cell.engine + "-" + std::to_string(cell.items);
  EDDY_ASSIGN_OR_RETURN(auto dir, config.MakeCellDir(name));
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<ItemStore> store, OpenStore(cell, dir));
  if (cell.workload != "put") EDDY_RETURN_IF_ERROR(Load(*store, cell));

  LatencyHistogram latency;
  double seconds = 0;
  const std::uint64_t ops = cell.items;
  Status s;
  if (cell.workload == "put") {
    s = RunCounted(
        cell.threads, ops,
        [&](int, std::uint64_t i) {
          thread_local std::string value;
          char key[kKeyBytes];
          value.resize(cell.value_bytes);
          HexKey(i, key);
          MakeValue(i, 0, &value);
          return store->Put({key, kKeyBytes}, value);
        },
        &latency, &seconds);
  } else if (cell.workload == "overwrite") {
    s = RunCounted(
        cell.threads, ops,
        [&](int, std::uint64_t i) {
          thread_local std::string value;
          char key[kKeyBytes];
          value.resize(cell.value_bytes);
          std::uint64_t item = Mix(i ^ 0x5eed) % cell.items;
          // Versions: the load wrote version 0. A no-op rewrites version 0;
          // a change writes a version no one wrote before.
          bool noop = static_cast<int>(Mix(i) % 100) < cell.noop_pct;
          HexKey(item, key);
          MakeValue(item, noop ? 0 : i + 1, &value);
          return store->Put({key, kKeyBytes}, value);
        },
        &latency, &seconds);
  } else {
    s = RunCounted(
        cell.threads, ops,
        [&](int, std::uint64_t i) {
          thread_local std::string value;
          char key[kKeyBytes];
          HexKey(Mix(i ^ 0x9e7) % cell.items, key);
          return store->Get({key, kKeyBytes}, &value);
        },
        &latency, &seconds);
  }
  EDDY_RETURN_IF_ERROR(s);
  std::size_t memtable = store->MemtableBytes();
  EDDY_RETURN_IF_ERROR(store->Close());
  store.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  ResultRow row;
  row.workload = cell.workload;
  row.engine = cell.engine;
  row.threads = cell.threads;
  row.ops = ops;
  row.seconds = seconds;
  row.ops_per_s = seconds > 0 ? ops / seconds : 0;
  row.mb_per_s = row.ops_per_s * (kKeyBytes + cell.value_bytes) / 1e6;
  row.p50_us = latency.PercentileUs(50);
  row.p99_us = latency.PercentileUs(99);
  row.AddParam("value_bytes", cell.value_bytes);
  row.AddParam("items", static_cast<double>(cell.items));
  row.AddParam("stream", cell.stream ? std::string(StreamViewTypeName(*cell.stream)) : "off");
  if (cell.workload == "overwrite") row.AddParam("noop_pct", cell.noop_pct);
  row.AddParam("sync", "none");
  *memory_per_item = static_cast<double>(memtable) / static_cast<double>(cell.items);
  row.AddParam("mem_bytes_per_item", *memory_per_item);
  return row;
}

std::vector<std::optional<StreamViewType>> AllStreams() {
  return {std::nullopt, StreamViewType::kKeysOnly, StreamViewType::kNewImage,
          StreamViewType::kOldImage, StreamViewType::kNewAndOldImages};
}

// A measured cell, kept for the target lines printed after the rows.
struct CellRate {
  ItemCell cell;
  double ops_per_s = 0;
  double memory_per_item = 0;  // memtable bytes per item loaded
};

const CellRate* FindRate(const std::vector<CellRate>& rates, const ItemCell& like,
                         std::string_view engine, std::optional<StreamViewType> stream,
                         std::uint64_t items) {
  for (const CellRate& r : rates) {
    const ItemCell& c = r.cell;
    if (c.engine == engine && c.stream == stream && c.items == items && c.threads == like.threads &&
        c.value_bytes == like.value_bytes && c.noop_pct == like.noop_pct) {
      return &r;
    }
  }
  return nullptr;
}

// The better of RocksDB's and LevelDB's plain rate for `like`'s cell.
const CellRate* BetterPeer(const std::vector<CellRate>& rates, const ItemCell& like) {
  const CellRate* best = nullptr;
  for (const char* peer : {"rocksdb", "leveldb"}) {
    const CellRate* r = FindRate(rates, like, peer, std::nullopt, like.items);
    if (r != nullptr && (best == nullptr || r->ops_per_s > best->ops_per_s)) best = r;
  }
  return best;
}

void NoteTarget(Reporter& reporter, const ItemCell& cell, const std::string& what, double ratio,
                const char* comparison, double target, const std::string& against) {
  const bool met = comparison[0] == '>' ? ratio >= target : ratio <= target;
  char line[512];
  std::snprintf(
      line, sizeof line, "%s: %.2fx %s (target %s %.2f: %s) [value_bytes=%u items=%s threads=%d]",
      what.c_str(), ratio, against.c_str(), comparison, target, tables::Verdict(met).c_str(),
      cell.value_bytes, tables::Count(cell.items).c_str(), cell.threads);
  reporter.Note(line);
}

// Issue 3's targets, from the cells this run measured (sync none): put ≥
// 1.5x the better peer; put of new keys with NEW_AND_OLD_IMAGES ≥ 1.2x the
// better peer's plain put; at 10^7 items put ≥ 0.85x Eddy's own rate at
// 10^5; memory per resident item ≤ 0.8x RocksDB's memtable bytes per item;
// overwrite with NEW_AND_OLD_IMAGES ≥ 5x RocksDB's hand-built change
// capture and ≥ 1.0x RocksDB's plain overwrite.
void NoteTargets(const std::string& workload, const std::vector<CellRate>& rates,
                 Reporter& reporter) {
  const auto both = StreamViewType::kNewAndOldImages;
  for (const CellRate& r : rates) {
    const ItemCell& c = r.cell;
    if (c.engine != "eddy" || c.noop_pct != 0) continue;
    if (workload == "put" && !c.stream) {
      if (const CellRate* peer = BetterPeer(rates, c)) {
        NoteTarget(reporter, c, "put eddy", r.ops_per_s / peer->ops_per_s, ">=", 1.5,
                   peer->cell.engine + "'s put");
      }
      // Only where every item is still in memory (at least its own bytes
      // per item): once Eddy has flushed, its memtable holds a fraction.
      const CellRate* rocks = FindRate(rates, c, "rocksdb", std::nullopt, c.items);
      const double own_bytes = static_cast<double>(kKeyBytes + c.value_bytes);
      if (rocks != nullptr && rocks->memory_per_item >= own_bytes &&
          r.memory_per_item >= own_bytes) {
        NoteTarget(reporter, c, "put eddy memory per item",
                   r.memory_per_item / rocks->memory_per_item, "<=", 0.8,
                   "rocksdb's memtable bytes per item");
      }
      if (c.items >= 10'000'000) {
        if (const CellRate* small = FindRate(rates, c, "eddy", std::nullopt, 100'000)) {
          NoteTarget(reporter, c, "put eddy at scale", r.ops_per_s / small->ops_per_s, ">=", 0.85,
                     "its own rate at 1e5 items");
        }
      }
    }
    if (workload == "put" && c.stream == both) {
      if (const CellRate* peer = BetterPeer(rates, c)) {
        NoteTarget(reporter, c, "put eddy NEW_AND_OLD_IMAGES", r.ops_per_s / peer->ops_per_s,
                   ">=", 1.2, peer->cell.engine + "'s plain put");
      }
    }
    if (workload == "overwrite" && c.stream == both) {
      if (const CellRate* cdc = FindRate(rates, c, "rocksdb-cdc", std::nullopt, c.items)) {
        NoteTarget(reporter, c, "overwrite eddy NEW_AND_OLD_IMAGES", r.ops_per_s / cdc->ops_per_s,
                   ">=", 5.0, "rocksdb's hand-built change capture");
      }
      if (const CellRate* plain = FindRate(rates, c, "rocksdb", std::nullopt, c.items)) {
        NoteTarget(reporter, c, "overwrite eddy NEW_AND_OLD_IMAGES", r.ops_per_s / plain->ops_per_s,
                   ">=", 1.0, "rocksdb's plain overwrite");
      }
    }
  }
}

Status RunItemWorkload(const std::string& workload, const RunConfig& config, Reporter& reporter) {
  const auto threads = config.PickThreads({1, 2});
  const auto values = config.PickValueSizes({100, 1000});
  // The 10^7 cells take minutes each: named with --items.
  const std::vector<std::uint64_t> item_counts =
      config.PickItems(config.quick ? std::vector<std::uint64_t>{20'000}
                                    : std::vector<std::uint64_t>{100'000, 1'000'000});
  const auto engines =
      config.PickEngines(workload == "overwrite"
                             ? std::vector<std::string>{"eddy", "rocksdb", "leveldb", "rocksdb-cdc"}
                             : std::vector<std::string>{"eddy", "rocksdb", "leveldb"});
  const std::vector<int> noops =
      workload == "overwrite" ? std::vector<int>{0, 50, 100} : std::vector<int>{0};
  std::vector<CellRate> rates;
  for (std::uint64_t items : item_counts) {
    for (std::uint32_t value : values) {
      for (int t : threads) {
        for (int noop : noops) {
          for (const std::string& engine : engines) {
            std::vector<std::optional<StreamViewType>> streams{std::nullopt};
            if (engine == "eddy" && workload != "get") streams = AllStreams();
            if (engine == "eddy" && noop != 0) {
              streams = {std::nullopt, StreamViewType::kNewAndOldImages};
            }
            for (const auto& stream : streams) {
              ItemCell cell{workload, engine, stream, t, value, items, noop};
              double memory_per_item = 0;
              Result<ResultRow> row = RunCell(config, cell, &memory_per_item);
              if (!row.ok()) {
                reporter.Note(workload + " " + engine + ": " + row.status().ToString());
                continue;
              }
              reporter.Add(*row);
              rates.push_back({cell, row->ops_per_s, memory_per_item});
            }
          }
        }
      }
    }
  }
  NoteTargets(workload, rates, reporter);
  return Status::Ok();
}

Status RunPut(const RunConfig& c, Reporter& r) {
  return RunItemWorkload("put", c, r);
}
Status RunOverwrite(const RunConfig& c, Reporter& r) {
  return RunItemWorkload("overwrite", c, r);
}
Status RunGet(const RunConfig& c, Reporter& r) {
  return RunItemWorkload("get", c, r);
}

}  // namespace

EDDY_BENCH_WORKLOAD(put, "new items through the engine vs RocksDB/LevelDB Put (sync none)", RunPut);
EDDY_BENCH_WORKLOAD(
    overwrite, "overwrites with 0/50/100 % no-ops vs peers and RocksDB hand-built change capture",
    RunOverwrite);
EDDY_BENCH_WORKLOAD(get, "random gets of loaded items vs RocksDB/LevelDB", RunGet);

}  // namespace eddy::bench
