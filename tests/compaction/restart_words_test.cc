// RestartWords narrows a block's search without changing its answer: for
// every target (present, absent, shorter or longer than the keys, with
// zero bytes, equal in the first eight bytes after the shared prefix), the
// narrowed Seek lands on the entry the full Seek lands on.
#include "compaction/restart_words.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "compaction/block_builder.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::restart_words_test {
namespace {

const std::string kPrefix("\x01table-\x00", 8);

// Keys that begin with kPrefix; many share the next eight bytes, so the
// word search has ties for the block's search to settle.
std::string RandomSuffix(std::mt19937_64& rng) {
  std::string s;
  const std::size_t len = rng() % 14;
  for (std::size_t i = 0; i < len; ++i) {
    const std::uint64_t r = rng();
    s.push_back(static_cast<char>(i < 8 && r % 3 == 0 ? 'k' : (r % 5 == 0 ? 0 : (r >> 8) % 4)));
  }
  return s;
}

struct Fixture {
  std::set<std::string> keys;
  std::string contents;
  std::optional<Block> block;
};

void BuildBlock(Fixture* f, std::uint32_t restart_interval, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (f->keys.size() < 3000)
    f->keys.insert(kPrefix + RandomSuffix(rng));
  BlockBuilder builder(restart_interval);
  for (const std::string& k : f->keys)
    builder.Add(k, "v");
  f->contents = std::string(builder.Finish());
  f->block = Block::Parse(f->contents);
  ASSERT_TRUE(f->block.has_value());
}

void ExpectSameSeek(const Block& block, const RestartWords& words, const std::string& target) {
  Block::Iter full(&block);
  full.Seek(target);
  Block::Iter narrowed(&block);
  const RestartWords::Range r = words.Narrow(target);
  ASSERT_LE(r.first, r.last);
  narrowed.Seek(target, r.first, r.last);
  ASSERT_EQ(narrowed.Valid(), full.Valid()) << ::testing::PrintToString(target);
  EXPECT_FALSE(narrowed.corrupt());
  if (full.Valid()) {
    EXPECT_EQ(narrowed.key(), full.key()) << ::testing::PrintToString(target);
  }
}

TEST(RestartWords, NarrowedSeeksLandWhereFullSeeksLand) {
  for (std::uint32_t interval : {1u, 4u, 16u}) {
    SCOPED_TRACE(interval);
    Fixture f;
    BuildBlock(&f, interval, 100 + interval);
    std::optional<RestartWords> words = RestartWords::Build(*f.block, kPrefix.size());
    ASSERT_TRUE(words.has_value());
    for (const std::string& k : f.keys)
      ExpectSameSeek(*f.block, *words, k);
    std::mt19937_64 rng(7 + interval);
    for (int i = 0; i < 20'000; ++i)
      ExpectSameSeek(*f.block, *words, kPrefix + RandomSuffix(rng));
    // Around the ends: the prefix alone, and past the last key.
    ExpectSameSeek(*f.block, *words, kPrefix);
    ExpectSameSeek(*f.block, *words, kPrefix + std::string(20, '\xff'));
  }
}

TEST(RestartWords, WithoutASharedPrefixTheWordsAreTheKeysOwnFirstBytes) {
  Fixture f;
  BuildBlock(&f, 1, 5);
  std::optional<RestartWords> words = RestartWords::Build(*f.block, 0);
  ASSERT_TRUE(words.has_value());
  std::mt19937_64 rng(9);
  for (int i = 0; i < 5'000; ++i)
    ExpectSameSeek(*f.block, *words, kPrefix + RandomSuffix(rng));
}

TEST(RestartWords, AnEmptyBlockNarrowsToNothing) {
  std::optional<Block> empty = Block::Parse(std::string(BlockBuilder(16).Finish()));
  ASSERT_TRUE(empty.has_value());
  std::optional<RestartWords> words = RestartWords::Build(*empty, 0);
  ASSERT_TRUE(words.has_value());
  Block::Iter it(&*empty);
  const RestartWords::Range r = words->Narrow("x");
  it.Seek("x", r.first, r.last);
  EXPECT_FALSE(it.Valid());
  EXPECT_FALSE(it.corrupt());
}

}  // namespace
}  // namespace eddy::compaction::restart_words_test
