// DbImpl's stream side: the sequencer's apply step, Db's stream calls, and
// the maintenance thread (shard rollovers and splits, retention).
#include <chrono>

#include "engine/db_impl.h"

namespace eddy::engine {

Status DbImpl::ApplyStreamWork(const StreamWork& work) {
  switch (work.kind) {
    case StreamWork::Kind::kNothing:
      return Status::Ok();
    case StreamWork::Kind::kChanges:
      return streams_->ApplyChanges(work.changes, work.lsn, work.time_us);
    case StreamWork::Kind::kCatalog:
      return streams_->ApplyCatalog(*work.catalog, work.table_name, *work.key_schema, work.lsn);
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
  return sequencer_->RunExclusive([&] { return streams_->Expire(); });
}

void DbImpl::MaintenanceLoop() {
  std::unique_lock lock(maintenance_mu_);
  auto next_sweep = std::chrono::steady_clock::now();
  while (!stop_maintenance_) {
    maintenance_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stop_maintenance_) break;
    lock.unlock();
    // A failure here (the log poisoned, a segment not deletable) is not the
    // maintenance thread's to report: writes see the poisoned log, and
    // expiry is retried next round.
    RunStreamMaintenance().IgnoreError();
    if (std::chrono::steady_clock::now() >= next_sweep) {
      RunTimeToLiveSweep().IgnoreError();
      next_sweep = std::chrono::steady_clock::now() +
                   std::chrono::seconds(std::max<std::uint32_t>(options_.ttl_sweep_interval_s, 1));
    }
    lock.lock();
  }
}

}  // namespace eddy::engine
