// Helpers for open-loop (paced) workloads: a monotonic clock in
// nanoseconds, a wait that ends on time without spinning a whole core, and
// the timer slack that lets short sleeps end on time.
#pragma once

#include <sys/prctl.h>

#include <chrono>
#include <cstdint>
#include <thread>

namespace eddy::bench {

inline std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits to `deadline_ns`: sleeps through all but the last ~40 µs (with the
// timer slack at 1 ns, see TimerSlack), then yields. Spinning through every
// gap instead would take a whole core from the engine's own threads.
inline void WaitUntil(std::int64_t deadline_ns) {
  for (std::int64_t now = NowNs(); now < deadline_ns; now = NowNs()) {
    const std::int64_t left = deadline_ns - now;
    if (left > 60'000) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(left - 40'000));
    } else {
      std::this_thread::yield();
    }
  }
}

// Sets the calling thread's timer slack (default 50 µs) to 1 ns while alive,
// so a paced writer's short sleeps end on time.
class TimerSlack {
 public:
  TimerSlack() : old_(::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)) {
    ::prctl(PR_SET_TIMERSLACK, 1ul, 0, 0, 0);
  }
  ~TimerSlack() {
    if (old_ > 0) ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(old_), 0, 0, 0);
  }
  TimerSlack(const TimerSlack&) = delete;
  TimerSlack& operator=(const TimerSlack&) = delete;

 private:
  const int old_;
};

}  // namespace eddy::bench
