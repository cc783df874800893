// StreamSequencer: applies the stream side of logged records in LSN order.
//
// Writers log concurrently and learn their LSNs in log order, but they get
// back from the log in any order. Stream records must enter each shard in
// log order (sequence numbers increase within a shard, an item's changes
// keep their order), and every logged record — catalog changes, topology
// changes, changes of tables without a stream — takes part, because LSNs
// are dense: LSN n+1 is applied only after n.
//
// Each writer puts its work in the ring slot of its LSN and then helps:
// whoever holds the drain lock applies consecutive ready slots and
// publishes the new watermark; the others wait (a short spin, then a futex)
// until the watermark passes their LSN. A writer's work lives on its own
// stack, which is safe because it returns only after its slot was applied.
// (The same shape as Pebble's commit pipeline publishing in sequence order.)
//
// Why not apply under one lock around the log append: that would serialise
// writers across the whole group commit and defeat batching.
//
// Errors: a failed apply (a stream segment could not be written) poisons
// the sequencer: the write that hit it and every later one get the error,
// as a poisoned log does. Restart re-derives the stream from the log.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "eddy/status.h"
#include "eddy/types.h"
#include "engine/log_records.h"

namespace eddy::engine {

struct StreamWork {
  enum class Kind : std::uint8_t { kNothing, kChanges, kCatalog, kTopology };
  Kind kind = Kind::kNothing;
  Lsn lsn = kNoLsn;
  std::uint64_t time_us = 0;  // the log frame's timestamp
  std::span<const ItemChange> changes;
  const CatalogRecord* catalog = nullptr;
  const ShardTopologyRecord* topology = nullptr;
};

class StreamSequencer {
 public:
  // `apply` runs under the drain lock, once per LSN, in order; `published`
  // runs after each drained run of slots (still under the lock).
  StreamSequencer(std::function<Status(const StreamWork&)> apply, std::function<void()> published);

  // The watermark after recovery: the next LSN to come is last + 1.
  void Start(Lsn last);
  // Hands over `work` and returns once it (and every LSN before it) was
  // applied. The error of a failed apply, once there was one.
  Status Complete(const StreamWork& work);
  // Runs `fn` as the only producer (holding the drain lock).
  Status RunExclusive(const std::function<Status()>& fn);

  Lsn published() const { return published_.load(std::memory_order_acquire); }

 private:
  void DrainLocked();
  // Whether the slot after the watermark holds work (a drain would likely
  // apply something). A hint: it may be stale by the time it returns.
  bool NextReady() const;
  Status health() const;

  static constexpr std::uint64_t kSlots = 1 << 16;  // > LSNs in flight at once
  const std::function<Status(const StreamWork&)> apply_;
  const std::function<void()> on_published_;
  std::unique_ptr<std::atomic<const StreamWork*>[]> slots_;
  std::atomic<Lsn> published_{0};
  std::mutex drain_mu_;
  // Set while drain_mu_ is held: a hint for waiters, so they try the lock
  // only when it looks free.
  std::atomic<bool> draining_{false};
  // Waiters sleep on `epoch_` (a futex word) which each drain bumps.
  std::atomic<std::uint32_t> epoch_{0};
  std::atomic<std::uint32_t> sleepers_{0};
  std::atomic<bool> poisoned_{false};
  Status poison_;  // written once before poisoned_ is set
};

}  // namespace eddy::engine
