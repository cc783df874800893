#include "shards/shard.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <filesystem>

#include "shards/segment_tender.h"

namespace eddy::shards {
namespace {

void FutexWait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
               std::chrono::microseconds timeout) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000000);
  ts.tv_nsec = static_cast<long>((timeout.count() % 1000000) * 1000);
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, &ts,
          nullptr, 0);
}

void FutexWakeAll(std::atomic<std::uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

// Segment files are named by their first sequence number, zero-padded, so
// name order is sequence order.
std::string SegmentName(std::uint64_t first_sequence) {
  char name[40];
  std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(first_sequence));
  return name;
}

}  // namespace

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the futex word must be a plain 32-bit integer");

Shard::Shard(const ShardOptions& options) : options_(options) {}

Shard::~Shard() = default;

Result<std::unique_ptr<Shard>> Shard::Open(const ShardOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::IOError("create directory " + options.dir + ": " + ec.message());
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(options.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() > 4 && name.ends_with(".seg")) names.push_back(name);
  }
  if (ec) return Status::IOError("list " + options.dir + ": " + ec.message());
  std::sort(names.begin(), names.end());

  std::unique_ptr<Shard> shard(new Shard(options));
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string path = options.dir + "/" + names[i];
    const bool newest = i + 1 == names.size();
    // The newest segment may have a torn tail. Older ones were synced when
    // sealed, but their cut to size may not have been: a tail of zeros is
    // expected there, anything else is corruption.
    Result<std::shared_ptr<StreamSegment>> segment =
        StreamSegment::Load(path, newest ? StreamSegment::Repair::kCutInvalidTail
                                         : StreamSegment::Repair::kCutZeroTail);
    if (!segment.ok() && newest && segment.status().IsCorruption()) {
      // A segment whose header never reached the disk: its records are
      // derived again from the log.
      std::filesystem::remove(path, ec);
      continue;
    }
    EDDY_RETURN_IF_ERROR(segment.status());
    if ((*segment)->empty()) {
      EDDY_RETURN_IF_ERROR((*segment)->Remove());
      continue;
    }
    shard->last_sequence_.store((*segment)->last_sequence());
    (*segment)->set_ordinal(shard->next_ordinal_++);
    shard->segments_.push_back(std::move(*segment));
  }
  return shard;
}

Status Shard::StartSegment(const RecordView& first, std::uint64_t bucket_start_us) {
  if (open_ != nullptr) {
    // Durable before the next segment exists: after a power loss only the
    // newest segment can have a torn tail, and replay refills it.
    EDDY_RETURN_IF_ERROR(open_->Seal());
    EDDY_RETURN_IF_ERROR(open_->Sync());
    std::erase(unsynced_, open_);
  }
  EDDY_ASSIGN_OR_RETURN(std::shared_ptr<StreamSegment> segment,
                        StreamSegment::Create(options_.dir + "/" + SegmentName(first.sequence),
                                              options_.segment_bytes, bucket_start_us));
  if (options_.tender != nullptr) options_.tender->Watch(segment);
  // The first record goes in before readers can see the segment: a segment
  // in the list always knows its first sequence, which their search needs.
  if (!segment->Append(first)) {
    EDDY_RETURN_IF_ERROR(segment->Remove());
    return Status::InvalidArgument("stream record does not fit a new segment");
  }
  open_ = segment.get();
  unsynced_.push_back(open_);
  std::lock_guard lock(list_mu_);
  segment->set_ordinal(segments_.empty() ? next_ordinal_ : segments_.back()->ordinal() + 1);
  next_ordinal_ = segment->ordinal() + 1;
  segments_.push_back(std::move(segment));
  return Status::Ok();
}

Status Shard::Append(const RecordView& record) {
  if (closed()) return Status::FailedPrecondition("the shard is closed");
  if (record.sequence <= last_sequence()) {
    return Status::InvalidArgument("stream record sequence " + std::to_string(record.sequence) +
                                   " does not follow " + std::to_string(last_sequence()));
  }
  const std::uint64_t bucket = record.time_us - record.time_us % options_.bucket_us;
  // A record stamped before the open bucket (the clock stepped back) stays
  // in the open segment: segments never go back in time.
  if (open_ == nullptr || bucket > open_->bucket_start_us() || !open_->Append(record)) {
    if (RecordFootprint(record) + kSegmentHeaderBytes > options_.segment_bytes) {
      return Status::InvalidArgument("stream record of " + std::to_string(RecordFootprint(record)) +
                                     " bytes exceeds the segment size");
    }
    const std::uint64_t start =
        open_ == nullptr ? bucket : std::max(bucket, open_->bucket_start_us());
    EDDY_RETURN_IF_ERROR(StartSegment(record, start));
  }
  last_sequence_.store(record.sequence, std::memory_order_release);
  return Status::Ok();
}

void Shard::Publish() {
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  if (waiters_.load(std::memory_order_seq_cst) > 0) FutexWakeAll(&epoch_);
}

Status Shard::CloseShard() {
  if (closed_.exchange(true)) return Status::Ok();
  Status s = open_ != nullptr ? open_->Seal() : Status::Ok();
  open_ = nullptr;
  Publish();
  return s;
}

Result<std::size_t> Shard::ExpireBefore(std::uint64_t horizon_us) {
  std::vector<std::shared_ptr<StreamSegment>> expired;
  {
    std::lock_guard lock(list_mu_);
    auto it = segments_.begin();
    while (it != segments_.end() && (*it)->bucket_start_us() + options_.bucket_us <= horizon_us) {
      ++it;
    }
    expired.assign(segments_.begin(), it);
    segments_.erase(segments_.begin(), it);
  }
  for (const auto& segment : expired) {
    if (segment.get() == open_) {
      EDDY_RETURN_IF_ERROR(open_->Seal());
      open_ = nullptr;
    }
    std::erase(unsynced_, segment.get());
    if (!segment->empty()) {
      trimmed_through_.store(std::max(trimmed_through(), segment->last_sequence()),
                             std::memory_order_release);
    }
    EDDY_RETURN_IF_ERROR(segment->Remove());
  }
  return expired.size();
}

void Shard::NoteTrimmed(std::uint64_t sequence) {
  if (sequence > trimmed_through()) trimmed_through_.store(sequence, std::memory_order_release);
}

Status Shard::TruncateAfter(std::uint64_t sequence) {
  if (last_sequence() <= sequence) return Status::Ok();
  std::vector<std::shared_ptr<StreamSegment>> doomed;
  {
    std::lock_guard lock(list_mu_);
    while (!segments_.empty() && segments_.back()->first_sequence() > sequence) {
      doomed.push_back(segments_.back());
      segments_.pop_back();
    }
  }
  for (const auto& segment : doomed) {
    if (segment.get() == open_) open_ = nullptr;
    std::erase(unsynced_, segment.get());
    EDDY_RETURN_IF_ERROR(segment->Remove());
  }
  std::shared_ptr<StreamSegment> last;
  {
    std::lock_guard lock(list_mu_);
    if (!segments_.empty()) last = segments_.back();
  }
  if (last) {
    // A cut segment takes no more records (its file no longer covers the
    // mapping's capacity); new records start a new segment.
    if (last.get() == open_) {
      EDDY_RETURN_IF_ERROR(open_->Seal());
      open_ = nullptr;
    }
    EDDY_RETURN_IF_ERROR(last->TruncateAfter(sequence));
  }
  last_sequence_.store(last ? last->last_sequence() : 0, std::memory_order_release);
  return Status::Ok();
}

Status Shard::Sync() {
  for (StreamSegment* segment : unsynced_) {
    EDDY_RETURN_IF_ERROR(segment->Sync());
  }
  // The open segment keeps taking records, so it stays on the list.
  std::erase_if(unsynced_, [&](StreamSegment* s) { return s != open_; });
  return Status::Ok();
}

std::vector<std::shared_ptr<StreamSegment>> Shard::UnsyncedSegments() const {
  std::vector<std::shared_ptr<StreamSegment>> out;
  std::lock_guard lock(list_mu_);
  for (const auto& segment : segments_) {
    if (std::find(unsynced_.begin(), unsynced_.end(), segment.get()) != unsynced_.end()) {
      out.push_back(segment);
    }
  }
  return out;
}

Status Shard::RemoveAll() {
  std::vector<std::shared_ptr<StreamSegment>> all;
  {
    std::lock_guard lock(list_mu_);
    all.swap(segments_);
  }
  open_ = nullptr;
  unsynced_.clear();
  for (const auto& segment : all) {
    if (!segment->empty()) {
      trimmed_through_.store(std::max(trimmed_through(), segment->last_sequence()));
    }
    EDDY_RETURN_IF_ERROR(segment->Remove());
  }
  std::error_code ec;
  std::filesystem::remove(options_.dir, ec);
  if (ec) return Status::IOError("remove " + options_.dir + ": " + ec.message());
  return Status::Ok();
}

std::uint64_t Shard::first_sequence() const {
  std::lock_guard lock(list_mu_);
  for (const auto& segment : segments_) {
    if (!segment->empty()) return segment->first_sequence();
  }
  return 0;
}

std::uint64_t Shard::last_time_us() const {
  std::lock_guard lock(list_mu_);
  return segments_.empty() ? 0 : segments_.back()->last_time_us();
}

bool Shard::Position(ShardCursor* c) const {
  std::lock_guard lock(list_mu_);
  if (segments_.empty()) return false;
  // The last segment starting at or before the sequence holds it (or the
  // first segment does, when the sequence precedes everything).
  auto it = std::upper_bound(segments_.begin(), segments_.end(), c->next_sequence,
                             [](std::uint64_t seq, const std::shared_ptr<StreamSegment>& s) {
                               return seq < s->first_sequence();
                             });
  if (it != segments_.begin()) --it;
  c->segment = *it;
  c->offset = c->segment->Seek(c->next_sequence);
  return true;
}

std::shared_ptr<StreamSegment> Shard::Successor(const StreamSegment* segment) const {
  std::lock_guard lock(list_mu_);
  // Only the very next segment: when it has expired, the reader must not
  // skip its records silently (it learns of the gap as TrimmedDataAccess).
  for (const auto& s : segments_) {
    if (s->ordinal() == segment->ordinal() + 1) return s;
  }
  return nullptr;
}

std::uint32_t Shard::ReadFrom(ShardCursor* c, std::uint32_t limit, std::uint64_t max_bytes,
                              const std::function<void(const RecordView&)>& visit) const {
  std::uint32_t count = 0;
  std::uint64_t bytes = 0;
  if (c->segment == nullptr && !Position(c)) return 0;
  while (count < limit) {
    // `sealed` first: a segment seen sealed has all its records below end().
    const bool sealed = c->segment->sealed();
    const std::uint64_t end = c->segment->end();
    while (c->offset < end && count < limit) {
      RecordView r;
      const std::uint64_t next = c->segment->ReadAt(c->offset, &r);
      if (count > 0 && bytes + (next - c->offset) > max_bytes) return count;
      if (r.sequence >= c->next_sequence) {
        visit(r);
        ++count;
        bytes += next - c->offset;
        c->next_sequence = r.sequence + 1;
      }
      c->offset = next;
    }
    if (c->offset < end || !sealed) break;  // the limit, or the open segment's end
    std::shared_ptr<StreamSegment> next = Successor(c->segment.get());
    if (next == nullptr) break;
    c->segment = std::move(next);
    c->offset = c->segment->Seek(c->next_sequence);
  }
  return count;
}

std::uint64_t Shard::Read(std::uint64_t from, std::uint32_t limit, std::uint64_t max_bytes,
                          const std::function<void(const RecordView&)>& visit) const {
  ShardCursor cursor;
  cursor.next_sequence = from;
  ReadFrom(&cursor, limit, max_bytes, visit);
  return cursor.next_sequence;
}

bool Shard::HasRecordsFrom(std::uint64_t from) const {
  return last_sequence() >= from || closed();
}

bool Shard::WaitForRecords(std::uint64_t from, std::chrono::microseconds timeout) const {
  if (HasRecordsFrom(from)) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Spin a little first. Under a steady stream of writes the record comes
  // within microseconds, and a reader that never sleeps spares the writer a
  // futex wake per publication (and itself the wake-up latency).
  const auto spin_until =
      std::min(deadline, std::chrono::steady_clock::now() + std::chrono::microseconds(20));
  while (std::chrono::steady_clock::now() < spin_until) {
    for (int i = 0; i < 32; ++i) {
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
    }
    if (HasRecordsFrom(from)) return true;
  }
  waiters_.fetch_add(1, std::memory_order_seq_cst);
  while (true) {
    const std::uint32_t seen = epoch_.load(std::memory_order_seq_cst);
    if (HasRecordsFrom(from)) break;
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    FutexWait(&epoch_, seen, left);
  }
  waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return HasRecordsFrom(from);
}

}  // namespace eddy::shards
