#include "wal/watch_window.h"

#include <gtest/gtest.h>

namespace eddy::wal {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(WatchWindow, StartsAtTheMinimum) {
  WatchWindow w;
  EXPECT_EQ(w.window(), nanoseconds(WatchWindow::kMin));
}

TEST(WatchWindow, FollowsNearGapsAtAboutTwiceTheirSize) {
  WatchWindow w;
  for (int i = 0; i < 100; ++i)
    w.Observe(microseconds(80));
  EXPECT_NEAR(static_cast<double>(w.window().count()), 160'000.0, 1'000.0);
}

TEST(WatchWindow, NeverLeavesItsBounds) {
  WatchWindow w;
  for (int i = 0; i < 100; ++i)
    w.Observe(microseconds(0));
  EXPECT_EQ(w.window(), nanoseconds(WatchWindow::kMin));
  for (int i = 0; i < 100; ++i)
    w.Observe(WatchWindow::kMax);
  EXPECT_EQ(w.window(), nanoseconds(WatchWindow::kMax));
}

TEST(WatchWindow, OneLateGapWidensItForTheRunsThatFollow) {
  WatchWindow w;
  for (int i = 0; i < 100; ++i)
    w.Observe(microseconds(5));
  w.Observe(microseconds(200));
  EXPECT_GT(w.window(), nanoseconds(microseconds(50)));
}

TEST(WatchWindow, MostlyFarGapsShrinkItToTheMinimum) {
  WatchWindow w;
  for (int i = 0; i < 100; ++i)
    w.Observe(microseconds(120));
  ASSERT_GT(w.window(), nanoseconds(microseconds(200)));
  // An appender that comes back after a millisecond is not worth watching
  // for, and the gaps under kMax that remain do not change that.
  for (int i = 0; i < 100; ++i)
    w.Observe(i % 3 == 0 ? microseconds(120) : microseconds(1000));
  EXPECT_EQ(w.window(), nanoseconds(WatchWindow::kMin));
}

}  // namespace
}  // namespace eddy::wal
