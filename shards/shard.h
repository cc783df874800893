// Shard: one shard's stream records — a list of time-bucketed segments on
// disk, one producer, any number of lock-free readers.
//
// Threads
// - The producer calls Append, Publish, CloseShard, ExpireBefore,
//   TruncateAfter; only one thread at a time may (the engine holds its
//   stream publish lock). Appends take no lock; starting or dropping a
//   segment takes `list_mu_` for the length of a vector update.
// - Readers call Read, WaitForRecords and the accessors from any thread.
//   They take `list_mu_` only to pick the segments to read (a copy of a few
//   shared_ptrs), never while reading records, and never block the
//   producer's appends.
//
// Segments: a record goes into the open segment when its time falls in the
// segment's bucket ([start, start + bucket_us)) and it fits; otherwise the
// open segment is sealed and a new one starts. Retention then deletes whole
// segments whose bucket ended before the horizon, so a record lives at least
// the retention period and at most one bucket longer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shards/stream_segment.h"

namespace eddy::shards {

class SegmentTender;

// A reader's place in a shard: the segment it reads (kept alive by the
// cursor) and the offset of the next record there. Reading through a cursor
// takes no lock until the reader moves on to the next segment.
struct ShardCursor {
  std::uint64_t next_sequence = 0;  // the first record still to read has sequence >= this
  std::shared_ptr<StreamSegment> segment;
  std::uint64_t offset = 0;
};

struct ShardOptions {
  std::string dir;                            // created if missing
  std::uint64_t segment_bytes = 64ull << 20;  // a segment file's maximum size
  std::uint64_t bucket_us = 3600ull * 1000 * 1000;
  // Keeps the open segment's pages mapped ahead and written back behind
  // (segment_tender.h). Optional; when set it must outlive the shard.
  SegmentTender* tender = nullptr;
};

class Shard {
 public:
  // Opens the shard's directory, adopting segments a previous run left; the
  // newest is checked record by record and cut after its last valid record.
  static Result<std::unique_ptr<Shard>> Open(const ShardOptions& options);
  ~Shard();

  // ---- Producer
  // `record.sequence` must exceed last_sequence().
  Status Append(const RecordView& record);
  // Wakes readers waiting for records (after a group of appends).
  void Publish();
  // Takes no more records; readers reaching the end learn the shard ended.
  Status CloseShard();
  // Deletes whole segments whose bucket ended at or before `horizon_us`.
  // Returns how many went.
  Result<std::size_t> ExpireBefore(std::uint64_t horizon_us);
  // Recovery: records up to `sequence` expired before this run (so reading
  // them is TrimmedDataAccess, as it was before the restart).
  void NoteTrimmed(std::uint64_t sequence);
  // Recovery: drops records with sequence > `sequence`.
  Status TruncateAfter(std::uint64_t sequence);
  // fdatasync of every segment with records not yet synced.
  Status Sync();
  // The segments Sync() would sync, for a caller that syncs them from
  // another thread (StreamSegment::Sync is thread-safe) without holding
  // the producer back.
  std::vector<std::shared_ptr<StreamSegment>> UnsyncedSegments() const;
  // Deletes every segment and the directory (the shard has expired).
  Status RemoveAll();

  // ---- Readers
  std::uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  // Sequence of the oldest record still held; 0 when none is.
  std::uint64_t first_sequence() const;
  // Every record up to this sequence has expired (0: none has).
  std::uint64_t trimmed_through() const { return trimmed_through_.load(std::memory_order_acquire); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  // The time of the newest record held (0 when none).
  std::uint64_t last_time_us() const;
  bool empty() const { return first_sequence() == 0; }

  // Visits records with sequence >= `from`, in order, at most `limit` of
  // them and (after the first) at most `max_bytes` of record footprint.
  // Returns the sequence to continue from. Views are valid during `visit`.
  std::uint64_t Read(std::uint64_t from, std::uint32_t limit, std::uint64_t max_bytes,
                     const std::function<void(const RecordView&)>& visit) const;
  // The same through a cursor, which keeps its place between calls. Returns
  // how many records it visited.
  std::uint32_t ReadFrom(ShardCursor* cursor, std::uint32_t limit, std::uint64_t max_bytes,
                         const std::function<void(const RecordView&)>& visit) const;
  // Waits until a record with sequence >= `from` exists or the shard is
  // closed, or `timeout` passes. True when there is something to read (or
  // the shard ended).
  bool WaitForRecords(std::uint64_t from, std::chrono::microseconds timeout) const;

 private:
  explicit Shard(const ShardOptions& options);
  Status StartSegment(const RecordView& first, std::uint64_t bucket_start_us);
  // Points the cursor at the segment holding its next sequence.
  bool Position(ShardCursor* cursor) const;
  // The segment after `segment` (null when there is none yet).
  std::shared_ptr<StreamSegment> Successor(const StreamSegment* segment) const;
  bool HasRecordsFrom(std::uint64_t from) const;

  const ShardOptions options_;
  mutable std::mutex list_mu_;
  std::vector<std::shared_ptr<StreamSegment>> segments_;  // GUARDED_BY(list_mu_), oldest first
  StreamSegment* open_ = nullptr;                         // producer only; last of segments_
  std::uint64_t next_ordinal_ = 0;                        // GUARDED_BY(list_mu_)
  std::vector<StreamSegment*> unsynced_;                  // producer only
  std::atomic<std::uint64_t> last_sequence_{0};
  std::atomic<std::uint64_t> trimmed_through_{0};
  std::atomic<bool> closed_{false};

  // Readers wait on `epoch_` (a futex word) which Publish bumps.
  mutable std::atomic<std::uint32_t> epoch_{0};
  mutable std::atomic<std::uint32_t> waiters_{0};
};

}  // namespace eddy::shards
