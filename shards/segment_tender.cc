#include "shards/segment_tender.h"

#include "common/thread_name.h"

namespace eddy::shards {

SegmentTender::SegmentTender(std::chrono::microseconds period)
    : period_(period), thread_([this] {
        NameThisThread("eddy-tender");
        Loop();
      }) {}

SegmentTender::~SegmentTender() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SegmentTender::Watch(const std::shared_ptr<StreamSegment>& segment) {
  segment->set_tended();
  {
    std::lock_guard lock(mu_);
    watched_.push_back(segment);
  }
  cv_.notify_all();
}

void SegmentTender::Loop() {
  std::vector<std::shared_ptr<StreamSegment>> live;
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (watched_.empty()) {
      cv_.wait(lock, [this] { return stop_ || !watched_.empty(); });
      continue;
    }
    // One pass: keep what is open, drop what is sealed or gone.
    std::erase_if(watched_, [&live](const std::weak_ptr<StreamSegment>& w) {
      std::shared_ptr<StreamSegment> s = w.lock();
      if (s == nullptr || s->sealed()) return true;
      live.push_back(std::move(s));
      return false;
    });
    // madvise and sync_file_range may take a while: not under the lock, so
    // Watch() never waits for them.
    lock.unlock();
    for (const auto& segment : live)
      segment->TendAhead();
    live.clear();  // the last owner of a removed segment unmaps it here
    lock.lock();
    cv_.wait_for(lock, period_, [this] { return stop_; });
  }
}

}  // namespace eddy::shards
