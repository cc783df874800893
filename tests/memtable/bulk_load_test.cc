#include "memtable/bulk_load.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "memtable/memtable.h"
#include "memtable/skiplist.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::memtable::bulk_load_test {
namespace {

struct Change {
  std::string key;
  Lsn lsn = 0;
  bool deletion = false;
  std::string item;
};

// Keys of varying length, some prefixes of others, with many repeats.
std::string RandomKey(std::mt19937_64& rng, std::uint64_t distinct) {
  const std::uint64_t n = rng() % distinct;
  std::string key = "k" + std::to_string(n);
  if (n % 7 == 0) key.append(n % 3, '\0');  // embedded zero bytes sort first
  if (n % 11 == 0) key = key.substr(0, 2);  // a prefix of others
  return key;
}

std::vector<Change> RandomChanges(std::uint64_t seed, int count, std::uint64_t distinct) {
  std::mt19937_64 rng(seed);
  std::vector<Change> changes;
  Lsn lsn = 1;
  for (int i = 0; i < count; ++i) {
    Change c;
    c.key = RandomKey(rng, distinct);
    // A log record may carry several changes (same LSN), even to one key.
    if (rng() % 4 != 0) ++lsn;
    c.lsn = lsn;
    c.deletion = rng() % 5 == 0;
    if (!c.deletion) c.item = std::string(rng() % 40, static_cast<char>('a' + i % 26));
    changes.push_back(std::move(c));
  }
  return changes;
}

void Apply(const Change& c, Memtable* table) {
  if (c.deletion) {
    table->Delete(c.key, c.lsn);
  } else {
    table->Put(c.key, c.lsn, c.item);
  }
}

void Apply(const Change& c, BulkLoad* load) {
  // The caller's bytes die right after the call, as replay's do.
  std::string key = c.key;
  std::string item = c.item;
  if (c.deletion) {
    load->Delete(key, c.lsn);
  } else {
    load->Put(key, c.lsn, item);
  }
  key.assign(key.size(), '#');
  item.assign(item.size(), '#');
}

// Same keys in the same order, each with the same newest version.
void ExpectSameContents(const Memtable& want, const Memtable& got) {
  EXPECT_EQ(want.KeyCount(), got.KeyCount());
  Memtable::Iterator w(&want);
  Memtable::Iterator g(&got);
  std::size_t keys = 0;
  for (w.SeekToFirst(), g.SeekToFirst(); w.Valid(); w.Next(), g.Next(), ++keys) {
    ASSERT_TRUE(g.Valid()) << "missing key " << w.key();
    ASSERT_EQ(w.key(), g.key());
    ASSERT_NE(g.version(), nullptr) << g.key();
    EXPECT_EQ(w.version()->lsn(), g.version()->lsn()) << g.key();
    EXPECT_EQ(w.version()->is_deletion(), g.version()->is_deletion()) << g.key();
    EXPECT_EQ(w.version()->value(), g.version()->value()) << g.key();
    EXPECT_EQ(got.Get(w.key()), g.version());
  }
  EXPECT_FALSE(g.Valid()) << "extra key " << g.key();
  EXPECT_EQ(keys, want.KeyCount());
  // Backwards too: every tower level is linked in order.
  for (w.SeekToLast(), g.SeekToLast(); w.Valid() && g.Valid(); w.Prev(), g.Prev()) {
    ASSERT_EQ(w.key(), g.key());
  }
  EXPECT_FALSE(w.Valid());
  EXPECT_FALSE(g.Valid());
}

class BulkLoadBatches : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BulkLoadBatches, MatchesSequentialPutsAndDeletes) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<Change> changes = RandomChanges(seed, 20000, 3000);
    Memtable want;
    // With a key filter (4 KiB for 3,000 keys): a key the load installs must
    // be in it, or Get (which ExpectSameContents checks) would miss the key.
    Memtable got(4u << 20, 4096);
    // Some keys are in the memtable before the load starts.
    for (std::size_t i = 0; i < 500; ++i) {
      Apply(changes[i], &want);
      Apply(changes[i], &got);
    }
    BulkLoad load(&got, GetParam());
    for (std::size_t i = 500; i < changes.size(); ++i) {
      Apply(changes[i], &want);
      Apply(changes[i], &load);
      // Finish in the middle as well: the load goes on afterwards.
      if (i == changes.size() / 2) load.Finish();
    }
    load.Finish();
    EXPECT_EQ(load.pending(), 0u);
    ExpectSameContents(want, got);
  }
}

INSTANTIATE_TEST_SUITE_P(BatchChanges, BulkLoadBatches,
                         ::testing::Values(1, 2, 7, 64, 4096, BulkLoad::kDefaultBatchChanges));

TEST(BulkLoad, ChangesAreVisibleAfterFinish) {
  Memtable table;
  BulkLoad load(&table, 100);
  load.Put("b", 1, "one");
  load.Delete("a", 2);
  EXPECT_EQ(load.pending(), 2u);
  EXPECT_EQ(table.Get("b"), nullptr);
  load.Finish();
  ASSERT_NE(table.Get("b"), nullptr);
  EXPECT_EQ(table.Get("b")->value(), "one");
  ASSERT_NE(table.Get("a"), nullptr);
  EXPECT_TRUE(table.Get("a")->is_deletion());
  EXPECT_EQ(table.KeyCount(), 2u);
}

TEST(BulkLoad, TheLastOfEqualKeysWinsEvenAtOneLsn) {
  Memtable table;
  BulkLoad load(&table);
  load.Put("k", 5, "first");
  load.Put("j", 5, "other");
  load.Put("k", 5, "second");
  load.Delete("j", 6);
  load.Put("j", 6, "back");
  load.Finish();
  EXPECT_EQ(table.Get("k")->value(), "second");
  EXPECT_EQ(table.Get("j")->value(), "back");
  EXPECT_EQ(table.Get("j")->lsn(), 6u);
}

TEST(BulkLoad, KeysLongerThanTheBatchBuffer) {
  Memtable table;
  BulkLoad load(&table, 1);  // a key buffer of a few dozen bytes
  const std::string long_key(5000, 'x');
  load.Put("a", 1, "small");
  load.Put(long_key, 2, "big");
  load.Put(long_key + "y", 3, "bigger");
  load.Finish();
  EXPECT_EQ(table.Get(long_key)->value(), "big");
  EXPECT_EQ(table.Get(long_key + "y")->value(), "bigger");
  EXPECT_EQ(table.Get("a")->value(), "small");
}

TEST(BulkLoad, UsesAboutTheMemoryOfSequentialPuts) {
  // Same versions and nodes in the arena; only tower heights (random) and
  // block rounding differ.
  const std::vector<Change> changes = RandomChanges(9, 100000, 20000);
  Memtable want(64 << 10);
  Memtable got(64 << 10);
  BulkLoad load(&got, 4096);
  for (const Change& c : changes) {
    Apply(c, &want);
    Apply(c, &load);
  }
  load.Finish();
  const double ratio = static_cast<double>(got.MemoryBytes()) / want.MemoryBytes();
  EXPECT_GT(ratio, 0.97);
  EXPECT_LT(ratio, 1.03);
}

std::string NumberKey(std::uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%010llu", static_cast<unsigned long long>(n));
  return buf;
}

TEST(SkipList, FindNearLeavesTheSpliceFindWithSpliceWould) {
  Arena arena;
  SkipList list(&arena);
  std::mt19937_64 rng(3);
  // Enough keys for towers of several levels.
  for (int i = 0; i < 50000; ++i) {
    bool inserted;
    list.FindOrInsert(NumberKey(rng() % 1000000 * 2), &inserted);
  }
  // Sorted probes, present and absent (odd numbers never are), with gaps
  // of every size.
  std::vector<std::uint64_t> probes;
  for (int i = 0; i < 3000; ++i)
    probes.push_back(rng() % 2000002);
  std::sort(probes.begin(), probes.end());
  probes.erase(std::unique(probes.begin(), probes.end()), probes.end());
  SkipList::Splice near;
  bool first = true;
  for (std::uint64_t p : probes) {
    const std::string key = NumberKey(p);
    SkipList::Splice full;
    SkipList::Node* want = list.FindWithSplice(key, &full);
    SkipList::Node* got = first ? list.FindWithSplice(key, &near) : list.FindNear(key, &near);
    first = false;
    ASSERT_EQ(want, got) << key;
    for (int level = 0; level < SkipList::kMaxHeight; ++level) {
      ASSERT_EQ(full.prev[level], near.prev[level]) << key << " level " << level;
      ASSERT_EQ(full.next[level], near.next[level]) << key << " level " << level;
    }
    // Inserting at the splice keeps it usable for the next, larger key.
    if (got == nullptr && p % 3 == 0) list.InsertAt(key, &near);
  }
  // The list is still ordered and holds what was inserted.
  std::string last;
  std::size_t count = 0;
  for (SkipList::Node* n = list.First(); n != nullptr; n = n->Next(0), ++count) {
    ASSERT_LT(last, std::string(n->key()));
    last = std::string(n->key());
  }
  EXPECT_EQ(count, list.size());
}

}  // namespace
}  // namespace eddy::memtable::bulk_load_test
