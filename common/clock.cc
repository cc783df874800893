#include "eddy/clock.h"

#include <ctime>

namespace eddy {
namespace {

class RealClock final : public Clock {
 public:
  std::uint64_t NowMicros() const override {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1'000;
  }
};

}  // namespace

Clock* Clock::Real() {
  static RealClock clock;
  return &clock;
}

}  // namespace eddy
