// DbImpl: the engine behind eddy::Db. Ties the write-ahead log, the memtable
// and the catalog together (the only module that includes more than one of
// them). The write path lives in write_path.cc, reads in reads.cc, opening,
// recovery and tables here.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "eddy/db.h"
#include "engine/catalog.h"
#include "engine/key_locks.h"
#include "engine/log_records.h"
#include "engine/streams/stream_registry.h"
#include "engine/streams/stream_sequencer.h"
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

  // For tests and benchmarks.
  const wal::Wal& log() const { return *wal_; }
  std::size_t MemtableBytes() const { return memtable_->MemoryBytes(); }

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
  // Applies logged item changes to the memtable (live and in replay).
  void ApplyChanges(std::span<const ItemChange> changes, Lsn lsn);
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

  // The newest encoded item under `key`, or nullopt when absent.
  std::optional<std::string_view> CurrentItem(std::string_view key) const;

  const Options options_;
  std::unique_ptr<wal::Wal> wal_;
  std::unique_ptr<memtable::Memtable> memtable_;
  Catalog catalog_;
  KeyLocks locks_;
  std::mutex ddl_mu_;  // serialises catalog changes so log order = catalog order
  std::atomic<bool> closed_{false};
  std::vector<ItemChange> replay_changes_;  // recovery scratch
  std::unique_ptr<StreamRegistry> streams_;
  std::unique_ptr<StreamSequencer> sequencer_;
  std::thread maintenance_;
  std::mutex maintenance_mu_;
  std::condition_variable maintenance_cv_;
  bool stop_maintenance_ = false;  // GUARDED_BY(maintenance_mu_)
};

}  // namespace eddy::engine
