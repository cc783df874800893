// Clock: where the engine reads wall time. Injectable so tests can move time
// (stream retention, iterator expiry) without sleeping.
#pragma once

#include <atomic>
#include <cstdint>

namespace eddy {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch. Thread-safe.
  virtual std::uint64_t NowMicros() const = 0;

  // The process-wide real clock (CLOCK_REALTIME). Never null; never freed.
  static Clock* Real();
};

// A clock that stands still until told to move. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::uint64_t start_micros) : now_(start_micros) {}
  std::uint64_t NowMicros() const override { return now_.load(std::memory_order_acquire); }
  void Advance(std::uint64_t micros) { now_.fetch_add(micros, std::memory_order_acq_rel); }
  void Set(std::uint64_t micros) { now_.store(micros, std::memory_order_release); }

 private:
  std::atomic<std::uint64_t> now_;
};

}  // namespace eddy
