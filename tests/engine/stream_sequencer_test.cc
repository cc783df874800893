// StreamSequencer through its contract (engine/streams/stream_sequencer.h):
// whatever order writers arrive in, every LSN is applied once, in LSN order,
// and Complete returns only after its own LSN (and every earlier one) was.
#include "engine/streams/stream_sequencer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::engine::stream_sequencer_test {
namespace {

TEST(StreamSequencer, WritersArrivingOutOfOrderAreAppliedOnceInLsnOrder) {
  constexpr int kWriters = 4;
  constexpr Lsn kPerWriter = 20'000;
  std::vector<Lsn> applied;  // written only under the drain lock
  std::atomic<int> publishes{0};
  StreamSequencer sequencer(
      [&](const StreamWork& work) {
        applied.push_back(work.lsn);
        return Status::Ok();
      },
      [&] { publishes.fetch_add(1, std::memory_order_relaxed); });
  sequencer.Start(0);

  // LSNs are handed out in order, as the log does; writers then take a
  // random while (a memtable insert, a preemption) before they complete.
  std::atomic<Lsn> next_lsn{1};
  std::atomic<bool> returned_early{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (Lsn i = 0; i < kPerWriter; ++i) {
        StreamWork work{StreamWork::Kind::kNothing, next_lsn.fetch_add(1), 0};
        const int delay = static_cast<int>(rng() % 64);
        if (delay == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
        for (int spin = 0; spin < delay; ++spin)
          std::atomic_signal_fence(std::memory_order_seq_cst);
        ASSERT_TRUE(sequencer.Complete(work).ok());
        if (sequencer.published() < work.lsn) returned_early = true;
      }
    });
  }
  for (std::thread& t : writers)
    t.join();

  EXPECT_FALSE(returned_early) << "Complete returned before its LSN was applied";
  const Lsn total = kWriters * kPerWriter;
  ASSERT_EQ(applied.size(), total);
  for (Lsn i = 0; i < total; ++i)
    ASSERT_EQ(applied[i], i + 1) << "at position " << i;
  EXPECT_EQ(sequencer.published(), total);
  EXPECT_GT(publishes.load(), 0);
}

TEST(StreamSequencer, AFailedApplyPoisonsThatWriteAndEveryLaterOne) {
  StreamSequencer sequencer(
      [](const StreamWork& work) {
        return work.lsn == 3 ? Status::IOError("disk full") : Status::Ok();
      },
      [] {});
  sequencer.Start(0);
  for (Lsn lsn = 1; lsn <= 5; ++lsn) {
    StreamWork work{StreamWork::Kind::kNothing, lsn, 0};
    Status s = sequencer.Complete(work);
    if (lsn < 3) {
      EXPECT_TRUE(s.ok()) << lsn;
    } else {
      EXPECT_TRUE(s.IsIOError()) << lsn << ": " << s.ToString();
    }
  }
  EXPECT_EQ(sequencer.published(), 5u);
}

}  // namespace
}  // namespace eddy::engine::stream_sequencer_test
