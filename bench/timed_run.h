// RunTimed: the closed-loop driver every workload uses.
//
// `threads` workers each build their operation (allocation happens here, off
// the clock), wait for a common start, then call it back to back until the
// driver's deadline. Each worker times every call into its own histogram;
// nothing is shared in the loop but one read-mostly stop flag.
//
// Latency of a call is the time from the end of the previous call (or the
// start) to the end of this one: one clock read per operation instead of two,
// which matters when an operation takes a few hundred nanoseconds; the few
// nanoseconds of loop overhead it adds are the same for every engine.
//
// Errors: the first non-OK Status from any worker stops all of them and is
// returned in `status`; counts up to then are kept.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "bench/histogram.h"
#include "eddy/status.h"

namespace eddy::bench {

struct TimedRunResult {
  std::uint64_t ops = 0;
  double seconds = 0;
  LatencyHistogram latency;
  Status status;

  double OpsPerSecond() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
};

// make_op(int thread_index) runs on the worker thread and returns a callable
// `Status op(std::uint64_t op_index)`.
template <typename MakeOp>
TimedRunResult RunTimed(int threads, double duration_s, MakeOp make_op) {
  using Clock = std::chrono::steady_clock;
  struct alignas(64) PerThread {
    std::uint64_t ops = 0;
    LatencyHistogram latency;
    Status status;
  };
  std::vector<PerThread> per_thread(static_cast<std::size_t>(threads));
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  alignas(64) std::atomic<bool> stop{false};

  std::vector<std::thread> workers;
  workers.reserve(per_thread.size());
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      PerThread& mine = per_thread[static_cast<std::size_t>(t)];
      auto op = make_op(t);
      ready.fetch_add(1, std::memory_order_release);
      while (!go.load(std::memory_order_acquire))
        std::this_thread::yield();
      auto last = Clock::now();
      std::uint64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        Status s = op(i);
        const auto now = Clock::now();
        if (!s.ok()) {
          mine.status = std::move(s);
          stop.store(true, std::memory_order_relaxed);
          break;
        }
        mine.latency.Record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count()));
        last = now;
        ++i;
      }
      mine.ops = i;
    });
  }

  while (ready.load(std::memory_order_acquire) < threads)
    std::this_thread::yield();
  const auto start = Clock::now();
  go.store(true, std::memory_order_release);
  const auto deadline = start + std::chrono::duration<double>(duration_s);
  // Sleep in slices so a worker's error ends the cell early.
  while (Clock::now() < deadline && !stop.load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(std::min<Clock::duration>(
        std::chrono::milliseconds(20),
        std::chrono::duration_cast<Clock::duration>(deadline - Clock::now())));
  }
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& w : workers)
    w.join();
  const auto end = Clock::now();

  TimedRunResult result;
  result.seconds = std::chrono::duration<double>(end - start).count();
  for (PerThread& p : per_thread) {
    result.ops += p.ops;
    result.latency.Merge(p.latency);
    if (result.status.ok() && !p.status.ok()) result.status = p.status;
  }
  return result;
}

// RunCounted: a fixed amount of work instead of a fixed time. Runs
// `op(thread_index, i)` for i in [0, count), split into contiguous ranges
// across `threads`, timing each call as RunTimed does; merges the latencies
// into `latency` and sets `seconds` to the wall time. The first error of
// any worker (which stops that worker) is returned.
template <typename Op>
Status RunCounted(int threads, std::uint64_t count, Op op, LatencyHistogram* latency,
                  double* seconds) {
  using Clock = std::chrono::steady_clock;
  std::vector<LatencyHistogram> hist(static_cast<std::size_t>(threads));
  std::vector<Status> status(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::uint64_t begin = count * t / threads, end = count * (t + 1) / threads;
      auto last = Clock::now();
      for (std::uint64_t i = begin; i < end; ++i) {
        Status s = op(t, i);
        if (!s.ok()) {
          status[t] = std::move(s);
          return;
        }
        const auto now = Clock::now();
        hist[t].Record(static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - last).count()));
        last = now;
      }
    });
  }
  for (std::thread& w : workers)
    w.join();
  *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (int t = 0; t < threads; ++t) {
    EDDY_RETURN_IF_ERROR(status[t]);
    latency->Merge(hist[t]);
  }
  return Status::Ok();
}

}  // namespace eddy::bench
