// LatencyHistogram: log-linear buckets in the manner of HdrHistogram.
//
// Values (nanoseconds) below 128 get a bucket each; above, every power of two
// is split into 64 linear sub-buckets, so a bucket is at most 1/64 (1.6 %) of
// its value wide. 3776 counters (30 KiB) cover all of uint64.
//
// Why buckets and not sorted samples: recording is one increment, memory is
// fixed however many operations a cell runs (tens of millions for small
// appends), and per-thread histograms merge by adding counters.
//
// Threads: not thread-safe. Each benchmark thread records into its own
// histogram, with no locks in the timed loop; the driver merges them after
// the threads have joined.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace eddy::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 6;
  static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;  // 64
  static constexpr std::uint64_t kExactLimit = 2 * kSubBuckets;       // 128
  static constexpr std::size_t kBuckets = kExactLimit + (64 - kSubBucketBits - 1) * kSubBuckets;

  void Record(std::uint64_t ns) {
    ++counts_[BucketOf(ns)];
    ++count_;
    sum_ns_ += ns;
    if (ns > max_ns_) max_ns_ = ns;
  }

  void Merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  double MeanUs() const;
  double MaxUs() const { return static_cast<double>(max_ns_) / 1e3; }
  // The value at or below which `percent` % of the recorded values lie, as the
  // midpoint of its bucket (clamped to the largest value seen). 0 if empty.
  double PercentileUs(double percent) const;

  // Exposed for tests of the bucket math.
  static std::size_t BucketOf(std::uint64_t v) {
    if (v < kExactLimit) return static_cast<std::size_t>(v);
    const int msb = 63 - std::countl_zero(v);   // >= 7
    const int shift = msb - kSubBucketBits;     // >= 1
    const std::uint64_t mantissa = v >> shift;  // in [64, 128)
    return static_cast<std::size_t>(kExactLimit + (shift - 1) * kSubBuckets +
                                    (mantissa - kSubBuckets));
  }
  static std::uint64_t BucketLow(std::size_t index);
  static std::uint64_t BucketHigh(std::size_t index);  // inclusive

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ns_ = 0;
  std::uint64_t max_ns_ = 0;
};

static_assert(LatencyHistogram::kBuckets == 3776);

}  // namespace eddy::bench
