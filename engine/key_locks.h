// KeyLocks: striped mutexes that serialise writes to one item (the write path
// reads the current item, decides, logs and applies under its stripe), while
// writes to items in other stripes run in parallel. Several stripes are
// always taken in ascending order, so transactions cannot deadlock.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/hash.h"

namespace eddy::engine {

class KeyLocks {
 public:
  static constexpr std::size_t kStripes = 4096;

  static std::size_t StripeOf(std::string_view key) {
    return XXH3_64bits(key.data(), key.size()) % kStripes;
  }

  // Locks every stripe in `stripes` (sorted and deduplicated in place).
  void LockAll(std::vector<std::size_t>* stripes) {
    std::sort(stripes->begin(), stripes->end());
    stripes->erase(std::unique(stripes->begin(), stripes->end()), stripes->end());
    for (std::size_t s : *stripes)
      stripes_[s].mu.lock();
  }
  void UnlockAll(const std::vector<std::size_t>& stripes) {
    for (auto it = stripes.rbegin(); it != stripes.rend(); ++it)
      stripes_[*it].mu.unlock();
  }
  std::mutex& Stripe(std::size_t s) { return stripes_[s].mu; }

 private:
  struct alignas(64) PaddedMutex {
    std::mutex mu;
  };
  std::array<PaddedMutex, kStripes> stripes_;
};

}  // namespace eddy::engine
