// MergingIterator against a std::map model: overlapping sources, newest
// source wins, tombstones kept or dropped, seeks, and error propagation.
#include "compaction/merging_iterator.h"

#include <gtest/gtest.h>

#include <random>

#include "compaction/table_reader.h"
#include "support/mem_env.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::merging_iterator_test {
namespace {

using testing::Model;
using testing::VectorIterator;

// `count` sources over a small key space so they overlap heavily; source 0
// is the newest (highest LSNs).
std::vector<Model> OverlappingSources(int count, int keys_each, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Model> sources(count);
  for (int s = 0; s < count; ++s) {
    while (static_cast<int>(sources[s].size()) < keys_each) {
      OwnedTableEntry e;
      e.key = "k" + std::to_string(rng() % (keys_each * 3));
      e.lsn = static_cast<Lsn>((count - s) * 1'000'000 + rng() % 1000);
      e.deletion = rng() % 4 == 0;
      if (!e.deletion) e.value = "s" + std::to_string(s) + "-" + std::to_string(rng() % 100);
      std::string key = e.key;
      sources[s].emplace(std::move(key), std::move(e));
    }
  }
  return sources;
}

Model Expected(const std::vector<Model>& sources, bool drop_deletions) {
  Model merged;
  for (const Model& source : sources)  // newest first: emplace keeps the first
    for (const auto& [key, e] : source)
      merged.emplace(key, e);
  if (drop_deletions) std::erase_if(merged, [](const auto& kv) { return kv.second.deletion; });
  return merged;
}

std::unique_ptr<MergingIterator> Merge(const std::vector<Model>& sources, bool drop_deletions) {
  std::vector<std::unique_ptr<EntryIterator>> its;
  for (const Model& m : sources)
    its.push_back(std::make_unique<VectorIterator>(VectorIterator::FromMap(m)));
  return std::make_unique<MergingIterator>(std::move(its), drop_deletions);
}

void ExpectMatches(EntryIterator& it, const Model& want, std::uint64_t seed) {
  auto expected = want.begin();
  for (it.SeekToFirst(); it.Valid(); it.Next(), ++expected) {
    ASSERT_NE(expected, want.end());
    testing::ExpectSameEntry(it.entry(), expected->second);
  }
  EXPECT_TRUE(it.status().ok());
  EXPECT_EQ(expected, want.end());

  std::mt19937_64 rng(seed);
  for (int i = 0; i < 500; ++i) {
    std::string target = "k" + std::to_string(rng() % 1000);
    if (i % 5 == 0) target.push_back('~');  // between keys
    it.Seek(target);
    auto w = want.lower_bound(target);
    for (int step = 0; step < 4; ++step, ++w) {
      if (w == want.end()) {
        EXPECT_FALSE(it.Valid());
        break;
      }
      ASSERT_TRUE(it.Valid());
      testing::ExpectSameEntry(it.entry(), w->second);
      it.Next();
    }
  }
}

TEST(MergingIterator, NewestSourceWinsAndTombstonesAreKept) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    auto sources = OverlappingSources(5, 200, seed);
    auto merged = Merge(sources, false);
    ExpectMatches(*merged, Expected(sources, false), seed);
  }
}

TEST(MergingIterator, DropDeletionsHidesOlderVersionsToo) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    auto sources = OverlappingSources(5, 200, seed);
    auto merged = Merge(sources, true);
    Model want = Expected(sources, true);
    ExpectMatches(*merged, want, seed);
    // A key deleted in the newest source but live in an older one is gone.
    for (const auto& [key, e] : sources[0]) {
      if (e.deletion) {
        EXPECT_EQ(want.count(key), 0u);
      }
    }
  }
}

TEST(MergingIterator, NoSourcesAndEmptySources) {
  MergingIterator none({});
  none.SeekToFirst();
  EXPECT_FALSE(none.Valid());
  EXPECT_TRUE(none.status().ok());

  std::vector<Model> sources = {{}, OverlappingSources(1, 10, 3)[0], {}};
  auto merged = Merge(sources, false);
  ExpectMatches(*merged, Expected(sources, false), 3);
}

TEST(MergingIterator, AllDeletedWithDropDeletionsIsEmpty) {
  Model only_tombstones;
  for (int i = 0; i < 10; ++i)
    only_tombstones["k" + std::to_string(i)] = {"k" + std::to_string(i), 9, true, ""};
  auto merged = Merge({only_tombstones, OverlappingSources(1, 10, 4)[0]}, true);
  merged->Seek("k");
  // Only keys the tombstones do not cover may remain.
  for (; merged->Valid(); merged->Next())
    EXPECT_EQ(only_tombstones.count(std::string(merged->entry().key)), 0u);
  EXPECT_TRUE(merged->status().ok());
}

TEST(MergingIterator, SourceErrorStopsTheMerge) {
  auto sources = OverlappingSources(3, 100, 5);
  std::vector<std::unique_ptr<EntryIterator>> its;
  for (int s = 0; s < 3; ++s) {
    auto it = std::make_unique<VectorIterator>(VectorIterator::FromMap(sources[s]));
    if (s == 1) it->FailAfter(30);
    its.push_back(std::move(it));
  }
  MergingIterator merged(std::move(its));
  int n = 0;
  for (merged.SeekToFirst(); merged.Valid(); merged.Next())
    ++n;
  EXPECT_TRUE(merged.status().IsIOError()) << merged.status().ToString();
  EXPECT_LT(n, 200);
}

TEST(MergingIterator, MergesTableFiles) {
  wal::testing::MemEnv env;
  auto sources = OverlappingSources(4, 3000, 6);
  std::vector<std::unique_ptr<TableReader>> tables;
  std::vector<std::unique_ptr<EntryIterator>> its;
  BlockCache cache(1 << 20);
  for (int s = 0; s < 4; ++s) {
    std::string path = "/" + std::to_string(s) + ".sst";
    ASSERT_TRUE(testing::WriteModel({.env = &env, .path = path}, sources[s]).ok());
    auto table = TableReader::Open(&env, path, s + 1, &cache);
    ASSERT_TRUE(table.ok());
    its.push_back((*table)->NewIterator());
    tables.push_back(std::move(table).value());
  }
  MergingIterator merged(std::move(its), true);
  ExpectMatches(merged, Expected(sources, true), 6);
}

}  // namespace
}  // namespace eddy::compaction::merging_iterator_test
