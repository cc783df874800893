// StreamRegistry: every stream of the directory, its shards and their
// lineage; the producer side that turns logged changes into stream records,
// and the reader side behind Db's stream calls.
//
// Design
// - Everything here is derived from the log. Catalog records create and
//   disable streams, shard topology records roll shards over and split them,
//   change groups become records. The producer methods (Apply*) run in LSN
//   order — from the StreamSequencer while the engine runs, from replay at
//   open — so the same log always yields the same streams, shard IDs,
//   sequence numbers and event IDs.
// - A record's shard is the open shard whose hash range holds the xxHash of
//   the item's partition key, so an item's changes stay in one lineage.
// - Records go to the shard's segment files (shards/). At open, a shard
//   adopts the segments a previous run left and replay skips the records
//   they already hold; FinishRecovery cuts records past the log's end.
//
// Threads: one producer at a time (the sequencer's drain lock, replay, or
// maintenance holding that lock). Readers use `mu_` shared, only to find a
// stream and shard; records are read without it. Topology changes take
// `mu_` exclusively.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eddy/clock.h"
#include "eddy/stream.h"
#include "engine/log_records.h"
#include "shards/segment_tender.h"
#include "shards/shard.h"

namespace eddy::engine {

struct DecodedRun;

struct StreamOptions {
  std::string dir;  // <db>/streams
  std::string region;
  std::string account;
  std::uint64_t retention_us = 0;
  std::uint64_t iterator_lifetime_us = 0;
  std::uint64_t rollover_us = 0;
  std::uint32_t initial_shards = 1;
  std::uint32_t split_records_per_s = 0;
  std::uint64_t segment_bytes = 0;
  std::uint64_t read_cache_bytes = 0;  // per shard, for GetRecords (decoded_records.h)
  Clock* clock = nullptr;
};

// The registry's checkpoint file, in StreamOptions::dir.
inline constexpr char kStreamCheckpointName[] = "CHECKPOINT";

// Load is measured over windows of this length for split decisions.
inline constexpr std::uint64_t kSplitWindowUs = 10'000'000;

class StreamRegistry {
 public:
  explicit StreamRegistry(StreamOptions options);
  ~StreamRegistry();

  // ---- Producer (LSN order)
  // The registry keeps each table's key schema itself (from kCreateTable
  // records and its checkpoint), so it needs nothing from the catalog: it
  // may be checkpointed at a different LSN than the catalog is.
  Status ApplyCatalog(const CatalogRecord& record, Lsn lsn);
  Status ApplyChanges(std::span<const ItemChange> changes, Lsn lsn, std::uint64_t time_us);
  Status ApplyTopology(const ShardTopologyRecord& record, Lsn lsn);
  // Wakes readers of every shard that took records since the last call.
  void PublishTouched();
  // After replay: cuts stream records past the log's last LSN and removes
  // directories no stream owns.
  Status FinishRecovery(Lsn last_lsn);
  // Deletes expired segments, then shards and streams that have nothing
  // left and ended before the retention horizon. Returns how many segments
  // and shards went.
  Result<std::size_t> Expire();
  // Syncs every segment file (at close).
  Status SyncAll();

  // ---- Checkpoints (stream_registry_checkpoint.cc; docs/streams.md,
  // "Checkpoints and log release")
  // The registry's streams, shards and table key schemas as of `lsn` (every
  // log record up to it applied, none after). Producer only. The records
  // themselves are in the segments; `unsynced` lists the segments that
  // hold records not yet durable, which the caller syncs (from any thread)
  // before it writes `bytes` as the checkpoint file.
  struct Checkpoint {
    Lsn lsn = 0;
    std::string bytes;
    std::vector<std::shared_ptr<shards::StreamSegment>> unsynced;
  };
  Checkpoint TakeCheckpoint(Lsn lsn) const;
  // At open, before replay: rebuilds the streams and shards a checkpoint
  // names (adopting their segments). Returns its LSN: replay skips stream
  // work at or below it.
  Result<Lsn> RestoreCheckpoint(std::string_view bytes);

  // ---- Maintenance (any thread; reads producer counters)
  // Rollovers and splits that are due; the caller logs them.
  std::vector<ShardTopologyRecord> DueTopologyChanges();

  // ---- Readers
  Result<ListStreamsResult> ListStreams(const ListStreamsRequest& request) const;
  Result<StreamDescription> DescribeStream(const DescribeStreamRequest& request) const;
  Result<std::string> GetShardIterator(const GetShardIteratorRequest& request) const;
  Result<GetRecordsResult> GetRecords(std::string_view iterator, std::uint32_t limit) const;
  Result<bool> WaitForRecords(std::string_view iterator, std::chrono::microseconds timeout) const;
  Result<std::unique_ptr<ShardReader>> OpenShardReader(std::string_view iterator) const;
  // The table's newest stream (ARN, label); empty strings when none.
  std::pair<std::string, std::string> LatestStream(TableId table) const;

 private:
  struct StreamShard;
  struct Stream;
  class Reader;

  std::uint64_t NowUs() const { return options_.clock->NowMicros(); }
  Result<std::shared_ptr<StreamShard>> MakeShard(Stream* stream, std::uint64_t created_us, Lsn lsn,
                                                 std::uint64_t hash_lo, std::uint64_t hash_hi,
                                                 std::string parent_id);
  // Opens (or adopts) the shard's segment directory.
  Status OpenShardFiles(const Stream& stream, StreamShard* shard) const;
  // Names and directory of a stream from its table and creation time.
  void NameStream(Stream* stream) const;
  Status CreateStream(TableId table, std::string_view table_name, const KeySchema& key_schema,
                      const StreamSpecification& spec, std::uint64_t created_us, Lsn lsn);
  Status CloseShard(StreamShard* shard, Lsn lsn, std::uint64_t time_us);
  Status DisableStream(TableId table, std::uint64_t time_us, Lsn lsn);
  StreamShard* RouteLocked(Stream* stream, std::uint64_t hash) const;
  // Finds the stream by ARN (and the shard by ordinal): reader side.
  Result<std::shared_ptr<Stream>> FindStream(std::string_view arn) const;
  Result<std::shared_ptr<StreamShard>> FindShard(const Stream& stream, std::uint32_t ordinal) const;
  StreamRecord ToRecord(const Stream& stream, const shards::RecordView& view) const;
  // Decodes the shard's records from `from` on (at most `limit` and one
  // page's bytes); null when there are none yet.
  std::shared_ptr<const DecodedRun> DecodeRun(const Stream& stream, const StreamShard& shard,
                                              std::uint64_t from, std::uint32_t limit) const;
  // Fills a GetRecords page from `from`; returns the position after it.
  std::uint64_t ReadPage(const Stream& stream, StreamShard& shard, std::uint64_t from,
                         std::uint32_t limit, StreamRecordPage* page) const;

  const StreamOptions options_;
  const std::uint64_t bucket_us_;
  // Keeps every shard's open segment mapped ahead and written back behind
  // its producer. Declared before the shards so it outlives them.
  mutable shards::SegmentTender tender_;

  // Serialises DueTopologyChanges (the maintenance thread and tests may
  // both call it): it owns the shards' load windows.
  std::mutex due_mu_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>, std::less<>> by_arn_;  // GUARDED_BY(mu_)
  // Producer only: each table's enabled stream.
  std::unordered_map<TableId, Stream*> active_;
  // Producer only: the key schema of every live table.
  std::unordered_map<TableId, KeySchema> table_keys_;
  // Producer only: shards that took records since PublishTouched.
  std::vector<StreamShard*> touched_;
};

}  // namespace eddy::engine
