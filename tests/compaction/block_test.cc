// Block format: BlockBuilder output read back by Block::Iter, including
// seeks that land on and between restart points, shared prefixes, an empty
// first key, and malformed contents.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "compaction/block.h"
#include "compaction/block_builder.h"
#include "compaction/format.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::block_test {
namespace {

Block BuildBlock(const std::map<std::string, std::string>& kv, std::uint32_t restart_interval) {
  BlockBuilder builder(restart_interval);
  for (const auto& [k, v] : kv)
    builder.Add(k, v);
  std::optional<Block> block = Block::Parse(std::string(builder.Finish()));
  EXPECT_TRUE(block.has_value());
  return std::move(*block);
}

std::map<std::string, std::string> PrefixedKeys(int n) {
  std::map<std::string, std::string> kv;
  for (int i = 0; i < n; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "user/%06d", i * 3);
    kv[key] = "v" + std::to_string(i);
  }
  return kv;
}

// A block small enough for std::string's inline buffer moves its bytes
// with it: the moved-to block must read its own copy, and so must a block
// moved again by assignment.
TEST(Block, MovedBlocksReadTheirOwnBytes) {
  std::map<std::string, std::string> kv = {{"a", "1"}};
  Block first = BuildBlock(kv, 16);
  ASSERT_LT(first.size(), 16u) << "meant to test a short-string block";
  Block moved(std::move(first));
  Block assigned = BuildBlock({{"b", "2"}}, 16);
  assigned = std::move(moved);
  Block::Iter it(&assigned);
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "a");
  EXPECT_EQ(it.value(), "1");
  it.Next();
  EXPECT_FALSE(it.Valid());
  EXPECT_FALSE(it.corrupt());
}

TEST(Block, ParsedInPlaceOverBytesItDoesNotOwn) {
  auto kv = PrefixedKeys(100);
  BlockBuilder builder(16);
  for (const auto& [k, v] : kv)
    builder.Add(k, v);
  auto bytes = std::make_shared<const std::string>(builder.Finish());
  std::optional<Block> block = Block::ParseMapped(*bytes, bytes);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->size(), bytes->size());
  bytes.reset();  // the block keeps them alive
  Block::Iter it(&*block);
  auto want = kv.begin();
  for (it.SeekToFirst(); it.Valid(); it.Next(), ++want) {
    ASSERT_NE(want, kv.end());
    EXPECT_EQ(it.key(), want->first);
    EXPECT_EQ(it.value(), want->second);
  }
  EXPECT_EQ(want, kv.end());
  EXPECT_FALSE(it.corrupt());
  // A restart count that does not fit is refused in place as it is in a copy.
  auto bad = std::make_shared<const std::string>("\x00\x00\x00\x00\x09\x00\x00\x00", 8);
  EXPECT_FALSE(Block::ParseMapped(*bad, bad).has_value());
}

TEST(Block, RoundTripsEveryRestartInterval) {
  auto kv = PrefixedKeys(100);
  for (std::uint32_t interval : {1u, 2u, 16u, 1000u}) {
    Block block = BuildBlock(kv, interval);
    Block::Iter it(&block);
    auto expected = kv.begin();
    for (it.SeekToFirst(); it.Valid(); it.Next(), ++expected) {
      ASSERT_NE(expected, kv.end());
      EXPECT_EQ(it.key(), expected->first);
      EXPECT_EQ(it.value(), expected->second);
    }
    EXPECT_FALSE(it.corrupt());
    EXPECT_EQ(expected, kv.end()) << "interval " << interval;
  }
}

TEST(Block, SharedPrefixesShrinkTheBlock) {
  auto kv = PrefixedKeys(100);
  BlockBuilder whole(1), shared(16);
  for (const auto& [k, v] : kv) {
    whole.Add(k, v);
    shared.Add(k, v);
  }
  EXPECT_LT(shared.Finish().size() + 400, whole.Finish().size());
}

TEST(Block, SeekFindsFirstKeyAtOrAfterTarget) {
  auto kv = PrefixedKeys(100);  // keys user/000000, user/000003, ...
  for (std::uint32_t interval : {1u, 3u, 16u}) {
    Block block = BuildBlock(kv, interval);
    Block::Iter it(&block);
    for (int t = -1; t < 305; ++t) {
      char target[32];
      std::snprintf(target, sizeof(target), "user/%06d", t < 0 ? 0 : t);
      std::string tk = t < 0 ? std::string("a") : std::string(target);
      it.Seek(tk);
      auto expected = kv.lower_bound(tk);
      if (expected == kv.end()) {
        EXPECT_FALSE(it.Valid()) << tk;
        EXPECT_FALSE(it.corrupt());
      } else {
        ASSERT_TRUE(it.Valid()) << tk;
        EXPECT_EQ(it.key(), expected->first);
        // Next after a seek continues in order.
        it.Next();
        if (++expected != kv.end()) {
          ASSERT_TRUE(it.Valid());
          EXPECT_EQ(it.key(), expected->first);
        }
      }
    }
  }
}

TEST(Block, EmptyFirstKeyAndEmptyValues) {
  std::map<std::string, std::string> kv = {{"", ""}, {"a", ""}, {"ab", "x"}, {"b", ""}};
  Block block = BuildBlock(kv, 2);
  Block::Iter it(&block);
  it.Seek("");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "");
  it.Seek("aa");
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "ab");
  EXPECT_EQ(it.value(), "x");
}

TEST(Block, BinaryKeysWithZeroAndHighBytes) {
  std::map<std::string, std::string> kv;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string k(1 + rng() % 12, '\0');
    for (char& c : k)
      c = static_cast<char>(rng() % 4 == 0 ? 0 : (rng() % 2 ? 0xFF : rng()));
    kv[k] = std::string(rng() % 5, 'v');
  }
  Block block = BuildBlock(kv, 16);
  Block::Iter it(&block);
  for (const auto& [k, v] : kv) {
    it.Seek(k);
    ASSERT_TRUE(it.Valid());
    EXPECT_EQ(it.key(), k);
    EXPECT_EQ(it.value(), v);
  }
}

TEST(Block, EmptyBlockHasNoEntries) {
  BlockBuilder builder(16);
  std::optional<Block> block = Block::Parse(std::string(builder.Finish()));
  ASSERT_TRUE(block.has_value());
  Block::Iter it(&*block);
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.Seek("x");
  EXPECT_FALSE(it.Valid());
  EXPECT_FALSE(it.corrupt());
}

TEST(Block, RejectsRestartArrayLargerThanContents) {
  EXPECT_FALSE(Block::Parse(std::string("\x01\x00", 2)).has_value());
  EXPECT_FALSE(Block::Parse(std::string("\x05\x00\x00\x00", 4)).has_value());
  // Entries but no restart point.
  EXPECT_FALSE(Block::Parse(std::string("\x00\x01\x00"
                                        "a"
                                        "\x00\x00\x00\x00",
                                        8))
                   .has_value());
}

TEST(Block, MalformedEntryIsCorruptNeverOutOfBounds) {
  auto kv = PrefixedKeys(40);
  BlockBuilder builder(4);
  for (const auto& [k, v] : kv)
    builder.Add(k, v);
  std::string contents(builder.Finish());
  // Every single-byte damage to the entries either parses within bounds or
  // reports corruption; ASan/UBSan catch any stray read.
  std::size_t entries_end = contents.size() - 4 - 4 * 10;
  for (std::size_t i = 0; i < entries_end; ++i) {
    std::string damaged = contents;
    damaged[i] = static_cast<char>(0xFF);
    std::optional<Block> block = Block::Parse(damaged);
    ASSERT_TRUE(block.has_value());
    Block::Iter it(&*block);
    int n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next())
      ++n;
    EXPECT_LE(n, 200);
    it.Seek("user/000050");
  }
}

TEST(Block, RestartEntryClaimingASharedPrefixIsCorruptOnSeek) {
  // The binary search reads restart keys in place: one that says it shares
  // bytes with a previous key has no previous key to share with.
  BlockBuilder builder(1);
  for (std::string_view k : {"a", "b", "c"})
    builder.Add(k, "v");
  std::string contents(builder.Finish());
  std::optional<Block> intact = Block::Parse(contents);
  ASSERT_TRUE(intact.has_value());
  Block::Iter ok(&*intact);
  ok.Seek("c");
  ASSERT_TRUE(ok.Valid());
  EXPECT_EQ(ok.key(), "c");

  const std::size_t second = DecodeFixed32(contents.data() + contents.size() - 4 - 4 * 2);
  ASSERT_EQ(contents[second], '\0');  // entry "b": shared 0
  contents[second] = 1;
  std::optional<Block> damaged = Block::Parse(contents);
  ASSERT_TRUE(damaged.has_value());
  Block::Iter it(&*damaged);
  it.Seek("c");
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.corrupt());
}

}  // namespace
}  // namespace eddy::compaction::block_test
