#include "bench/histogram.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace eddy::bench {

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i)
    counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ns_ += other.sum_ns_;
  max_ns_ = std::max(max_ns_, other.max_ns_);
}

double LatencyHistogram::MeanUs() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_ns_) / static_cast<double>(count_) / 1e3;
}

std::uint64_t LatencyHistogram::BucketLow(std::size_t index) {
  if (index < kExactLimit) return index;
  const std::size_t j = index - kExactLimit;
  const int shift = static_cast<int>(j / kSubBuckets) + 1;
  const std::uint64_t mantissa = j % kSubBuckets + kSubBuckets;
  return mantissa << shift;
}

std::uint64_t LatencyHistogram::BucketHigh(std::size_t index) {
  if (index < kExactLimit) return index;
  if (index + 1 == kBuckets) return UINT64_MAX;
  return BucketLow(index + 1) - 1;
}

double LatencyHistogram::PercentileUs(double percent) const {
  if (count_ == 0) return 0;
  // The rank of the wanted value, 1-based: the smallest value with at least
  // `percent` % of all values at or below it.
  const double wanted = std::ceil(percent / 100.0 * static_cast<double>(count_));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t low = BucketLow(i);
      const std::uint64_t mid = low + (BucketHigh(i) - low) / 2;
      return static_cast<double>(std::min(mid, max_ns_)) / 1e3;
    }
  }
  assert(false && "histogram counts do not add up to count_");
  return MaxUs();
}

}  // namespace eddy::bench
