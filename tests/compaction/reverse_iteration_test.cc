// Backward iteration: TableReader::NewReverseIterator (blocks walked with
// Block::Iter::Prev from their restart points) and a descending
// MergingIterator, checked against a std::map model walked backward; damage
// met while walking backward is Corruption, as forward.
#include <gtest/gtest.h>

#include <random>

#include "compaction/merging_iterator.h"
#include "compaction/table_reader.h"
#include "support/mem_env.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::reverse_iteration_test {
namespace {

using testing::ExpectSameEntry;
using testing::Model;

std::unique_ptr<TableReader> WriteAndOpen(wal::Env* env, const std::string& path,
                                          const Model& model, std::uint32_t block_bytes,
                                          std::uint64_t number, BlockCache* cache) {
  TableWriteOptions w{.env = env, .path = path};
  w.block_bytes = block_bytes;
  EXPECT_TRUE(testing::WriteModel(w, model).ok());
  auto table = TableReader::Open(env, path, number, cache);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return std::move(table).value();
}

// From `it` positioned by a backward seek, expects the model's keys below
// `upper` (all when empty), descending, for at most `steps` entries.
void ExpectBackward(EntryIterator& it, const Model& model, const std::string* upper, int steps) {
  auto want = upper == nullptr ? model.end() : model.lower_bound(*upper);
  for (int i = 0; i < steps; ++i) {
    if (want == model.begin()) {
      EXPECT_FALSE(it.Valid());
      EXPECT_TRUE(it.status().ok()) << it.status().ToString();
      return;
    }
    --want;
    ASSERT_TRUE(it.Valid()) << it.status().ToString();
    ExpectSameEntry(it.entry(), want->second);
    it.Next();
  }
}

TEST(ReverseIteration, TableWalksBackwardAndSeeksBefore) {
  wal::testing::MemEnv env;
  for (std::uint32_t block_bytes : {64u, 512u, 4096u}) {
    SCOPED_TRACE("block_bytes " + std::to_string(block_bytes));
    const Model model = testing::RandomModel({.entries = 3000, .seed = block_bytes});
    auto table =
        WriteAndOpen(&env, "/t" + std::to_string(block_bytes), model, block_bytes, 1, nullptr);
    auto it = table->NewReverseIterator();
    it->SeekToFirst();
    ASSERT_NO_FATAL_FAILURE(ExpectBackward(*it, model, nullptr, 4000));
    std::mt19937_64 rng(block_bytes);
    for (int i = 0; i < 1500; ++i) {
      std::string target = testing::RandomKey(rng);
      if (i % 3 == 0) target = std::next(model.begin(), rng() % model.size())->first;
      if (i == 0) target = model.begin()->first;  // nothing before the first key
      if (i == 1) target = std::string(40, '\xff');
      it->Seek(target);
      ASSERT_NO_FATAL_FAILURE(ExpectBackward(*it, model, &target, 40));
    }
  }
}

TEST(ReverseIteration, DescendingMergeNewestSourceWins) {
  wal::testing::MemEnv env;
  BlockCache cache(1 << 20);
  std::vector<Model> sources;
  std::vector<std::unique_ptr<TableReader>> tables;
  std::vector<std::unique_ptr<EntryIterator>> its;
  Model expected;  // newest first: the first source that has a key decides
  for (int s = 0; s < 4; ++s) {
    Model m = testing::RandomModel(
        {.entries = 1500, .deletion_fraction = 0.3, .seed = static_cast<std::uint64_t>(s % 2 + 1)});
    // Sources 0/2 and 1/3 share keys; values differ by source.
    for (auto& [k, e] : m) {
      e.lsn = 100 - static_cast<std::uint64_t>(s);
      if (!e.deletion) e.value += static_cast<char>('A' + s);
    }
    for (const auto& [k, e] : m) {
      if (expected.count(k) == 0) expected.emplace(k, e);
    }
    tables.push_back(WriteAndOpen(&env, "/m" + std::to_string(s), m, 512,
                                  static_cast<std::uint64_t>(s + 1), &cache));
    its.push_back(tables.back()->NewReverseIterator());
  }
  Model live;
  for (const auto& [k, e] : expected) {
    if (!e.deletion) live.emplace(k, e);
  }
  MergingIterator merged(std::move(its), /*drop_deletions=*/true, /*descending=*/true);
  merged.SeekToFirst();
  ASSERT_NO_FATAL_FAILURE(ExpectBackward(merged, live, nullptr, 10'000));
  std::mt19937_64 rng(9);
  for (int i = 0; i < 300; ++i) {
    const std::string target = std::next(expected.begin(), rng() % expected.size())->first;
    merged.Seek(target);
    ASSERT_NO_FATAL_FAILURE(ExpectBackward(merged, live, &target, 20));
  }
}

TEST(ReverseIteration, DamageMetBackwardIsCorruption) {
  wal::testing::MemEnv env;
  const Model model = testing::RandomModel({.entries = 2000, .seed = 5});
  TableWriteOptions w{.env = &env, .path = "/d"};
  w.direct_io = false;
  ASSERT_TRUE(testing::WriteModel(w, model).ok());
  {
    auto bytes = env.ReadFileForTest("/d");
    ASSERT_TRUE(bytes.ok());
    (*bytes)[10] = static_cast<char>((*bytes)[10] ^ 0x20);  // inside the first data block
    ASSERT_TRUE(env.WriteFileForTest("/d", *bytes).ok());
  }
  auto table = TableReader::Open(&env, "/d", 1, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto it = (*table)->NewReverseIterator();
  std::size_t seen = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    ++seen;
  EXPECT_LT(seen, model.size());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
  EXPECT_NE(it->status().ToString().find("offset 0"), std::string::npos) << it->status().ToString();
}

}  // namespace
}  // namespace eddy::compaction::reverse_iteration_test
