// DbImpl: the engine behind eddy::Db. Ties the write-ahead log, the memtable
// and the catalog together (the only module that includes more than one of
// them). The write path lives in write_path.cc, reads in reads.cc, opening,
// recovery and tables here.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "compaction/block_cache.h"
#include "compaction/manifest.h"
#include "compaction/read_queue_pool.h"
#include "eddy/db.h"
#include "engine/catalog.h"
#include "engine/key_locks.h"
#include "engine/log_records.h"
#include "engine/read_view.h"
#include "engine/streams/stream_registry.h"
#include "engine/streams/stream_sequencer.h"
#include "memtable/bulk_load.h"
#include "memtable/memtable.h"
#include "wal/wal.h"

namespace eddy::engine {

class DbImpl final : public Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const Options& options);
  ~DbImpl() override;

  Result<TableDescription> CreateTable(const TableSpec& spec) override;
  Result<TableDescription> DeleteTable(std::string_view name) override;
  Result<TableDescription> DescribeTable(std::string_view name) override;
  std::vector<std::string> ListTables() override;
  Result<TableDescription> UpdateStream(std::string_view name,
                                        const StreamSpecification& stream) override;
  Result<TimeToLiveSpecification> UpdateTimeToLive(std::string_view table,
                                                   const TimeToLiveSpecification& ttl) override;

  Status Write(const WriteOp& op, WriteOutcome* outcome) override;
  Status WriteBatch(std::span<const WriteOp> ops, std::vector<WriteOutcome>* outcomes) override;
  Status Transact(std::span<const WriteOp> ops, std::vector<WriteOutcome>* outcomes) override;

  Result<std::optional<Item>> Get(std::string_view table, const Item& key,
                                  const ReadOptions& options) override;
  Result<QueryResult> Query(const QueryRequest& request) override;
  Result<QueryResult> Scan(const ScanRequest& request) override;

  Result<ListStreamsResult> ListStreams(const ListStreamsRequest& request) override;
  Result<StreamDescription> DescribeStream(const DescribeStreamRequest& request) override;
  Result<std::string> GetShardIterator(const GetShardIteratorRequest& request) override;
  Result<GetRecordsResult> GetRecords(std::string_view shard_iterator,
                                      std::uint32_t limit) override;
  Result<bool> WaitForRecords(std::string_view shard_iterator,
                              std::chrono::microseconds timeout) override;
  Result<std::unique_ptr<ShardReader>> OpenShardReader(std::string_view shard_iterator) override;

  Status Sync() override;
  Status Close() override;

  // Stream upkeep that the maintenance thread does every second: logs due
  // shard rollovers and splits, then deletes expired segments. Tests call
  // it after moving a ManualClock.
  Status RunStreamMaintenance();
  // One Time to Live sweep over every table with TTL enabled (the
  // maintenance thread runs it every Options::ttl_sweep_interval_s).
  Status RunTimeToLiveSweep();
  // Log release (the maintenance thread runs it after flushes and expiry):
  // syncs the stream segments, writes the stream checkpoint and releases
  // log segments below both it and the manifest's flushed LSN.
  Status CheckpointAndReleaseLog();

  // For tests and benchmarks.
  const wal::Wal& log() const { return *wal_; }
  // Bytes of every memtable still in memory (active and waiting for flush).
  std::size_t MemtableBytes() const;
  // Arena blocks of flushed memtables kept for the next memtables
  // (memtable/arena_block_pool.h); not part of MemtableBytes.
  std::size_t RetainedArenaBytes() const { return arena_pool_->retained_bytes(); }
  // Table files live now, and the flushed LSN (every change at or below it
  // is in those files).
  std::size_t TableFileCount() const { return View()->files.size(); }
  // Each live table file's size, newest first.
  std::vector<std::uint64_t> TableFileBytes() const;
  // Data blocks point reads asked of table files so far (block cache hits
  // and misses): a read whose key a file's filter rules out asks none.
  std::uint64_t TableBlockLookups() const { return block_cache_->hits() + block_cache_->misses(); }
  Lsn FlushedLsn() const { return flushed_lsn_.load(std::memory_order_relaxed); }
  std::uint64_t FlushCount() {
    std::lock_guard lock(flush_mu_);
    return flushes_;
  }
  // Blocks until every immutable memtable is flushed (or the flush failed).
  Status WaitForFlushes();
  // Runs compactions until none is due (tests; the compaction thread does
  // the same in the background).
  Status CompactUntilDone();
  // Test hook: called with a point name ("flush:written",
  // "compaction:recorded", ...) during each flush and compaction, from their
  // threads; lets crash tests widen windows. Global.
  static void SetFlushHookForTesting(void (*hook)(std::string_view point));

 private:
  explicit DbImpl(const Options& options);

  // Hands a logged record's stream side to the sequencer; returns once it
  // is applied (so a stream record is visible before its write is acked).
  Status CompleteStreamWork(const StreamWork& work) { return sequencer_->Complete(work); }
  // The sequencer's apply step (and replay's).
  Status ApplyStreamWork(const StreamWork& work);
  void MaintenanceLoop();

  // Recovery: one log record.
  Status Replay(const wal::LogRecord& record);
  // Recovery: applies logged item changes to the memtable (through
  // replay_load_, as stored items) and to the tables' item counts.
  Status ApplyChanges(std::span<const ItemChange> changes, Lsn lsn);
  Result<TableDescription> ChangeCatalog(CatalogRecord record);
  Result<std::shared_ptr<const TableState>> FindTable(std::string_view name) const;
  TableDescription Describe(const TableState& state) const;

  // The write path (write_path.cc): validates, locks the items, reads them,
  // checks conditions, builds new items, drops no-ops, logs one record for
  // the changes, applies them. `atomic`: all or nothing (a transaction).
  // `by_service`: the engine's own deletes (TTL), marked so in the stream.
  Status Execute(std::span<const WriteOp> ops, bool atomic, std::vector<WriteOutcome>* outcomes,
                 bool by_service = false);
  // Resolves the tables and checks every op before anything is locked.
  struct Prepared;
  Status Prepare(std::span<const WriteOp> ops, bool in_transaction, std::vector<Prepared>* out);

  // ---- Memtables and table files (flush.cc; docs/flush_and_compaction.md)
  std::shared_ptr<const ReadView> View() const {
    std::lock_guard lock(view_mu_);
    return view_;
  }
  // Memtable arena blocks outlive their memtable here for the next one
  // (memtable/arena_block_pool.h): up to one memtable budget is retained.
  static std::shared_ptr<memtable::ArenaBlockPool> NewArenaBlockPool(const Options& options);
  std::shared_ptr<memtable::Memtable> NewMemtable() const;
  // Opens the manifest and its files and removes files no manifest names
  // (a flush cut short); before the log is replayed.
  Status OpenTables();
  // Freezes the active memtable when it is over budget and wakes the flusher.
  void MaybeSwitchMemtable();
  // Holds a writer back while too many immutable memtables wait for flush.
  Status WaitForFlushRoom();
  void FlushLoop();
  // Writes the oldest immutable memtable as a file and records it.
  Status FlushOldest(const FrozenMemtable& frozen);
  void StopFlusher();
  static void Hook(std::string_view point);  // SetFlushHookForTesting's hook, if any
  // Compaction (compactor.cc): picks a run of files, merges them into one.
  void CompactionLoop();
  // Runs one due compaction; false when none is due.
  Result<bool> CompactOnce();
  // Hands out a file number (never reused while the directory lives).
  std::uint64_t NewFileNumber();
  // Opens the table file `meta` names, through the block cache.
  Result<std::shared_ptr<TableFile>> OpenTableFile(const compaction::ManifestFile& meta);
  // Writes `source` as a new table file, syncs the directory and opens it.
  // `job` ("flush", "compaction") names the test hooks around the write.
  Result<std::shared_ptr<TableFile>> WriteTableFile(compaction::EntryIterator& source,
                                                    std::string_view job);
  std::string tables_dir() const { return options_.dir + "/tables"; }
  std::string streams_dir() const { return options_.dir + "/streams"; }

  const Options options_;
  wal::Env* const env_;
  const std::shared_ptr<memtable::ArenaBlockPool> arena_pool_;
  // Declared before view_: open files use them until the view goes.
  std::unique_ptr<compaction::BlockCache> block_cache_;
  std::unique_ptr<compaction::ReadQueuePool> read_pool_;
  std::unique_ptr<wal::Wal> wal_;
  mutable std::mutex view_mu_;
  std::shared_ptr<const ReadView> view_;  // GUARDED_BY(view_mu_)
  // Writers hold switch_mu_ shared from their read of the current item until
  // their change is in that memtable (across the log append); a memtable
  // switch holds it exclusively, so a frozen memtable takes no more writes
  // and its switch LSN covers every change in it. switch_gate_ makes the
  // switch writer-preferring: the switcher holds it while it waits, so new
  // writers cannot starve it (glibc's rwlock prefers readers).
  std::mutex switch_gate_;
  std::shared_mutex switch_mu_;
  // Every item change at or below it is in a file; replay skips those.
  std::atomic<Lsn> flushed_lsn_{0};
  // Recovery only: what the checkpoints cover (0: no checkpoint, replay all).
  // Replay skips catalog records <= catalog_lsn_, item count updates <=
  // counts_lsn_ and stream work <= stream_lsn_.
  Lsn catalog_lsn_ = 0;
  Lsn counts_lsn_ = 0;
  Lsn stream_lsn_ = 0;
  // Maintenance thread only: the flushed LSN and expiry round the last
  // stream checkpoint covered.
  std::mutex checkpoint_mu_;                 // the maintenance thread and tests
  Lsn checkpointed_flush_lsn_ = 0;           // GUARDED_BY(checkpoint_mu_)
  std::uint64_t checkpointed_expiries_ = 0;  // GUARDED_BY(checkpoint_mu_)
  std::atomic<std::uint64_t> expiries_{0};   // expiry rounds that removed something
  // Serialises manifest rewrites (flush and compaction) and file numbers.
  std::mutex manifest_mu_;
  compaction::Manifest manifest_;  // GUARDED_BY(manifest_mu_)
  std::mutex compaction_mu_;       // one compaction at a time (thread or test)
  std::thread compactor_;
  std::condition_variable compact_cv_;  // with flush_mu_: a flush finished, or stop
  std::uint64_t flushes_ = 0;           // GUARDED_BY(flush_mu_): flushes done
  std::thread flusher_;
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;  // work for the flusher, or stop
  std::condition_variable room_cv_;   // a flush finished (or failed)
  bool stop_flush_ = false;           // GUARDED_BY(flush_mu_)
  Status flush_error_;                // GUARDED_BY(flush_mu_); sticky
  Catalog catalog_;
  KeyLocks locks_;
  std::mutex ddl_mu_;  // serialises catalog changes so log order = catalog order
  std::atomic<bool> closed_{false};
  std::vector<ItemChange> replay_changes_;  // recovery scratch
  std::string replay_stored_;               // recovery scratch: one stored item
  // Recovery only: batches replay's memtable inserts into sorted runs
  // (memtable/bulk_load.h); Open finishes it before anything reads.
  std::unique_ptr<memtable::BulkLoad> replay_load_;
  std::unique_ptr<StreamRegistry> streams_;
  std::unique_ptr<StreamSequencer> sequencer_;
  std::thread maintenance_;
  std::mutex maintenance_mu_;
  std::condition_variable maintenance_cv_;
  bool stop_maintenance_ = false;  // GUARDED_BY(maintenance_mu_)
};

}  // namespace eddy::engine
