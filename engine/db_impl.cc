#include "engine/db_impl.h"

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <optional>
#include <tuple>

#include "common/stored_item.h"
#include "common/thread_name.h"
#include "wal/durable_file.h"

namespace eddy {

Result<std::unique_ptr<Db>> Db::Open(const Options& options) {
  return engine::DbImpl::Open(options);
}

std::string_view ChangeTypeName(ChangeType type) {
  switch (type) {
    case ChangeType::kInsert:
      return "INSERT";
    case ChangeType::kModify:
      return "MODIFY";
    case ChangeType::kRemove:
      return "REMOVE";
    case ChangeType::kNone:
      return "NONE";
  }
  return "NONE";
}

namespace engine {
namespace {

// Past this a filter costs more memory than the false positives it saves:
// at 40 bits per key they are already rarer than one in a million.
constexpr std::uint32_t kMaxBloomBitsPerKey = 40;

}  // namespace

DbImpl::DbImpl(const Options& options)
    : options_(options), env_(wal::Env::Default()), arena_pool_(NewArenaBlockPool(options)) {}

DbImpl::~DbImpl() {
  Close().IgnoreError();
}

Result<std::unique_ptr<Db>> DbImpl::Open(const Options& options) {
  if (options.dir.empty()) return Status::InvalidArgument("Options.dir is empty");
  // Below 1.05 every flush would set off a full merge.
  if (!(options.compaction_max_space_amp >= 1.05)) {
    return Status::InvalidArgument("Options.compaction_max_space_amp must be at least 1.05");
  }
  if (options.table_bloom_bits_per_key > kMaxBloomBitsPerKey) {
    return Status::InvalidArgument("Options.table_bloom_bits_per_key must be at most " +
                                   std::to_string(kMaxBloomBitsPerKey));
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::IOError("create directory " + options.dir + ": " + ec.message());

  std::unique_ptr<DbImpl> db(new DbImpl(options));
  StreamOptions stream_options;
  stream_options.dir = options.dir + "/streams";
  stream_options.region = options.region;
  stream_options.account = options.account;
  stream_options.retention_us = options.stream_retention_s * 1'000'000;
  stream_options.iterator_lifetime_us = options.shard_iterator_lifetime_s * 1'000'000;
  stream_options.rollover_us = options.shard_rollover_s * 1'000'000;
  stream_options.initial_shards =
      std::clamp<std::uint32_t>(options.stream_initial_shards, 1, kMaxInitialShards);
  stream_options.split_records_per_s = options.shard_split_records_per_s;
  stream_options.segment_bytes = options.stream_segment_bytes;
  stream_options.read_cache_bytes = options.stream_read_cache_bytes;
  stream_options.clock = options.clock != nullptr ? options.clock : Clock::Real();
  if (options.stream_retention_s < 60) {
    return Status::InvalidArgument("stream retention must be at least 60 seconds");
  }
  db->streams_ = std::make_unique<StreamRegistry>(std::move(stream_options));
  DbImpl* raw = db.get();
  db->sequencer_ = std::make_unique<StreamSequencer>(
      [raw](const StreamWork& work) { return raw->ApplyStreamWork(work); },
      [raw] { raw->streams_->PublishTouched(); });

  EDDY_RETURN_IF_ERROR(db->OpenTables());
  EDDY_ASSIGN_OR_RETURN(
      std::optional<std::string> stream_checkpoint,
      wal::ReadWholeFile(db->env_, db->streams_dir() + "/" + kStreamCheckpointName, 1u << 30));
  if (stream_checkpoint) {
    EDDY_ASSIGN_OR_RETURN(db->stream_lsn_, db->streams_->RestoreCheckpoint(*stream_checkpoint));
  }
  // Replay starts at the oldest record some part still needs; the log
  // continues above everything any checkpoint covers.
  const Lsn replay_from =
      std::min({db->flushed_lsn_.load(), db->catalog_lsn_, db->counts_lsn_, db->stream_lsn_}) + 1;
  wal::WalOptions wal_options;
  wal_options.dir = options.dir + "/wal";
  wal_options.sync_mode = options.sync_mode;
  wal_options.sync_interval_ms = options.sync_interval_ms;
  wal_options.segment_bytes = options.wal_segment_bytes;
  wal_options.max_inflight_writes = options.wal_max_inflight_writes;
  wal_options.clock = options.clock;
  wal_options.report_progress = options.report_progress;
  wal_options.min_next_lsn =
      std::max({db->flushed_lsn_.load(), db->catalog_lsn_, db->stream_lsn_}) + 1;
  wal::RecoveryReport report;
  db->replay_load_ = std::make_unique<memtable::BulkLoad>(db->view_->active.get());
  EDDY_ASSIGN_OR_RETURN(db->wal_,
                        wal::Wal::Open(
                            wal_options, replay_from,
                            [&](const wal::LogRecord& r) { return db->Replay(r); }, &report));
  // Replay's last batch of memtable inserts goes in before anything reads
  // the memtable (or sizes it: MaybeSwitchMemtable below).
  db->replay_load_->Finish();
  db->replay_load_.reset();
  if (report.records > 0 && report.first_lsn > replay_from) {
    return Status::Corruption(
        "log " + wal_options.dir + " starts at LSN " + std::to_string(report.first_lsn) +
        " but recovery needs it from LSN " + std::to_string(replay_from) +
        (stream_checkpoint
             ? ""
             : " (" + db->streams_dir() + "/" + kStreamCheckpointName + " is missing)"));
  }
  db->streams_->PublishTouched();
  EDDY_RETURN_IF_ERROR(db->streams_->FinishRecovery(db->wal_->last_lsn()));
  db->sequencer_->Start(db->wal_->last_lsn());
  db->flusher_ = std::thread([raw] {
    NameThisThread("eddy-flush");
    raw->FlushLoop();
  });
  db->compactor_ = std::thread([raw] {
    NameThisThread("eddy-compact");
    raw->CompactionLoop();
  });
  db->MaybeSwitchMemtable();  // replay may have filled more than a memtable
  db->maintenance_ = std::thread([raw] {
    NameThisThread("eddy-maintain");
    raw->MaintenanceLoop();
  });
  return std::unique_ptr<Db>(std::move(db));
}

Status DbImpl::Replay(const wal::LogRecord& record) {
  std::string_view bytes(reinterpret_cast<const char*>(record.payload.data()),
                         record.payload.size());
  switch (record.type) {
    case kCatalogRecordType: {
      EDDY_ASSIGN_OR_RETURN(CatalogRecord r, DecodeCatalogRecord(bytes));
      if (record.lsn > catalog_lsn_) EDDY_RETURN_IF_ERROR(catalog_.Apply(r).status());
      if (record.lsn <= stream_lsn_) return Status::Ok();
      StreamWork work{StreamWork::Kind::kCatalog, record.lsn, record.timestamp_us};
      work.catalog = &r;
      return ApplyStreamWork(work);
    }
    case kChangeGroupRecordType: {
      EDDY_RETURN_IF_ERROR(DecodeChangeGroup(bytes, &replay_changes_));
      EDDY_RETURN_IF_ERROR(ApplyChanges(replay_changes_, record.lsn));
      if (record.lsn <= stream_lsn_) return Status::Ok();
      StreamWork work{StreamWork::Kind::kChanges, record.lsn, record.timestamp_us};
      work.changes = replay_changes_;
      return ApplyStreamWork(work);
    }
    case kShardTopologyRecordType: {
      if (record.lsn <= stream_lsn_) return Status::Ok();
      EDDY_ASSIGN_OR_RETURN(ShardTopologyRecord r, DecodeShardTopologyRecord(bytes));
      StreamWork work{StreamWork::Kind::kTopology, record.lsn, record.timestamp_us};
      work.topology = &r;
      return ApplyStreamWork(work);
    }
    default:
      return Status::Corruption("log record " + std::to_string(record.lsn) + " has unknown type " +
                                std::to_string(record.type));
  }
}

Status DbImpl::ApplyChanges(std::span<const ItemChange> changes, Lsn lsn) {
  // Changes a table file already holds are not loaded again, nor counted
  // again when the catalog checkpoint's counts include them.
  // Replay is single-threaded and the active memtable does not change
  // until it ends, so inserts go through one sorted bulk load.
  memtable::BulkLoad* mem =
      lsn > flushed_lsn_.load(std::memory_order_relaxed) ? replay_load_.get() : nullptr;
  assert(mem == nullptr || mem->table() == view_->active.get());
  if (mem == nullptr && lsn <= counts_lsn_) return Status::Ok();
  std::string key;
  std::string& stored = replay_stored_;
  for (const ItemChange& c : changes) {
    key = TablePrefix(c.table_id);
    key.append(c.item_key);
    std::shared_ptr<const TableState> table = catalog_.FindById(c.table_id);
    if (c.type == ChangeType::kRemove) {
      if (mem != nullptr) mem->Delete(key, lsn);
      if (table && lsn > counts_lsn_) table->item_count->fetch_sub(1, std::memory_order_relaxed);
    } else {
      if (mem != nullptr) {
        // As the write path stores it; a change to a table deleted since
        // is kept whole (readers accept both forms, and no one reads it).
        if (table) {
          EDDY_RETURN_IF_ERROR(StripKeyAttributes(c.new_item, table->key_schema(), &stored));
        } else {
          stored = c.new_item;
        }
        mem->Put(key, lsn, stored);
      }
      if (table && lsn > counts_lsn_ && c.type == ChangeType::kInsert) {
        table->item_count->fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<const TableState>> DbImpl::FindTable(std::string_view name) const {
  std::shared_ptr<const TableState> t = catalog_.Find(name);
  if (!t) {
    return Status::NotFound("Requested resource not found: Table: " + std::string(name) +
                            " not found");
  }
  return t;
}

TableDescription DbImpl::Describe(const TableState& state) const {
  TableDescription d = state.description;
  std::int64_t n = state.item_count->load(std::memory_order_relaxed);
  d.item_count = n > 0 ? static_cast<std::uint64_t>(n) : 0;
  std::tie(d.latest_stream_arn, d.latest_stream_label) = streams_->LatestStream(state.id());
  return d;
}

Result<TableDescription> DbImpl::ChangeCatalog(CatalogRecord record) {
  if (closed_.load()) return Status::IOError("the database is closed");
  std::lock_guard lock(ddl_mu_);
  if (record.op == CatalogRecord::Op::kCreateTable) {
    record.table_id = catalog_.NextTableId();
  } else {
    EDDY_ASSIGN_OR_RETURN(auto table, FindTable(record.name));
    record.table_id = table->id();
  }
  record.time_us = (options_.clock ? options_.clock : Clock::Real())->NowMicros();
  EDDY_RETURN_IF_ERROR(catalog_.Check(record));
  std::string bytes;
  EncodeCatalogRecord(record, &bytes);
  std::uint64_t logged_us = 0;
  EDDY_ASSIGN_OR_RETURN(
      Lsn lsn, wal_->Append(kCatalogRecordType, AsBytes(bytes.data(), bytes.size()), &logged_us));
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<const TableState> state, catalog_.Apply(record));
  StreamWork work{StreamWork::Kind::kCatalog, lsn, logged_us};
  work.catalog = &record;
  EDDY_RETURN_IF_ERROR(CompleteStreamWork(work));
  return Describe(*state);
}

namespace {

Status CheckStreamSpecification(const StreamSpecification& stream) {
  if (stream.initial_shards > kMaxInitialShards) {
    return Status::InvalidArgument("A stream starts with at most " +
                                   std::to_string(kMaxInitialShards) + " shards");
  }
  return Status::Ok();
}

}  // namespace

Result<TableDescription> DbImpl::CreateTable(const TableSpec& spec) {
  EDDY_RETURN_IF_ERROR(ValidateTableName(spec.name));
  EDDY_RETURN_IF_ERROR(CheckStreamSpecification(spec.stream));
  EDDY_RETURN_IF_ERROR(ValidateKeySchema(spec.key_schema));
  CatalogRecord r;
  r.op = CatalogRecord::Op::kCreateTable;
  r.name = spec.name;
  r.key_schema = spec.key_schema;
  r.stream = spec.stream;
  return ChangeCatalog(std::move(r));
}

Result<TableDescription> DbImpl::DeleteTable(std::string_view name) {
  CatalogRecord r;
  r.op = CatalogRecord::Op::kDeleteTable;
  r.name = std::string(name);
  return ChangeCatalog(std::move(r));
}

Result<TableDescription> DbImpl::UpdateStream(std::string_view name,
                                              const StreamSpecification& stream) {
  EDDY_RETURN_IF_ERROR(CheckStreamSpecification(stream));
  CatalogRecord r;
  r.op = CatalogRecord::Op::kUpdateStream;
  r.name = std::string(name);
  r.stream = stream;
  return ChangeCatalog(std::move(r));
}

Result<TimeToLiveSpecification> DbImpl::UpdateTimeToLive(std::string_view name,
                                                         const TimeToLiveSpecification& ttl) {
  CatalogRecord r;
  r.op = CatalogRecord::Op::kUpdateTimeToLive;
  r.name = std::string(name);
  r.ttl = ttl;
  EDDY_RETURN_IF_ERROR(ChangeCatalog(std::move(r)).status());
  return ttl;
}

Result<TableDescription> DbImpl::DescribeTable(std::string_view name) {
  EDDY_ASSIGN_OR_RETURN(auto table, FindTable(name));
  return Describe(*table);
}

std::vector<std::string> DbImpl::ListTables() {
  return catalog_.Names();
}

Status DbImpl::Sync() {
  return wal_->Sync().status();
}

Status DbImpl::Close() {
  if (closed_.exchange(true)) return Status::Ok();
  if (maintenance_.joinable()) {
    {
      std::lock_guard lock(maintenance_mu_);
      stop_maintenance_ = true;
    }
    maintenance_cv_.notify_all();
    maintenance_.join();
  }
  StopFlusher();
  Status s = wal_ ? wal_->Close() : Status::Ok();
  if (streams_ && sequencer_) {
    Status synced = sequencer_->RunExclusive([&] { return streams_->SyncAll(); });
    if (s.ok()) s = synced;
  }
  return s;
}

}  // namespace engine
}  // namespace eddy
