#include "memtable/key_filter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::memtable::key_filter_test {
namespace {

std::string Key(std::uint64_t n) {
  return "item-" + std::to_string(n);
}

double FalsePositiveRate(const KeyFilter& filter, std::uint64_t first_absent, int probes) {
  int positives = 0;
  for (int i = 0; i < probes; ++i) {
    positives += filter.MayContain(blocked_bloom::KeyHash(Key(first_absent + i))) ? 1 : 0;
  }
  return static_cast<double>(positives) / probes;
}

TEST(KeyFilter, NeverForgetsAKey) {
  KeyFilter filter(64 << 10);
  for (std::uint64_t n = 0; n < 50000; ++n)
    filter.Add(blocked_bloom::KeyHash(Key(n)));
  for (std::uint64_t n = 0; n < 50000; ++n)
    ASSERT_TRUE(filter.MayContain(blocked_bloom::KeyHash(Key(n)))) << n;
}

TEST(KeyFilter, FalsePositivesFollowTheBitsPerKey) {
  // 64 KiB = 524,288 bits. At ~10 bits per key a one-cache-line filter with
  // 6 probes has about 1 % false positives; at ~100 bits per key almost none.
  KeyFilter ten_bits(64 << 10);
  KeyFilter hundred_bits(64 << 10);
  for (std::uint64_t n = 0; n < 52429; ++n)
    ten_bits.Add(blocked_bloom::KeyHash(Key(n)));
  for (std::uint64_t n = 0; n < 5243; ++n)
    hundred_bits.Add(blocked_bloom::KeyHash(Key(n)));
  const double ten = FalsePositiveRate(ten_bits, 1000000, 100000);
  const double hundred = FalsePositiveRate(hundred_bits, 1000000, 100000);
  EXPECT_LT(ten, 0.03);
  EXPECT_GT(ten, 0.002);  // a filter that answers "no" too often would pass the bound above
  EXPECT_LT(hundred, 0.001);
}

TEST(KeyFilter, BelowOneBlockItIsOff) {
  KeyFilter off(KeyFilter::kBlockBytes - 1);
  EXPECT_EQ(off.bytes(), 0u);
  off.Add(blocked_bloom::KeyHash("a"));
  EXPECT_TRUE(off.MayContain(blocked_bloom::KeyHash("never added")));
  KeyFilter one_block(KeyFilter::kBlockBytes);
  EXPECT_EQ(one_block.bytes(), KeyFilter::kBlockBytes);
  EXPECT_FALSE(one_block.MayContain(blocked_bloom::KeyHash("never added")));
}

TEST(KeyFilter, AddManySetsTheSameBitsAsAdd) {
  std::vector<std::string> keys;
  for (std::uint64_t n = 0; n < 1003; ++n)  // not a multiple of the look-ahead
    keys.push_back(Key(n));
  KeyFilter one_by_one(4096);
  KeyFilter many(4096);
  for (const std::string& k : keys)
    one_by_one.Add(blocked_bloom::KeyHash(k));
  many.AddMany(keys.size(), [&](std::size_t i) { return std::string_view(keys[i]); });
  for (std::uint64_t n = 0; n < 20000; ++n) {
    const std::uint64_t h = blocked_bloom::KeyHash(Key(n));
    ASSERT_EQ(one_by_one.MayContain(h), many.MayContain(h)) << n;
  }
}

TEST(KeyFilter, ConcurrentAddsAllLand) {
  // Threads OR bits into shared words: none may overwrite another's bits.
  KeyFilter filter(8192);  // small, so threads share blocks all the time
  constexpr int kThreads = 4;
  constexpr std::uint64_t kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&filter, t] {
      for (std::uint64_t i = 0; i < kPerThread; ++i)
        filter.Add(blocked_bloom::KeyHash(Key(i * kThreads + t)));
    });
  }
  for (std::thread& th : threads)
    th.join();
  for (std::uint64_t n = 0; n < kThreads * kPerThread; ++n)
    ASSERT_TRUE(filter.MayContain(blocked_bloom::KeyHash(Key(n)))) << n;
}

}  // namespace
}  // namespace eddy::memtable::key_filter_test
