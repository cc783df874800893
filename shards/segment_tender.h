// SegmentTender: one background thread that keeps open stream segments
// ready ahead of their producers (StreamSegment::TendAhead): it maps the
// pages the producer will write next and starts write-back of the pages it
// has finished, so that appends take no page faults and sealing a segment
// syncs little. See stream_segment.h for why these costs must leave the
// producer's path.
//
// Why one polling thread rather than work handed over by the producer: a
// hand-off costs the producer a wake-up per MiB on its critical path, while
// a tick every millisecond costs nothing there and keeps far enough ahead
// (a MiB of lead is ~20 ms of records even at 50 MB/s of stream data).
// The thread sleeps on a condition variable while nothing is watched.
//
// Threads: Watch() from any thread. The tender holds segments weakly: a
// segment that is sealed or gone is dropped from its list.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "shards/stream_segment.h"

namespace eddy::shards {

class SegmentTender {
 public:
  explicit SegmentTender(std::chrono::microseconds period = std::chrono::milliseconds(1));
  // Stops and joins the thread.
  ~SegmentTender();
  SegmentTender(const SegmentTender&) = delete;
  SegmentTender& operator=(const SegmentTender&) = delete;

  // Marks `segment` tended and tends it until it is sealed or destroyed.
  // Call before the segment's first append.
  void Watch(const std::shared_ptr<StreamSegment>& segment);

 private:
  void Loop();

  const std::chrono::microseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<StreamSegment>> watched_;  // GUARDED_BY(mu_)
  bool stop_ = false;                                  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace eddy::shards
