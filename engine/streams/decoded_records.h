// Records of one shard decoded for GetRecords, shared by all its readers.
//
// GetRecords hands out records decoded into Items, which costs several
// allocations per record. Readers of one shard mostly read the same records
// (they tail it), so the first reader to reach a record decodes it and the
// others take the same immutable copy: a shard with sixteen readers costs
// one decoding per record instead of sixteen.
//
// The cache holds runs: every record of the shard with a sequence number in
// [from, next), decoded. A run is exact because a shard's records never
// change once visible and a later record always has a higher sequence, so a
// reader at any position inside a run finds there everything the shard
// holds up to the run's end. Runs are kept in insertion order up to a byte
// budget (the records' segment footprints), the oldest dropped first.
//
// Thread-safety: any number of readers; a mutex guards the index and the
// claims, never a decoding.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "eddy/stream.h"

namespace eddy::engine {

struct DecodedRun {
  std::uint64_t from = 0;  // every record of the shard with from <= sequence < next
  std::uint64_t next = 0;
  std::vector<StreamRecord> records;
  std::vector<std::uint64_t> sequences;   // records[i]'s sequence number
  std::vector<std::uint32_t> footprints;  // bytes records[i] takes in its segment
  std::uint64_t bytes = 0;                // sum of footprints
};

class DecodedRecordCache {
 public:
  explicit DecodedRecordCache(std::uint64_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

  // For readers about to decode. Returns the run that holds `sequence`, or
  // null: then either `*claimed` is set and the caller now owns decoding
  // from `sequence` (ended with Publish, or Abandon if it found nothing), or
  // another reader owns it and `wait` was false. Readers tailing a shard
  // wake together and arrive at the same position; rather than each
  // decoding the same new records, the later ones take what is decoded
  // already (their page ends there) or, with nothing yet, wait for the
  // first one's run. With a budget of 0 nothing is shared: every caller
  // claims and nobody waits.
  std::shared_ptr<const DecodedRun> FindOrClaim(std::uint64_t sequence, bool wait, bool* claimed);
  // Ends a claim, publishing the run decoded from it unless another reader
  // published an overlapping one first (both are correct; the first stays).
  // A run larger than the budget is not kept.
  void Publish(std::uint64_t claimed, std::shared_ptr<const DecodedRun> run);
  void Abandon(std::uint64_t claimed);

  std::uint64_t bytes() const;

 private:
  const std::uint64_t capacity_bytes_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::shared_ptr<const DecodedRun>> runs_;  // GUARDED_BY(mu_), by from
  std::deque<std::uint64_t> inserted_;  // GUARDED_BY(mu_): `from` of each run, oldest first
  std::uint64_t bytes_ = 0;             // GUARDED_BY(mu_)
  // Positions some reader is decoding from now (a few at most).
  std::vector<std::uint64_t> claims_;  // GUARDED_BY(mu_)
  std::condition_variable claim_ended_;

  std::shared_ptr<const DecodedRun> FindLocked(std::uint64_t sequence) const;
  void InsertLocked(std::shared_ptr<const DecodedRun> run);
  void EndClaimLocked(std::uint64_t claimed);
};

}  // namespace eddy::engine
