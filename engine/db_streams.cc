// DbImpl's stream side: the sequencer's apply step, Db's stream calls, and
// the maintenance thread (shard rollovers and splits, retention).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "engine/db_impl.h"
#include "wal/durable_file.h"

namespace eddy::engine {

Status DbImpl::ApplyStreamWork(const StreamWork& work) {
  switch (work.kind) {
    case StreamWork::Kind::kNothing:
      return Status::Ok();
    case StreamWork::Kind::kChanges:
      return streams_->ApplyChanges(work.changes, work.lsn, work.time_us);
    case StreamWork::Kind::kCatalog:
      return streams_->ApplyCatalog(*work.catalog, work.lsn);
    case StreamWork::Kind::kTopology:
      return streams_->ApplyTopology(*work.topology, work.lsn);
  }
  return Status::Ok();
}

Result<ListStreamsResult> DbImpl::ListStreams(const ListStreamsRequest& request) {
  return streams_->ListStreams(request);
}

Result<StreamDescription> DbImpl::DescribeStream(const DescribeStreamRequest& request) {
  return streams_->DescribeStream(request);
}

Result<std::string> DbImpl::GetShardIterator(const GetShardIteratorRequest& request) {
  return streams_->GetShardIterator(request);
}

Result<GetRecordsResult> DbImpl::GetRecords(std::string_view shard_iterator, std::uint32_t limit) {
  return streams_->GetRecords(shard_iterator, limit);
}

Result<bool> DbImpl::WaitForRecords(std::string_view shard_iterator,
                                    std::chrono::microseconds timeout) {
  return streams_->WaitForRecords(shard_iterator, timeout);
}

Result<std::unique_ptr<ShardReader>> DbImpl::OpenShardReader(std::string_view shard_iterator) {
  return streams_->OpenShardReader(shard_iterator);
}

Status DbImpl::RunStreamMaintenance() {
  if (closed_.load(std::memory_order_acquire)) return Status::IOError("the database is closed");
  // Topology changes are logged like any change, so replay repeats them.
  for (const ShardTopologyRecord& r : streams_->DueTopologyChanges()) {
    std::string bytes;
    EncodeShardTopologyRecord(r, &bytes);
    std::uint64_t logged_us = 0;
    EDDY_ASSIGN_OR_RETURN(Lsn lsn, wal_->Append(kShardTopologyRecordType,
                                                AsBytes(bytes.data(), bytes.size()), &logged_us));
    StreamWork work{StreamWork::Kind::kTopology, lsn, logged_us};
    work.topology = &r;
    EDDY_RETURN_IF_ERROR(CompleteStreamWork(work));
  }
  std::size_t expired = 0;
  EDDY_RETURN_IF_ERROR(sequencer_->RunExclusive([&]() -> Status {
    EDDY_ASSIGN_OR_RETURN(expired, streams_->Expire());
    return Status::Ok();
  }));
  if (expired > 0) expiries_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status DbImpl::CheckpointAndReleaseLog() {
  if (closed_.load(std::memory_order_acquire)) return Status::IOError("the database is closed");
  std::lock_guard lock(checkpoint_mu_);
  const Lsn flushed = flushed_lsn_.load(std::memory_order_acquire);
  const std::uint64_t expiries = expiries_.load(std::memory_order_relaxed);
  if (flushed == checkpointed_flush_lsn_ && expiries == checkpointed_expiries_) {
    return Status::Ok();
  }
  // The registry as of the last applied LSN; its records are synced before
  // the checkpoint that stops the log from holding them is written.
  StreamRegistry::Checkpoint checkpoint;
  EDDY_RETURN_IF_ERROR(sequencer_->RunExclusive([&] {
    checkpoint = streams_->TakeCheckpoint(sequencer_->published());
    return Status::Ok();
  }));
  // The log too, through the checkpoint's LSN: in sync mode none a power
  // loss could otherwise take records the checkpoint already reflects, and
  // the next run would hand their LSNs out again.
  EDDY_RETURN_IF_ERROR(wal_->Sync().status());
  for (const auto& segment : checkpoint.unsynced)
    EDDY_RETURN_IF_ERROR(segment->Sync());
  Hook("checkpoint:synced");
  // streams/ exists only once a stream was created.
  EDDY_RETURN_IF_ERROR(env_->CreateDirIfMissing(streams_dir()));
  EDDY_RETURN_IF_ERROR(
      wal::ReplaceFileDurably(env_, streams_dir(), kStreamCheckpointName, checkpoint.bytes));
  Hook("checkpoint:written");
  // The manifest's catalog checkpoint covers at least `flushed` (its item
  // counts are as of exactly that LSN, its tables as of a later one).
  EDDY_RETURN_IF_ERROR(wal_->ReleaseBelow(std::min(flushed, checkpoint.lsn) + 1));
  checkpointed_flush_lsn_ = flushed;
  checkpointed_expiries_ = expiries;
  return Status::Ok();
}

void DbImpl::MaintenanceLoop() {
  std::unique_lock lock(maintenance_mu_);
  auto next_sweep = std::chrono::steady_clock::now();
  std::string last_release_error;
  while (!stop_maintenance_) {
    maintenance_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stop_maintenance_) break;
    lock.unlock();
    // A failure here (the log poisoned, a segment not deletable) is not the
    // maintenance thread's to report: writes see the poisoned log, and
    // expiry is retried next round.
    RunStreamMaintenance().IgnoreError();
    // Retried next round as well; a log that cannot release grows, it
    // loses nothing. Said once per distinct error, as nobody else sees it.
    Status released = CheckpointAndReleaseLog();
    if (!released.ok() && released.ToString() != last_release_error) {
      std::fprintf(stderr, "eddy: log release failed (retrying): %s\n",
                   released.ToString().c_str());
    }
    last_release_error = released.ok() ? "" : released.ToString();
    if (std::chrono::steady_clock::now() >= next_sweep) {
      RunTimeToLiveSweep().IgnoreError();
      next_sweep = std::chrono::steady_clock::now() +
                   std::chrono::seconds(std::max<std::uint32_t>(options_.ttl_sweep_interval_s, 1));
    }
    lock.lock();
  }
}

}  // namespace eddy::engine
