#include "engine/streams/stream_sequencer.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <thread>

namespace eddy::engine {
namespace {

void FutexWait(std::atomic<std::uint32_t>* word, std::uint32_t expected) {
  // Bounded, so a lost wake-up costs a millisecond rather than a hang.
  struct timespec ts = {0, 1'000'000};
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, &ts,
          nullptr, 0);
}

void FutexWakeAll(std::atomic<std::uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
          nullptr, 0);
}

inline void CpuRelax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

StreamSequencer::StreamSequencer(std::function<Status(const StreamWork&)> apply,
                                 std::function<void()> published)
    : apply_(std::move(apply)),
      on_published_(std::move(published)),
      slots_(std::make_unique<std::atomic<const StreamWork*>[]>(kSlots)) {}

void StreamSequencer::Start(Lsn last) {
  published_.store(last, std::memory_order_release);
}

Status StreamSequencer::health() const {
  return poisoned_.load(std::memory_order_acquire) ? poison_ : Status::Ok();
}

bool StreamSequencer::NextReady() const {
  // Only the pointer, never the work behind it: without the drain lock the
  // work may be applied and its writer gone (its stack reused) at any time.
  // A stale answer costs at most one lock attempt; DrainLocked checks the
  // LSN under the lock.
  const Lsn next = published_.load(std::memory_order_acquire) + 1;
  return slots_[next % kSlots].load(std::memory_order_seq_cst) != nullptr;
}

void StreamSequencer::DrainLocked() {
  bool any = false;
  for (Lsn next = published_.load(std::memory_order_relaxed) + 1;; ++next) {
    std::atomic<const StreamWork*>& slot = slots_[next % kSlots];
    const StreamWork* work = slot.load(std::memory_order_seq_cst);
    if (work == nullptr || work->lsn != next) break;
    slot.store(nullptr, std::memory_order_relaxed);
    if (!poisoned_.load(std::memory_order_relaxed)) {
      Status s = apply_(*work);
      if (!s.ok()) {
        poison_ = Status::IOError("the stream could not take a record: " + s.ToString());
        poisoned_.store(true, std::memory_order_release);
      }
    }
    // From here on the writer of `work` may return and free it.
    published_.store(next, std::memory_order_release);
    any = true;
  }
  if (!any) return;
  on_published_();
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) FutexWakeAll(&epoch_);
}

Status StreamSequencer::Complete(const StreamWork& work) {
  // The ring is full only if this LSN is a whole ring ahead of the watermark.
  while (work.lsn - published_.load(std::memory_order_acquire) >= kSlots) {
    std::this_thread::yield();
  }
  slots_[work.lsn % kSlots].store(&work, std::memory_order_seq_cst);
  for (int round = 0;; ++round) {
    if (published_.load(std::memory_order_acquire) >= work.lsn) break;
    const std::uint32_t seen = epoch_.load(std::memory_order_seq_cst);
    // Take the lock only when there is something to drain and it looks
    // free. Mostly the wait is for a writer with an earlier LSN that is
    // still inserting into the memtable; trying the lock meanwhile (and
    // finding nothing) bounced its cache line between the writers and made
    // lock and unlock a sixth of a two-writer profile.
    if (NextReady() && !draining_.load(std::memory_order_relaxed) && drain_mu_.try_lock()) {
      draining_.store(true, std::memory_order_relaxed);
      DrainLocked();
      draining_.store(false, std::memory_order_relaxed);
      drain_mu_.unlock();
      // A slot filled while we held the lock may have found it taken; its
      // writer relies on a holder looking again after unlocking.
      continue;
    }
    // The holder is applying slots (a microsecond or so each); sleeping
    // would cost a wake-up far longer than the wait. Sleep only when the
    // watermark is stuck, e.g. behind a writer that was descheduled.
    if (round < 4096) {
      CpuRelax();
      if (round % 256 == 255) std::this_thread::yield();
      continue;
    }
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    if (published_.load(std::memory_order_acquire) < work.lsn) FutexWait(&epoch_, seen);
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
  }
  return health();
}

Status StreamSequencer::RunExclusive(const std::function<Status()>& fn) {
  std::lock_guard lock(drain_mu_);
  draining_.store(true, std::memory_order_relaxed);
  DrainLocked();
  Status s = fn();
  on_published_();
  draining_.store(false, std::memory_order_relaxed);
  return s;
}

}  // namespace eddy::engine
