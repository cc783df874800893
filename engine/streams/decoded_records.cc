#include "engine/streams/decoded_records.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace eddy::engine {

std::shared_ptr<const DecodedRun> DecodedRecordCache::FindLocked(std::uint64_t sequence) const {
  auto after = runs_.upper_bound(sequence);  // first run starting past `sequence`
  if (after == runs_.begin()) return nullptr;
  const std::shared_ptr<const DecodedRun>& run = std::prev(after)->second;
  return sequence < run->next ? run : nullptr;
}

void DecodedRecordCache::InsertLocked(std::shared_ptr<const DecodedRun> run) {
  if (run->records.empty() || run->bytes > capacity_bytes_) return;
  auto after = runs_.lower_bound(run->from);
  if (after != runs_.end() && after->second->from < run->next) return;
  if (after != runs_.begin() && std::prev(after)->second->next > run->from) return;
  bytes_ += run->bytes;
  inserted_.push_back(run->from);
  runs_.emplace_hint(after, run->from, std::move(run));
  while (bytes_ > capacity_bytes_) {
    auto oldest = runs_.find(inserted_.front());
    inserted_.pop_front();
    bytes_ -= oldest->second->bytes;
    runs_.erase(oldest);
  }
}

std::shared_ptr<const DecodedRun> DecodedRecordCache::FindOrClaim(std::uint64_t sequence, bool wait,
                                                                  bool* claimed) {
  *claimed = false;
  if (capacity_bytes_ == 0) {  // nothing is kept: decode, claim nothing
    *claimed = true;
    return nullptr;
  }
  std::unique_lock lock(mu_);
  while (true) {
    if (std::shared_ptr<const DecodedRun> run = FindLocked(sequence)) return run;
    // Another reader decoding from exactly here will publish what this one
    // needs; if it finds nothing (or its run is not kept), this one claims
    // the position next time round.
    if (std::find(claims_.begin(), claims_.end(), sequence) == claims_.end()) {
      claims_.push_back(sequence);
      *claimed = true;
      return nullptr;
    }
    if (!wait) return nullptr;
    claim_ended_.wait(lock);
  }
}

void DecodedRecordCache::EndClaimLocked(std::uint64_t claimed) {
  auto it = std::find(claims_.begin(), claims_.end(), claimed);
  if (it != claims_.end()) claims_.erase(it);
  claim_ended_.notify_all();
}

void DecodedRecordCache::Publish(std::uint64_t claimed, std::shared_ptr<const DecodedRun> run) {
  std::lock_guard lock(mu_);
  InsertLocked(std::move(run));
  EndClaimLocked(claimed);
}

void DecodedRecordCache::Abandon(std::uint64_t claimed) {
  std::lock_guard lock(mu_);
  EndClaimLocked(claimed);
}

std::uint64_t DecodedRecordCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace eddy::engine
