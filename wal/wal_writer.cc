// Design note: group commit with pipelined O_DIRECT batches.
//
// Appenders encode their frame straight into the open batch buffer under one
// short mutex (no per-record allocation, no second copy) and, in modes batch
// and interval, wait for the durable LSN to pass theirs. One writer thread
// owns the io_uring queue: it seals the open batch (padding it to a 4 KiB
// boundary), writes it with a single O_DIRECT write (O_DSYNC, or a linked
// fdatasync, in mode batch) and keeps up to max_inflight_writes such writes
// in flight while the next batch fills. Completions may arrive out of order;
// acknowledgement follows LSN order (the durable LSN only advances over a
// completed prefix). Because each batch covers whole blocks that no other
// write touches, writes in flight never overlap.
//
// Why not a leader thread doing its own write (LevelDB's group commit)?
// That serialises writes: one sync at a time. Here several syncs overlap,
// which is what lets throughput grow with writers on this disk
// (docs/benchmarks.md). Why not write records in place at 8-byte
// granularity? O_DIRECT needs block-aligned I/O, and rewriting a shared tail
// block would forbid overlapping writes.
//
// The writer thread waits in one place, the io_uring completion queue: I/O
// completions and appenders' Notify() (an eventfd read) both arrive there.
// Appenders notify only when the writer asked for it (want_notify_), so a
// busy log costs no extra system call per record.
//
// Invariants (under mu_):
// - open_ is null or holds at least one record.
// - A batch that starts a segment is submitted only when no write is in
//   flight, so only the last segment can hold writes torn by a crash.
// - Frames carry the durable LSN as of their encoding (see log_reader.cc).
#include <immintrin.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "common/thread_name.h"
#include "wal/aligned_buffer.h"
#include "wal/format.h"
#include "wal/io_status.h"
#include "wal/log_reader.h"
#include "wal/segment_name.h"
#include "wal/segment_pool.h"
#include "wal/wal.h"
#include "wal/watch_window.h"

namespace eddy::wal {
namespace {

constexpr std::uint64_t kPoisonBit = 1ull << 63;
// Completion tags: (id << 2) | kind.
constexpr std::uint64_t kTagWrite = 0, kTagLinkedSync = 1, kTagRoundSync = 2, kTagNotify = 3;
// In mode none, a write in flight holds back the next one until the open
// batch reaches this size: fewer, larger writes.
constexpr std::uint64_t kEagerSealBytes = 64u << 10;
// In mode none, a held batch goes out once it is within this of the eager
// seal size (WalOptions::none_hold_us).
constexpr std::uint64_t kHoldSlackBytes = 512;
constexpr int kAckSpins = 4000;

struct Segment {
  Lsn first_lsn = kNoLsn;
  std::string name;
  std::uint64_t bytes = 0;
  std::uint64_t salt = 0;
  bool activated = false;  // GUARDED_BY(mu_): file in place, its name durable
  // Writer thread only:
  FileId file = -1;
  bool unsynced = false;  // has completed writes no datasync covers yet
};

struct Batch {
  std::uint64_t id = 0;
  AlignedBuffer buffer;
  std::uint64_t used = 0;
  std::shared_ptr<Segment> segment;
  std::uint64_t file_offset = 0;
  bool starts_segment = false;
  Lsn first_lsn = kNoLsn;
  Lsn last_lsn = kNoLsn;
  std::chrono::steady_clock::time_point opened;  // when its first record came
  // Writer thread only:
  std::uint64_t written = 0;
  bool write_done = false;
  // Bumped when the batch is retired (or the log poisoned); appenders of the
  // batch wait on it in mode batch, so a completion wakes only them.
  std::atomic<std::uint32_t> retired_gen{0};
  std::uint32_t syncs_outstanding = 0;  // linked fdatasyncs queued, not completed
  bool synced = false;                  // a linked fdatasync after the full write succeeded
};

class WalImpl final : public Wal {
 public:
  WalImpl(const WalOptions& options, Env* env, Clock* clock, std::unique_ptr<IoQueue> queue,
          Lsn next_lsn)
      : options_(options),
        env_(env),
        clock_(clock),
        queue_(std::move(queue)),
        pool_(env, options.dir, options.segment_bytes, options.spare_segments),
        next_lsn_(next_lsn),
        salt_source_(std::random_device{}() ^ clock->NowMicros()) {
    ack_word_.store(next_lsn - 1, std::memory_order_relaxed);
    last_lsn_.store(next_lsn - 1, std::memory_order_relaxed);
    std::uint32_t batches = options_.max_inflight_writes + 2;
    for (std::uint32_t i = 0; i < batches; ++i) {
      auto b = std::make_unique<Batch>();
      b->id = i;
      b->buffer.Reset(options_.batch_buffer_bytes);
      free_.push_back(b.get());
      batches_.push_back(std::move(b));
    }
  }

  ~WalImpl() override { Close().IgnoreError(); }

  Status Start(std::vector<std::shared_ptr<Segment>> existing) {
    segments_.assign(existing.begin(), existing.end());
    EDDY_RETURN_IF_ERROR(pool_.Start());
    // The batch buffers are written over and over: registered once, their
    // pages are not pinned again for every write. A buffer that grows for
    // a large record is new memory and is written the ordinary way.
    std::vector<IoQueue::Region> regions;
    for (const auto& b : batches_)
      regions.push_back({b->buffer.data(), b->buffer.capacity()});
    queue_->RegisterBuffers(regions);
    queue_->QueueNotifyWait(kTagNotify);
    EDDY_RETURN_IF_ERROR(queue_->Submit());
    writer_ = std::thread([this] {
      NameThisThread("eddy-wal");
      RunWriter();
    });
    return Status::Ok();
  }

  Result<Lsn> Append(std::uint8_t type, ByteSpan payload, std::uint64_t* timestamp_us) override {
    if (type < kFirstUserRecordType) {
      return Status::InvalidArgument("record type " + std::to_string(type) + " is reserved");
    }
    if (payload.size() > kMaxRecordBytes) {
      return Status::InvalidArgument("record of " + std::to_string(payload.size()) +
                                     " bytes exceeds the maximum of " +
                                     std::to_string(kMaxRecordBytes));
    }
    const std::uint64_t frame_bytes = FrameBytes(payload.size());
    AppenderCount counted(appenders_);
    Lsn lsn;
    bool notify;
    Batch* batch;
    std::uint32_t batch_gen;
    {
      std::unique_lock lock(mu_);
      std::uint64_t at;
      while (true) {
        if (!poison_.ok()) return poison_;
        if (closing_) return Status::IOError("the log is closed");
        if (open_ == nullptr && !OpenBatchLocked(lock)) continue;
        at = NextFrameStart(open_->used);
        if (Fits(*open_, at, frame_bytes)) break;
        MakeRoomLocked(frame_bytes);
      }
      lsn = next_lsn_++;
      const std::uint64_t now_us = clock_->NowMicros();
      if (timestamp_us != nullptr) *timestamp_us = now_us;
      EncodeFrame(open_->segment->salt, lsn, now_us,
                  ack_word_.load(std::memory_order_acquire) & ~kPoisonBit, type, payload,
                  open_->buffer.data() + at);
      open_->used = at + frame_bytes;
      if (open_->first_lsn == kNoLsn) {
        open_->first_lsn = lsn;
        open_->opened = std::chrono::steady_clock::now();
      }
      open_->last_lsn = lsn;
      // seq_cst: pairs with the writer's idle spin (WatchForNextRecord).
      last_lsn_.store(lsn, std::memory_order_seq_cst);
      batch = open_;
      batch_gen = open_->retired_gen.load(std::memory_order_relaxed);
      notify = want_notify_ &&
               // A held batch's first record still wakes the writer: it
               // may sleep without a timeout and must start the hold.
               ((inflight_ == 0 && (open_->first_lsn == lsn || !HoldingLocked())) ||
                !sealed_.empty() || GroupIsDueLocked()) &&
               !writer_watching_.load(std::memory_order_seq_cst);
      if (notify) want_notify_ = false;
    }
    if (notify) queue_->Notify();
    if (options_.sync_mode == SyncMode::kNone) return lsn;
    if (options_.sync_mode == SyncMode::kBatch) {
      EDDY_RETURN_IF_ERROR(WaitBatchRetired(lsn, batch, batch_gen));
    } else {
      EDDY_RETURN_IF_ERROR(WaitDurable(lsn));
    }
    return lsn;
  }

  Result<Lsn> Sync() override {
    Lsn target;
    {
      std::lock_guard lock(mu_);
      if (!poison_.ok()) return poison_;
      target = next_lsn_ - 1;
      sync_requested_ = std::max(sync_requested_, target);
      want_notify_ = false;
    }
    queue_->Notify();
    EDDY_RETURN_IF_ERROR(WaitDurable(target));
    return durable_lsn();
  }

  Status ReleaseBelow(Lsn lsn) override {
    std::vector<std::shared_ptr<Segment>> released;
    {
      std::lock_guard lock(mu_);
      while (segments_.size() > 1 && segments_[1]->activated && segments_[1]->first_lsn <= lsn) {
        released.push_back(segments_.front());
        segments_.pop_front();
      }
    }
    for (const auto& seg : released) {
      std::string path = options_.dir + "/" + seg->name;
      if (seg->bytes == options_.segment_bytes) {
        EDDY_RETURN_IF_ERROR(pool_.Recycle(path));
      } else {
        EDDY_RETURN_IF_ERROR(env_->Remove(path));
      }
    }
    return Status::Ok();
  }

  Lsn last_lsn() const override { return last_lsn_.load(std::memory_order_acquire); }
  Lsn durable_lsn() const override {
    return ack_word_.load(std::memory_order_acquire) & ~kPoisonBit;
  }
  WalStats stats() const override {
    WalStats st;
    st.records = last_lsn_.load(std::memory_order_relaxed) - first_lsn_this_run_ + 1;
    st.writes = stat_writes_.load(std::memory_order_relaxed);
    st.bytes_written = stat_bytes_.load(std::memory_order_relaxed);
    st.syncs = stat_syncs_.load(std::memory_order_relaxed);
    st.segments_started = stat_segments_.load(std::memory_order_relaxed);
    return st;
  }

  Status health() const override {
    std::lock_guard lock(mu_);
    return poison_;
  }

  Status Close() override {
    {
      std::lock_guard lock(mu_);
      if (closed_) return poison_;
      closing_ = true;
      sync_requested_ = std::max(sync_requested_, next_lsn_ - 1);
    }
    queue_->Notify();
    if (writer_.joinable()) writer_.join();
    pool_.Stop();
    std::lock_guard lock(mu_);
    closed_ = true;
    return poison_;
  }

 private:
  // ---- Appender side (callers hold mu_) ----------------------------------

  bool Fits(const Batch& b, std::uint64_t at, std::uint64_t frame_bytes) const {
    return at + frame_bytes <= b.buffer.capacity() &&
           b.file_offset + at + frame_bytes <= b.segment->bytes;
  }

  // Takes a free batch and places it after the last sealed one. Returns false
  // after waiting (the caller re-checks the log's state).
  bool OpenBatchLocked(std::unique_lock<std::mutex>& lock) {
    if (free_.empty()) {
      space_cv_.wait(lock, [&] { return !free_.empty() || !poison_.ok() || closing_; });
      return false;
    }
    Batch* b = free_.back();
    free_.pop_back();
    b->used = 0;
    b->first_lsn = b->last_lsn = kNoLsn;
    b->starts_segment = false;
    b->written = 0;
    b->write_done = false;
    b->syncs_outstanding = 0;
    b->synced = false;
    if (current_ == nullptr || current_offset_ >= current_->bytes) {
      PlanSegmentLocked(b, 0);
    } else {
      b->segment = current_;
      b->file_offset = current_offset_;
    }
    open_ = b;
    return true;
  }

  // Puts a new segment, starting at the next LSN, under batch `b`.
  void PlanSegmentLocked(Batch* b, std::uint64_t frame_bytes) {
    auto seg = std::make_shared<Segment>();
    seg->first_lsn = next_lsn_;
    seg->name = SegmentFileName(next_lsn_);
    // A record too large for a standard segment gets a segment of exactly
    // its size (written once, never pre-written: the file ends where the
    // header says the segment ends).
    const std::uint64_t needed = AlignUp(kSegmentHeaderBytes + frame_bytes, kBlockBytes);
    seg->bytes = std::max<std::uint64_t>(options_.segment_bytes, needed);
    seg->salt = salt_source_();
    segments_.push_back(seg);
    current_ = seg;
    current_offset_ = 0;
    b->segment = seg;
    b->file_offset = 0;
    b->starts_segment = true;
    if (b->buffer.capacity() < kSegmentHeaderBytes + frame_bytes + kBlockBytes) {
      b->buffer.Reset(kSegmentHeaderBytes + frame_bytes + kBlockBytes);
    }
    EncodeSegmentHeader(seg->first_lsn, seg->salt, clock_->NowMicros(), seg->bytes,
                        b->buffer.data());
    b->used = kSegmentHeaderBytes;
  }

  // The next frame does not fit the open batch: seal it, grow it, or move to a
  // new segment.
  void MakeRoomLocked(std::uint64_t frame_bytes) {
    Batch* b = open_;
    std::uint64_t at = NextFrameStart(b->used);
    if (b->last_lsn != kNoLsn) {
      SealLocked();
      // The writer may be asleep with nothing in flight: wake it for the
      // sealed batch before this appender possibly waits for a free one.
      if (want_notify_) {
        want_notify_ = false;
        queue_->Notify();
      }
      return;
    }
    // An empty batch: the record alone is too large for what is left of it.
    if (b->file_offset + at + frame_bytes > b->segment->bytes) {
      if (b->starts_segment) {
        // Not yet written: resize the planned segment to hold the record.
        segments_.pop_back();
        PlanSegmentLocked(b, frame_bytes);
      } else {
        PlanSegmentLocked(b, frame_bytes);
      }
      return;
    }
    AlignedBuffer bigger(AlignUp(at + frame_bytes + kBlockBytes, kBlockBytes));
    std::memcpy(bigger.data(), b->buffer.data(), b->used);
    b->buffer = std::move(bigger);
  }

  // Whether the open batch should go out although writes are in flight.
  // Mode none: once it is large (fewer, larger writes). Modes batch and
  // interval: once it holds its share of the appenders — with A appenders
  // and W writes allowed in flight, about A / W records — so that groups grow
  // with concurrency instead of every appender getting a write of its own,
  // while a lone appender's record still goes out at once.
  bool GroupIsDueLocked() const {
    if (options_.sync_mode == SyncMode::kNone) return open_->used >= kEagerSealBytes;
    std::uint64_t appenders = appenders_.load(std::memory_order_relaxed);
    std::uint64_t target = std::max<std::uint64_t>(1, appenders / options_.max_inflight_writes);
    return open_->last_lsn - open_->first_lsn + 1 >= target;
  }

  // Mode none, with no write in flight: whether the open batch waits for
  // more records rather than go out padded to a block (WalOptions::
  // none_hold_us). It waits until it nears the eager seal size or the hold
  // ends; the writer sleeps until the hold ends, appenders wake it once the
  // batch is that large. Why not send it as soon as one block is full? A
  // steady writer then pays an eventfd write and the writer a wake-up and
  // an io_uring_enter per block (every 20-odd records of 190 bytes): put of
  // new items ran about a fifth slower (docs/benchmarks.md, "2026-12-07,
  // night"). The hold bounds how long a record waits either way.
  bool HoldingLocked() const {
    if (options_.sync_mode != SyncMode::kNone || options_.none_hold_us == 0) return false;
    if (open_->used + kHoldSlackBytes >= kEagerSealBytes) return false;
    return std::chrono::steady_clock::now() < HoldEndLocked();
  }
  std::chrono::steady_clock::time_point HoldEndLocked() const {
    return open_->opened + std::chrono::microseconds(options_.none_hold_us);
  }

  void SealLocked() {
    Batch* b = open_;
    std::uint64_t end = AlignUp(b->used, kBlockBytes);
    if (end > b->used) {
      std::uint64_t at = NextFrameStart(b->used);
      std::memset(b->buffer.data() + b->used, 0, at - b->used);
      if (at < end) EncodePadding(b->segment->salt, end - at, b->buffer.data() + at);
      b->used = end;
    }
    current_offset_ = b->file_offset + b->used;
    sealed_.push_back(b);
    open_ = nullptr;
  }

  // Mode batch: a record is durable once its batch is retired (retirement
  // follows LSN order and publishes the durable LSN first).
  Status WaitBatchRetired(Lsn lsn, Batch* batch, std::uint32_t gen) {
    const int spins = appenders_.load(std::memory_order_relaxed) < spin_cores_ ? kAckSpins : 0;
    for (int i = 0; i < spins; ++i) {
      if (batch->retired_gen.load(std::memory_order_acquire) != gen) break;
      _mm_pause();
    }
    batch->retired_gen.wait(gen, std::memory_order_acquire);
    std::uint64_t w = ack_word_.load(std::memory_order_acquire);
    if ((w & ~kPoisonBit) >= lsn) return Status::Ok();
    std::lock_guard lock(mu_);
    return poison_.ok() ? Status::IOError("the log stopped before the record was durable")
                        : poison_;
  }

  Status WaitDurable(Lsn lsn) {
    const int spins = appenders_.load(std::memory_order_relaxed) < spin_cores_ ? kAckSpins : 0;
    for (int i = 0; i < spins; ++i) {
      std::uint64_t w = ack_word_.load(std::memory_order_acquire);
      if ((w & ~kPoisonBit) >= lsn) return Status::Ok();
      if (w & kPoisonBit) break;
      _mm_pause();
    }
    while (true) {
      std::uint64_t w = ack_word_.load(std::memory_order_acquire);
      if ((w & ~kPoisonBit) >= lsn) return Status::Ok();
      if (w & kPoisonBit) {
        std::lock_guard lock(mu_);
        return poison_;
      }
      ack_word_.wait(w, std::memory_order_acquire);
    }
  }

  // ---- Writer thread -------------------------------------------------------

  void RunWriter() {
    while (true) {
      std::vector<Batch*> submit;
      bool exit = false;
      bool sync_wanted = false;
      {
        std::lock_guard lock(mu_);
        if (poison_.ok()) {
          ChooseWorkLocked(&submit);
          sync_wanted = sync_requested_ > durable_;
        }
        exit =
            closing_ && inflight_ == 0 && submit.empty() && !round_pending_ &&
            (!poison_.ok() || (open_ == nullptr && sealed_.empty() && durable_ >= next_lsn_ - 1));
        want_notify_ = !exit;
      }
      if (exit) break;
      for (Batch* b : submit)
        SubmitBatch(b);
      MaybeStartSyncRound(sync_wanted);
      Status s = queue_->Submit();
      if (!s.ok()) Poison(s);
      WaitAndProcess();
    }
    DrainAndCloseFiles();
  }

  void ChooseWorkLocked(std::vector<Batch*>* submit) {
    const std::uint32_t max = options_.max_inflight_writes;
    hold_end_.reset();
    if (open_ != nullptr) {
      if (watch_started_) {
        watch_window_.Observe(std::max<std::chrono::nanoseconds>(open_->opened - *watch_started_,
                                                                 std::chrono::nanoseconds::zero()));
        watch_started_.reset();
      }
      const bool holding = inflight_ == 0 && HoldingLocked();
      bool urgent = (inflight_ == 0 && !holding) || closing_ || sync_requested_ > durable_ ||
                    GroupIsDueLocked();
      if (urgent && inflight_ + sealed_.size() < max) {
        SealLocked();
      } else if (holding) {
        hold_end_ = HoldEndLocked();
      }
    }
    while (!sealed_.empty() && inflight_ < max) {
      Batch* b = sealed_.front();
      // A segment begins only after every write before it completed and, in
      // modes none and interval, was synced: so after a crash or power loss
      // only the last segment can have lost its tail, which is what
      // recovery assumes (wal_format.md).
      if (b->starts_segment && inflight_ > 0) break;
      if (b->starts_segment && options_.sync_mode != SyncMode::kBatch &&
          (round_pending_ > 0 || AnyUnsyncedSegment())) {
        rotation_needs_sync_ = true;
        break;
      }
      sealed_.pop_front();
      submit->push_back(b);
      ++inflight_;
    }
  }

  bool AnyUnsyncedSegment() const {
    for (const auto& seg : open_files_) {
      if (seg->unsynced) return true;
    }
    return false;
  }

  void SubmitBatch(Batch* b) {
    if (b->starts_segment) {
      Status s = ActivateSegment(b->segment.get());
      if (!s.ok()) {
        Poison(s);
        // Nothing was queued for it: retire it right away.
        b->write_done = true;
        inflight_order_.push_back(b);
        return;
      }
    }
    inflight_order_.push_back(b);
    QueueBatchWrite(b);
  }

  void QueueBatchWrite(Batch* b) {
    const bool linked_sync = options_.sync_mode == SyncMode::kBatch &&
                             options_.sync_method == SyncMethod::kLinkedDatasync;
    queue_->QueueWrite(b->segment->file, b->file_offset + b->written, b->buffer.data() + b->written,
                       static_cast<std::uint32_t>(b->used - b->written), (b->id << 2) | kTagWrite,
                       linked_sync);
    if (linked_sync) {
      queue_->QueueDatasync(b->segment->file, (b->id << 2) | kTagLinkedSync);
      ++b->syncs_outstanding;
    }
  }

  Status ActivateSegment(Segment* seg) {
    const std::string path = options_.dir + "/" + seg->name;
    if (seg->bytes == options_.segment_bytes) {
      EDDY_ASSIGN_OR_RETURN(std::string spare, pool_.Take());
      EDDY_RETURN_IF_ERROR(env_->Rename(spare, path));
    }
    const bool dsync =
        options_.sync_mode == SyncMode::kBatch && options_.sync_method == SyncMethod::kDsync;
    EDDY_ASSIGN_OR_RETURN(
        seg->file,
        env_->Open(path, {.create = true, .direct = options_.direct_io, .dsync = dsync}));
    EDDY_RETURN_IF_ERROR(env_->SyncDir(options_.dir));
    stat_segments_.fetch_add(1, std::memory_order_relaxed);
    // Earlier segments take no more writes; close those no sync still needs.
    for (auto& other : open_files_) {
      if (!other->unsynced) CloseSegmentFile(other.get());
    }
    std::erase_if(open_files_, [](const auto& s) { return s->file < 0; });
    {
      std::lock_guard lock(mu_);
      seg->activated = true;
      for (const auto& live : segments_) {
        if (live.get() == seg) open_files_.push_back(live);
      }
    }
    return Status::Ok();
  }

  void CloseSegmentFile(Segment* seg) {
    if (seg->file >= 0) env_->Close(seg->file).IgnoreError();
    seg->file = -1;
  }

  // Modes none and interval (and Sync() in any mode): fdatasync every segment
  // with unsynced writes, then advance the durable LSN to what was written
  // before the syncs were queued.
  void MaybeStartSyncRound(bool sync_wanted) {
    if (round_pending_ > 0 || !poisoned_locally_.ok()) return;
    // A segment rotation waits for every earlier segment to be synced, so a
    // round must start whenever a segment is unsynced, not only when the
    // durable LSN lags.
    if (written_ <= durable_snapshot_ && !AnyUnsyncedSegment()) return;
    bool due = sync_wanted || rotation_needs_sync_;
    if (options_.sync_mode == SyncMode::kInterval) {
      due = due || clock_->NowMicros() >= last_round_us_ + options_.sync_interval_ms * 1000ull;
    }
    if (!due) return;
    rotation_needs_sync_ = false;
    round_target_ = written_;
    last_round_us_ = clock_->NowMicros();
    for (auto& seg : open_files_) {
      if (!seg->unsynced) continue;
      seg->unsynced = false;
      queue_->QueueDatasync(seg->file, (round_counter_ << 2) | kTagRoundSync);
      ++round_pending_;
    }
    ++round_counter_;
    if (round_pending_ == 0) PublishDurable(round_target_);
  }

  void WaitAndProcess() {
    IoCompletion c;
    Status s;
    bool got = false;
    if (options_.sync_mode == SyncMode::kInterval && written_ > durable_snapshot_ &&
        round_pending_ == 0) {
      std::uint64_t due = last_round_us_ + options_.sync_interval_ms * 1000ull;
      std::uint64_t now = clock_->NowMicros();
      std::uint64_t wait_us = due > now ? due - now : 0;
      Result<bool> r = queue_->WaitCompletionFor(&c, std::max<std::uint64_t>(wait_us, 1));
      if (!r.ok()) s = r.status();
      got = r.ok() && *r;
    } else if (hold_end_) {
      // Nothing in flight: a held batch goes out when the hold ends, or
      // sooner when an appender fills its block and notifies.
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
          *hold_end_ - std::chrono::steady_clock::now());
      Result<bool> r = queue_->WaitCompletionFor(
          &c, static_cast<std::uint64_t>(std::max<std::int64_t>(left.count(), 1)));
      if (!r.ok()) s = r.status();
      got = r.ok() && *r;
    } else {
      if (WatchForNextRecord()) return;  // back to the loop: seal and submit it
      s = queue_->WaitCompletion(&c);
      got = s.ok();
    }
    if (!s.ok()) {
      Poison(s);
      return;
    }
    bool rearm = false;
    while (got) {
      Process(c, &rearm);
      got = queue_->PollCompletion(&c);
    }
    RetireCompleted();
    if (rearm) queue_->QueueNotifyWait(kTagNotify);
  }

  // With nothing in flight and fewer appenders than cores, the next record
  // usually follows soon (the appender just got its acknowledgement).
  // Watching for it saves the appender an eventfd write and the writer a
  // wake-up, which on a virtual machine can come hundreds of µs late
  // (docs/benchmarks.md, "2026-12-07"). The watch lasts as long as
  // watch_window_ says the next record is worth waiting for. Nothing is in
  // flight, so no kernel worker is starved meanwhile. Returns true when a
  // record arrived.
  bool WatchForNextRecord() {
    const std::uint64_t appenders = appenders_.load(std::memory_order_relaxed);
    // Only with no I/O at all in flight (writes or a sync round): returning
    // early skips reaping completions.
    if (!inflight_order_.empty() || round_pending_ > 0 || appenders == 0 ||
        appenders >= spin_cores_) {
      return false;
    }
    // Announce first, then look: an appender that saw writer_watching_ and
    // skipped its notify left its record in open_ (checked here under the
    // mutex) or stores its LSN after `seen` was read (seen by the loop).
    writer_watching_.store(true, std::memory_order_seq_cst);
    Lsn seen;
    {
      std::lock_guard lock(mu_);
      if (open_ != nullptr || !sealed_.empty()) {
        writer_watching_.store(false, std::memory_order_seq_cst);
        return true;
      }
      seen = next_lsn_ - 1;
    }
    const auto start = std::chrono::steady_clock::now();
    watch_started_ = start;
    const auto deadline = start + watch_window_.window();
    bool arrived = false;
    for (int i = 0; !arrived; ++i) {
      arrived = last_lsn_.load(std::memory_order_seq_cst) != seen;
      if ((i & 31) == 31 && std::chrono::steady_clock::now() > deadline) break;
      _mm_pause();
    }
    // Appenders skip the notify while we watch; after we stop watching, a
    // record stored before this point is seen by the check below, and one
    // stored after it sees writer_watching_ false and notifies (seq_cst).
    writer_watching_.store(false, std::memory_order_seq_cst);
    return arrived || last_lsn_.load(std::memory_order_seq_cst) != seen;
  }

  void Process(const IoCompletion& c, bool* rearm) {
    const std::uint64_t kind = c.tag & 3;
    if (kind == kTagNotify) {
      *rearm = true;
      return;
    }
    if (kind == kTagRoundSync) {
      --round_pending_;
      if (c.result < 0) {
        Poison(ErrnoStatus(c.result, "fdatasync " + options_.dir));
      } else {
        stat_syncs_.fetch_add(1, std::memory_order_relaxed);
      }
      if (round_pending_ == 0 && poisoned_locally_.ok() && c.result >= 0) {
        PublishDurable(round_target_);
      }
      return;
    }
    Batch* b = batches_[c.tag >> 2].get();
    if (kind == kTagLinkedSync) {
      --b->syncs_outstanding;
      // -ECANCELED: the write linked before it was short; the rest of the
      // write goes out again with a sync of its own.
      if (c.result == -ECANCELED) return;
      if (c.result < 0) {
        Poison(ErrnoStatus(c.result, "fdatasync " + b->segment->name));
      } else {
        b->synced = true;
        stat_syncs_.fetch_add(1, std::memory_order_relaxed);
      }
      return;
    }
    if (c.result < 0) {
      Poison(ErrnoStatus(c.result, "write " + b->segment->name));
      b->write_done = true;
      return;
    }
    b->written += static_cast<std::uint64_t>(c.result);
    if (b->written < b->used && c.result > 0 && poisoned_locally_.ok()) {
      // Short write: resubmit the rest (block-aligned again if it was not).
      b->written = AlignDown(b->written, kBlockBytes);
      QueueBatchWrite(b);
      Status s = queue_->Submit();
      if (!s.ok()) Poison(s);
      return;
    }
    if (b->written < b->used)
      Poison(Status::IOError("write " + b->segment->name + ": no progress"));
    b->write_done = true;
    stat_writes_.fetch_add(1, std::memory_order_relaxed);
    stat_bytes_.fetch_add(b->used, std::memory_order_relaxed);
  }

  // Retires the completed prefix of writes in LSN order.
  void RetireCompleted() {
    Lsn written = written_;
    std::vector<Batch*> freed;
    while (!inflight_order_.empty()) {
      Batch* b = inflight_order_.front();
      const bool needs_sync = options_.sync_mode == SyncMode::kBatch &&
                              options_.sync_method == SyncMethod::kLinkedDatasync &&
                              poisoned_locally_.ok();
      if (!b->write_done || b->syncs_outstanding > 0 || (needs_sync && !b->synced)) break;
      inflight_order_.pop_front();
      if (b->last_lsn != kNoLsn && poisoned_locally_.ok()) written = b->last_lsn;
      if (options_.sync_mode != SyncMode::kBatch) b->segment->unsynced = true;
      freed.push_back(b);
    }
    if (freed.empty()) return;
    written_ = written;
    if (options_.sync_mode == SyncMode::kBatch && poisoned_locally_.ok()) PublishDurable(written_);
    // Wake the batches' appenders only now that the durable LSN covers them,
    // and before a batch can be reused.
    for (Batch* b : freed) {
      b->retired_gen.fetch_add(1, std::memory_order_acq_rel);
      b->retired_gen.notify_all();
    }
    {
      std::lock_guard lock(mu_);
      inflight_ -= static_cast<std::uint32_t>(freed.size());
      for (Batch* b : freed) {
        b->segment.reset();
        free_.push_back(b);
      }
    }
    space_cv_.notify_all();
    // A segment that is no longer written to gets synced soon (modes none and
    // interval) so its file can be closed.
    for (auto& seg : open_files_) {
      if (seg->unsynced && open_files_.back() != seg) rotation_needs_sync_ = true;
    }
  }

  void PublishDurable(Lsn lsn) {
    if (lsn <= durable_snapshot_) return;
    durable_snapshot_ = lsn;
    {
      std::lock_guard lock(mu_);
      durable_ = lsn;
      std::uint64_t w = ack_word_.load(std::memory_order_relaxed);
      ack_word_.store((w & kPoisonBit) | lsn, std::memory_order_release);
    }
    ack_word_.notify_all();
    // Close files of earlier segments now fully synced.
    if (open_files_.size() > 1) {
      for (std::size_t i = 0; i + 1 < open_files_.size(); ++i) {
        if (!open_files_[i]->unsynced) CloseSegmentFile(open_files_[i].get());
      }
      std::erase_if(open_files_, [](const auto& s) { return s->file < 0; });
    }
  }

  void Poison(const Status& s) {
    if (!poisoned_locally_.ok()) return;
    poisoned_locally_ = s;
    {
      std::lock_guard lock(mu_);
      poison_ = s;
      ack_word_.fetch_or(kPoisonBit, std::memory_order_acq_rel);
      // Batches not yet handed to the kernel will never be: return them.
      for (Batch* b : sealed_)
        free_.push_back(b);
      sealed_.clear();
    }
    ack_word_.notify_all();
    for (auto& b : batches_) {
      b->retired_gen.fetch_add(1, std::memory_order_acq_rel);
      b->retired_gen.notify_all();
    }
    space_cv_.notify_all();
  }

  // At exit: wait for every write and sync still in the kernel (they use our
  // buffers), then close the files.
  void DrainAndCloseFiles() {
    while (!inflight_order_.empty() || round_pending_ > 0) {
      IoCompletion c;
      if (!queue_->WaitCompletion(&c).ok()) break;
      bool rearm = false;
      Process(c, &rearm);
      RetireCompleted();
    }
    for (auto& seg : open_files_)
      CloseSegmentFile(seg.get());
    open_files_.clear();
  }

  const WalOptions options_;
  Env* const env_;
  Clock* const clock_;
  std::unique_ptr<IoQueue> queue_;
  SegmentPool pool_;
  std::vector<std::unique_ptr<Batch>> batches_;  // fixed set; ids index it

  mutable std::mutex mu_;
  std::condition_variable space_cv_;               // a batch became free
  Batch* open_ = nullptr;                          // GUARDED_BY(mu_)
  std::deque<Batch*> sealed_;                      // GUARDED_BY(mu_)
  std::vector<Batch*> free_;                       // GUARDED_BY(mu_)
  std::deque<std::shared_ptr<Segment>> segments_;  // GUARDED_BY(mu_)
  std::shared_ptr<Segment> current_;               // GUARDED_BY(mu_)
  std::uint64_t current_offset_ = 0;               // GUARDED_BY(mu_)
  Lsn next_lsn_;                                   // GUARDED_BY(mu_)
  Lsn durable_ = kNoLsn;                           // GUARDED_BY(mu_)
  Lsn sync_requested_ = kNoLsn;                    // GUARDED_BY(mu_)
  std::uint32_t inflight_ = 0;                     // GUARDED_BY(mu_)
  bool want_notify_ = false;                       // GUARDED_BY(mu_)
  bool closing_ = false;                           // GUARDED_BY(mu_)
  bool closed_ = false;                            // GUARDED_BY(mu_)
  Status poison_;                                  // GUARDED_BY(mu_)
  std::mt19937_64 salt_source_;                    // GUARDED_BY(mu_)

  // Durable LSN, with kPoisonBit once the log is poisoned. Appenders wait on it.
  std::atomic<std::uint64_t> ack_word_{0};
  std::atomic<Lsn> last_lsn_{0};
  // True while the writer thread watches for the next record (see
  // WatchForNextRecord): appenders need not notify it.
  std::atomic<bool> writer_watching_{false};
  // Threads inside Append (sizes the group commit target).
  std::atomic<std::uint64_t> appenders_{0};
  struct AppenderCount {
    explicit AppenderCount(std::atomic<std::uint64_t>& n) : n_(n) { n_.fetch_add(1); }
    ~AppenderCount() { n_.fetch_sub(1); }
    std::atomic<std::uint64_t>& n_;
  };
  // Appenders spin while fewer than this many are active. Spinning saves a
  // futex wake-up (tens of µs here) only while spinners leave a core free:
  // O_DSYNC completions need a kernel worker to run, and the writer thread
  // needs the CPU too (measured: docs/benchmarks.md).
  const std::uint64_t spin_cores_ = std::max(1u, std::thread::hardware_concurrency());
  const Lsn first_lsn_this_run_ = next_lsn_;
  std::atomic<std::uint64_t> stat_writes_{0}, stat_bytes_{0}, stat_syncs_{0}, stat_segments_{0};

  // Writer thread only.
  std::thread writer_;
  std::deque<Batch*> inflight_order_;  // submitted, in LSN order
  std::vector<std::shared_ptr<Segment>> open_files_;
  Lsn written_ = kNoLsn;           // every write up to here completed
  Lsn durable_snapshot_ = kNoLsn;  // writer's copy of durable_
  Status poisoned_locally_;
  std::uint32_t round_pending_ = 0;
  std::uint64_t round_counter_ = 0;
  Lsn round_target_ = kNoLsn;
  std::uint64_t last_round_us_ = 0;
  bool rotation_needs_sync_ = false;
  // Set by ChooseWorkLocked while the open batch is held (mode none).
  std::optional<std::chrono::steady_clock::time_point> hold_end_;
  // WatchForNextRecord: how long to watch, and when the last unanswered
  // watch began (the next record's arrival measures the gap).
  WatchWindow watch_window_;
  std::optional<std::chrono::steady_clock::time_point> watch_started_;

 public:
  void SetRecoveredState(Lsn durable) {
    durable_ = durable;
    written_ = durable;
    durable_snapshot_ = durable;
  }
};

}  // namespace

Result<std::unique_ptr<Wal>> Wal::Open(const WalOptions& in_options, Lsn replay_from,
                                       const ReplayFn& replay, RecoveryReport* report) {
  WalOptions options = in_options;
  if (options.dir.empty()) return Status::InvalidArgument("WalOptions.dir is empty");
  options.segment_bytes =
      AlignUp(std::max<std::uint64_t>(options.segment_bytes, 64u << 10), kBlockBytes);
  options.batch_buffer_bytes = static_cast<std::uint32_t>(
      AlignUp(std::max<std::uint32_t>(options.batch_buffer_bytes, 64u << 10), kBlockBytes));
  if (options.max_inflight_writes == 0) {
    options.max_inflight_writes = options.sync_mode == SyncMode::kNone ? 8 : 2;
  }
  options.max_inflight_writes = std::clamp<std::uint32_t>(options.max_inflight_writes, 1, 64);
  options.spare_segments = std::max<std::uint32_t>(options.spare_segments, 1);
  Env* env = options.env != nullptr ? options.env : Env::Default();
  Clock* clock = options.clock != nullptr ? options.clock : Clock::Real();
  bool progress = options.report_progress.value_or(isatty(STDERR_FILENO) == 1);

  EDDY_RETURN_IF_ERROR(env->CreateDirIfMissing(options.dir));

  // Recovery: read everything, replaying what the caller asked for.
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader,
                        LogReader::Open(env, options.dir, kNoLsn + 1, progress));
  LogRecord record;
  while (true) {
    EDDY_ASSIGN_OR_RETURN(bool more, reader->Next(&record));
    if (!more) break;
    if (record.lsn >= replay_from && replay) EDDY_RETURN_IF_ERROR(replay(record));
  }
  const RecoveryReport& found = reader->report();
  if (report != nullptr) *report = found;

  // The live segments; one that holds no record (a first write torn by a
  // crash) is removed, since the next segment will take its name.
  EDDY_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(options.dir));
  std::vector<std::shared_ptr<Segment>> segments;
  for (const std::string& name : names) {
    std::optional<Lsn> first = ParseSegmentFileName(name);
    if (!first) continue;
    if (found.records == 0 || *first > found.last_lsn) {
      EDDY_RETURN_IF_ERROR(env->Remove(options.dir + "/" + name));
      continue;
    }
    auto seg = std::make_shared<Segment>();
    seg->first_lsn = *first;
    seg->name = name;
    seg->activated = true;
    segments.push_back(seg);
  }
  std::sort(segments.begin(), segments.end(),
            [](const auto& a, const auto& b) { return a->first_lsn < b->first_lsn; });
  for (auto& seg : segments) {
    // Sizes matter only for recycling: a standard-size file becomes a spare.
    EDDY_ASSIGN_OR_RETURN(FileId f, env->Open(options.dir + "/" + seg->name, {.read_only = true}));
    Result<std::uint64_t> size = env->FileSize(f);
    env->Close(f).IgnoreError();
    if (size.ok()) seg->bytes = *size;
  }
  if (segments.empty()) {
    // The log starts over at LSN 1: spares left from an earlier log would
    // hold frames with higher LSNs, which recovery counts as lost writes.
    for (const std::string& name : names) {
      if (IsSpareFileName(name)) EDDY_RETURN_IF_ERROR(env->Remove(options.dir + "/" + name));
    }
  }
  EDDY_RETURN_IF_ERROR(env->SyncDir(options.dir));

  Lsn next_lsn = found.records > 0           ? found.last_lsn + 1
                 : found.first_lsn != kNoLsn ? found.first_lsn
                                             : 1;
  next_lsn = std::max(next_lsn, options.min_next_lsn);
  EDDY_ASSIGN_OR_RETURN(
      std::unique_ptr<IoQueue> queue,
      env->NewIoQueue(std::max<std::uint32_t>(8, 4 * options.max_inflight_writes + 8)));
  auto wal = std::make_unique<WalImpl>(options, env, clock, std::move(queue), next_lsn);
  wal->SetRecoveredState(next_lsn - 1);
  EDDY_RETURN_IF_ERROR(wal->Start(std::move(segments)));
  return std::unique_ptr<Wal>(std::move(wal));
}

}  // namespace eddy::wal
