// Bloom filter, in both layouts: no false negatives, and a false-positive
// rate close to the one the bits per key promise.
#include "compaction/bloom_filter.h"

#include <gtest/gtest.h>

#include <string>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::bloom_filter_test {
namespace {

std::string Key(int i) {
  return "key-" + std::to_string(i);
}

double FalsePositiveRate(std::uint32_t bits_per_key, int n, FilterLayout layout) {
  BloomFilterBuilder builder(bits_per_key, layout);
  for (int i = 0; i < n; ++i)
    builder.AddKey(Key(i));
  std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish(), layout);
  EXPECT_TRUE(filter.has_value());
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(filter->MayContain(Key(i))) << "false negative for " << Key(i);
  }
  int fp = 0;
  const int probes = 100'000;
  for (int i = 0; i < probes; ++i)
    fp += filter->MayContain(Key(n + i)) ? 1 : 0;
  return static_cast<double>(fp) / probes;
}

TEST(BloomFilter, FormatVersionsChooseTheLayout) {
  EXPECT_EQ(FilterLayoutOf(1), FilterLayout::kSpread);
  EXPECT_EQ(FilterLayoutOf(2), FilterLayout::kBlocked);
}

TEST(BloomFilter, SpreadNoFalseNegativesAndAboutOnePercentAtTenBitsPerKey) {
  // Theory for k = 7, 10 bits per key: 0.82%.
  double rate = FalsePositiveRate(10, 100'000, FilterLayout::kSpread);
  EXPECT_GT(rate, 0.004);
  EXPECT_LT(rate, 0.015);
}

TEST(BloomFilter, BlockedCostsALittleMoreAtTenBitsPerKey) {
  // One 512-bit block per key: blocks fill unevenly, so a bit more than the
  // spread layout's 0.82% (Putze et al.: about 1 % at 10 bits, k = 7).
  double rate = FalsePositiveRate(10, 100'000, FilterLayout::kBlocked);
  EXPECT_GT(rate, 0.005);
  EXPECT_LT(rate, 0.02);
}

TEST(BloomFilter, MoreBitsPerKeyMeansFewerFalsePositives) {
  // Theory for 20 bits per key, k = 14: 0.0067% spread.
  EXPECT_LT(FalsePositiveRate(20, 50'000, FilterLayout::kSpread), 0.0005);
  EXPECT_LT(FalsePositiveRate(20, 50'000, FilterLayout::kBlocked), 0.002);
  // Theory for 5 bits per key, k = 3: 9.2% spread.
  for (FilterLayout layout : {FilterLayout::kSpread, FilterLayout::kBlocked}) {
    double rate = FalsePositiveRate(5, 50'000, layout);
    EXPECT_GT(rate, 0.06);
    EXPECT_LT(rate, 0.14);
  }
}

TEST(BloomFilter, SmallSetsStillWork) {
  for (FilterLayout layout : {FilterLayout::kSpread, FilterLayout::kBlocked}) {
    for (int n : {0, 1, 3}) {
      BloomFilterBuilder builder(10, layout);
      for (int i = 0; i < n; ++i)
        builder.AddKey(Key(i));
      std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish(), layout);
      ASSERT_TRUE(filter.has_value());
      for (int i = 0; i < n; ++i)
        EXPECT_TRUE(filter->MayContain(Key(i)));
    }
  }
}

TEST(BloomFilter, ZeroBitsPerKeyAnswersMaybe) {
  for (FilterLayout layout : {FilterLayout::kSpread, FilterLayout::kBlocked}) {
    BloomFilterBuilder builder(0, layout);
    builder.AddKey("a");
    std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish(), layout);
    ASSERT_TRUE(filter.has_value());
    EXPECT_TRUE(filter->MayContain("anything"));
    filter->Prefetch(blocked_bloom::KeyHash("anything"));  // no bit array to touch
    EXPECT_TRUE(filter->MayContainHash(blocked_bloom::KeyHash("anything")));
  }
}

TEST(BloomFilter, AHashComputedOnceAnswersAsTheKeyDoes) {
  // A point read hashes its key once, prefetches, then asks every file.
  for (FilterLayout layout : {FilterLayout::kSpread, FilterLayout::kBlocked}) {
    BloomFilterBuilder builder(10, layout);
    for (int i = 0; i < 1000; ++i)
      builder.AddKey(Key(i));
    std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish(), layout);
    ASSERT_TRUE(filter.has_value());
    for (int i = 0; i < 20'000; ++i) {
      const std::uint64_t hash = blocked_bloom::KeyHash(Key(i));
      filter->Prefetch(hash);
      EXPECT_EQ(filter->MayContainHash(hash), filter->MayContain(Key(i))) << Key(i);
    }
  }
}

TEST(BloomFilter, RejectsMalformedContents) {
  for (FilterLayout layout : {FilterLayout::kSpread, FilterLayout::kBlocked}) {
    EXPECT_FALSE(BloomFilter::Parse("", layout).has_value());
    EXPECT_FALSE(BloomFilter::Parse(std::string(64, '\0') + "\x1F", layout).has_value());  // k = 31
    EXPECT_FALSE(BloomFilter::Parse(std::string(2, '\0') + "\x07", layout).has_value());  // too few
  }
  // The blocked layout is whole 64-byte blocks.
  EXPECT_FALSE(BloomFilter::Parse(std::string(65, '\0') + "\x07", FilterLayout::kBlocked));
  EXPECT_TRUE(BloomFilter::Parse(std::string(128, '\0') + "\x07", FilterLayout::kBlocked));
}

}  // namespace
}  // namespace eddy::compaction::bloom_filter_test
