// Bloom filter: no false negatives, and a false-positive rate close to the
// one the bits per key promise.
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

double FalsePositiveRate(std::uint32_t bits_per_key, int n) {
  BloomFilterBuilder builder(bits_per_key);
  for (int i = 0; i < n; ++i)
    builder.AddKey(Key(i));
  std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish());
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

TEST(BloomFilter, NoFalseNegativesAndAboutOnePercentAtTenBitsPerKey) {
  // Theory for k = 7, 10 bits per key: 0.82%.
  double rate = FalsePositiveRate(10, 100'000);
  EXPECT_GT(rate, 0.004);
  EXPECT_LT(rate, 0.015);
}

TEST(BloomFilter, MoreBitsPerKeyMeansFewerFalsePositives) {
  // Theory for 20 bits per key, k = 14: 0.0067%.
  EXPECT_LT(FalsePositiveRate(20, 50'000), 0.0005);
  // Theory for 5 bits per key, k = 3: 9.2%.
  double rate = FalsePositiveRate(5, 50'000);
  EXPECT_GT(rate, 0.06);
  EXPECT_LT(rate, 0.13);
}

TEST(BloomFilter, SmallSetsStillWork) {
  for (int n : {0, 1, 3}) {
    BloomFilterBuilder builder(10);
    for (int i = 0; i < n; ++i)
      builder.AddKey(Key(i));
    std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish());
    ASSERT_TRUE(filter.has_value());
    for (int i = 0; i < n; ++i)
      EXPECT_TRUE(filter->MayContain(Key(i)));
  }
}

TEST(BloomFilter, ZeroBitsPerKeyAnswersMaybe) {
  BloomFilterBuilder builder(0);
  builder.AddKey("a");
  std::optional<BloomFilter> filter = BloomFilter::Parse(builder.Finish());
  ASSERT_TRUE(filter.has_value());
  EXPECT_TRUE(filter->MayContain("anything"));
}

TEST(BloomFilter, RejectsMalformedContents) {
  EXPECT_FALSE(BloomFilter::Parse("").has_value());
  EXPECT_FALSE(BloomFilter::Parse(std::string(8, '\0') + "\x1F").has_value());  // k = 31
  EXPECT_FALSE(BloomFilter::Parse(std::string(2, '\0') + "\x07").has_value());  // too few bits
}

}  // namespace
}  // namespace eddy::compaction::bloom_filter_test
