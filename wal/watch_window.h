// How long the idle log writer watches for the next record before it sleeps.
//
// With nothing in flight and fewer appenders than cores, the next record
// usually follows the last acknowledgement closely: the appender wakes, does
// its own work and appends again. Watching for it spares both sides a
// wake-up, but only if the record comes within the watch. Measured on the
// virtual machines of docs/benchmarks.md with one appender: nine gaps in ten
// are under 10 µs, but the rest take 150 µs to 1 ms and come in runs (slow
// wake-ups, a vCPU the host took away), and a fixed 30 µs watch missed them
// all. So the window follows the gaps it observes: about twice the recent
// gap while most gaps fit under kMax, and kMin when they do not (a slow
// appender is not worth a core spinning for it).
#pragma once

#include <algorithm>
#include <chrono>

namespace eddy::wal {

class WatchWindow {
 public:
  static constexpr std::chrono::microseconds kMin{30};
  static constexpr std::chrono::microseconds kMax{250};

  // Time from the start of a watch to the arrival of the next record (zero
  // when it was already there).
  void Observe(std::chrono::nanoseconds gap) {
    const bool near = gap <= kMax;
    near_share_ += ((near ? 1.0 : 0.0) - near_share_) / kSmoothing;
    if (near) near_gap_ns_ += (static_cast<double>(gap.count()) - near_gap_ns_) / kSmoothing;
  }

  std::chrono::nanoseconds window() const {
    if (near_share_ < 0.5) return kMin;
    const auto twice = std::chrono::nanoseconds(static_cast<std::int64_t>(2 * near_gap_ns_));
    return std::clamp<std::chrono::nanoseconds>(twice, kMin, kMax);
  }

 private:
  // Exponential smoothing over about the last 8 gaps: quick to follow a
  // change of load, steady against one late wake-up.
  static constexpr double kSmoothing = 8;
  double near_gap_ns_ = std::chrono::nanoseconds(kMin).count() / 2.0;
  double near_share_ = 1.0;
};

}  // namespace eddy::wal
