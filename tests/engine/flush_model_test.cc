// The randomized flush run (docs/flush_and_compaction.md), with a 64 KiB
// memtable budget so that a short run makes dozens of files: after every
// batch of writes and after every reopen, against a std::map model, Get of
// every key, Query with every sort-key condition in both directions with
// limits (paged to the end; items up to 100 KB so the 1 MB page size matters
// too), Scan with segments, the item count; then compaction to the end and
// the same checks again.
//
// Reproduce a run: EDDY_FLUSH_SEED=<seed printed at the start>.
#include <random>
#include <set>

#include "tests/engine/flush_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::flush_model_test {
namespace {

using namespace flush_testing;  // NOLINT: the test's own vocabulary

// ---- The randomized run.

class FlushModelTest : public FlushTest {
 protected:
  Key RandomKey() {
    return {static_cast<int>(rng_() % kPartitions), SortKey(static_cast<int>(rng_() % kSortKeys))};
  }
  std::size_t RandomPad() {
    const int r = static_cast<int>(rng_() % 100);
    if (r < 4) return 30'000 + rng_() % 70'000;
    if (r < 12) return 2'000 + rng_() % 6'000;
    return 20 + rng_() % 400;
  }

  void Writes(int n) {
    for (int i = 0; i < n; ++i) {
      const int r = static_cast<int>(rng_() % 100);
      if (r < 5) {  // a batch of distinct keys
        std::set<Key> used;
        std::vector<WriteOp> ops;
        std::vector<std::pair<Key, std::optional<Item>>> effects;
        while (ops.size() < 4) {
          Key k = RandomKey();
          if (!used.insert(k).second) continue;
          if (rng_() % 3 == 0) {
            ops.push_back(WriteOp::Delete(kTable, KeyItem(k)));
            effects.emplace_back(k, std::nullopt);
          } else {
            Item item = MakeItem(k, ++version_, RandomPad());
            ops.push_back(WriteOp::Put(kTable, item));
            effects.emplace_back(k, item);
          }
        }
        std::vector<WriteOutcome> outs;
        Status s = db_->WriteBatch(ops, &outs);
        ASSERT_TRUE(s.ok()) << s.ToString();
        for (auto& [k, item] : effects) {
          if (item) {
            model_[k] = *item;
          } else {
            model_.erase(k);
          }
        }
      } else if (r < 30) {
        Key k = RandomKey();
        Status s = db_->Write(WriteOp::Delete(kTable, KeyItem(k)), nullptr);
        ASSERT_TRUE(s.ok()) << s.ToString();
        model_.erase(k);
      } else {
        Key k = RandomKey();
        Item item = MakeItem(k, ++version_, RandomPad());
        WriteOp op = WriteOp::Put(kTable, item);
        op.return_values = ReturnValues::kAllOld;  // the old image may come from a file
        WriteOutcome out;
        Status s = db_->Write(op, &out);
        ASSERT_TRUE(s.ok()) << s.ToString();
        auto it = model_.find(k);
        if (it == model_.end()) {
          ASSERT_FALSE(out.attributes.has_value()) << k.sk;
        } else {
          ASSERT_TRUE(out.attributes.has_value()) << k.sk;
          ASSERT_TRUE(*out.attributes == it->second) << k.sk;
        }
        model_[k] = std::move(item);
      }
    }
  }

  std::optional<SortKeyCondition> RandomCondition() {
    const int r = static_cast<int>(rng_() % 8);
    if (r == 7) return std::nullopt;
    SortKeyCondition c;
    c.op = static_cast<SortKeyCondition::Op>(r);
    const int a = static_cast<int>(rng_() % kSortKeys);
    const int b = a + static_cast<int>(rng_() % 120);
    c.value = AttributeValue::S(SortKey(a));
    c.upper = AttributeValue::S(SortKey(b));
    if (c.op == SortKeyCondition::Op::kBeginsWith) {
      c.value = AttributeValue::S(SortKey(a).substr(0, 2 + rng_() % 3));
    }
    return c;
  }

  static bool Matches(const std::string& sk, const std::optional<SortKeyCondition>& c) {
    if (!c) return true;
    const std::string& v = c->value.AsString();
    switch (c->op) {
      case SortKeyCondition::Op::kEq:
        return sk == v;
      case SortKeyCondition::Op::kLt:
        return sk < v;
      case SortKeyCondition::Op::kLe:
        return sk <= v;
      case SortKeyCondition::Op::kGt:
        return sk > v;
      case SortKeyCondition::Op::kGe:
        return sk >= v;
      case SortKeyCondition::Op::kBetween:
        return sk >= v && sk <= c->upper.AsString();
      case SortKeyCondition::Op::kBeginsWith:
        return sk.compare(0, v.size(), v) == 0;
    }
    return false;
  }

  void CheckQuery(int pk, std::optional<SortKeyCondition> cond, bool forward, std::uint32_t limit) {
    std::vector<Item> want;
    for (const auto& [k, item] : model_) {
      if (k.pk == pk && Matches(k.sk, cond)) want.push_back(item);
    }
    if (!forward) std::reverse(want.begin(), want.end());
    QueryRequest q;
    q.table = kTable;
    q.partition_key = AttributeValue::S("p" + std::to_string(pk));
    q.sort_key = cond;
    q.forward = forward;
    q.limit = limit;
    // Items of at least 1 MB (as DynamoDB sizes them) cannot come back in
    // a page that was not cut by size.
    std::size_t want_bytes = 0;
    for (const Item& item : want)
      want_bytes += ItemSizeBytes(item);
    const bool over_a_page = limit == 0 && want_bytes >= kMaxPageBytes;
    if (over_a_page) ++queries_over_a_page_;
    bool cut_by_size = false;
    std::vector<Item> got;
    for (int page = 0; page < 10'000; ++page) {
      auto r = db_->Query(q);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      if (limit != 0) {
        ASSERT_LE(r->items.size(), limit);
      }
      std::size_t bytes = 0;
      for (const Item& item : r->items)
        bytes += item.Find("pad")->AsString().size();
      ASSERT_LE(bytes, (1u << 20) + 100'100u) << "a page holds at most 1 MB plus one item";
      got.insert(got.end(), r->items.begin(), r->items.end());
      if (r->last_evaluated_key && (limit == 0 || r->items.size() < limit)) {
        ++pages_cut_by_size_;
        cut_by_size = true;
      }
      if (!r->last_evaluated_key) break;
      q.exclusive_start_key = r->last_evaluated_key;
    }
    const std::string what = "Query p" + std::to_string(pk) +
                             " op=" + std::to_string(cond ? static_cast<int>(cond->op) : -1) +
                             " forward=" + std::to_string(forward) +
                             " limit=" + std::to_string(limit);
    ASSERT_EQ(got.size(), want.size()) << what;
    if (over_a_page) {
      EXPECT_TRUE(cut_by_size) << what << ": " << want_bytes << " bytes in one page";
    }
    for (std::size_t i = 0; i < got.size(); ++i)
      ASSERT_TRUE(got[i] == want[i]) << what << " position " << i;
  }

  void CheckScan(std::uint32_t segments, std::uint32_t limit) {
    Model seen;
    for (std::uint32_t seg = 0; seg < segments; ++seg) {
      ScanRequest s;
      s.table = kTable;
      s.segment = seg;
      s.total_segments = segments;
      s.limit = limit;
      for (int page = 0; page < 10'000; ++page) {
        auto r = db_->Scan(s);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        for (const Item& item : r->items)
          ASSERT_TRUE(seen.emplace(KeyOf(item), item).second) << "Scan returned an item twice";
        if (!r->last_evaluated_key) break;
        s.exclusive_start_key = r->last_evaluated_key;
      }
    }
    ASSERT_EQ(seen.size(), model_.size()) << "Scan segments=" << segments << " limit=" << limit;
    for (const auto& [k, item] : model_)
      ASSERT_TRUE(seen[k] == item) << "Scan " << k.sk;
  }

  void CheckAll(const std::string& when) {
    SCOPED_TRACE(when + ", EDDY_FLUSH_SEED=" + std::to_string(seed_));
    for (int pk = 0; pk < kPartitions; ++pk) {
      for (int sk = 0; sk < kSortKeys; ++sk) {
        const Key k{pk, SortKey(sk)};
        auto got = db_->Get(kTable, KeyItem(k));
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        auto it = model_.find(k);
        ASSERT_EQ(got->has_value(), it != model_.end()) << "Get " << k.sk;
        if (got->has_value()) {
          ASSERT_TRUE(**got == it->second) << "Get " << k.sk;
        }
      }
    }
    for (int pk = 0; pk < kPartitions; ++pk) {
      for (bool forward : {true, false}) {
        ASSERT_NO_FATAL_FAILURE(CheckQuery(pk, std::nullopt, forward, 0));
      }
    }
    for (int i = 0; i < 24; ++i) {
      static constexpr std::uint32_t kLimits[] = {0, 1, 7, 50};
      ASSERT_NO_FATAL_FAILURE(CheckQuery(static_cast<int>(rng_() % kPartitions), RandomCondition(),
                                         rng_() % 2 == 0, kLimits[rng_() % 4]));
    }
    ASSERT_NO_FATAL_FAILURE(CheckScan(1, 0));
    ASSERT_NO_FATAL_FAILURE(CheckScan(3, 37));
    auto desc = db_->DescribeTable(kTable);
    ASSERT_TRUE(desc.ok());
    EXPECT_EQ(desc->item_count, model_.size());
  }

  const std::uint64_t seed_ = Seed();
  std::mt19937_64 rng_{seed_};
  Model model_;
  std::uint64_t version_ = 0;
  std::uint64_t pages_cut_by_size_ = 0;    // Query pages the 1 MB rule ended
  std::uint64_t queries_over_a_page_ = 0;  // unlimited queries over >= 1 MB of items
};

TEST_F(FlushModelTest, ReadsThroughManyFilesMatchTheModel) {
  std::printf("[ flush    ] EDDY_FLUSH_SEED=%llu\n", static_cast<unsigned long long>(seed_));
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  for (int round = 1; round <= 8; ++round) {
    ASSERT_NO_FATAL_FAILURE(Writes(500));
    ASSERT_NO_FATAL_FAILURE(CheckAll("after round " + std::to_string(round)));
    if (round % 3 == 0) {
      ASSERT_TRUE(db_->Close().ok());
      ASSERT_NO_FATAL_FAILURE(Open());
      ASSERT_NO_FATAL_FAILURE(CheckAll("reopened after round " + std::to_string(round)));
    }
  }
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_NO_FATAL_FAILURE(CheckAll("after every flush"));
  const std::uint64_t flushes_since_open = impl()->FlushCount();
  ASSERT_TRUE(impl()->CompactUntilDone().ok());
  ASSERT_NO_FATAL_FAILURE(CheckAll("after compaction"));
  std::uint64_t live_bytes = 0;
  for (const auto& [k, item] : model_)
    live_bytes += item.Find("pad")->AsString().size();
  std::uint64_t file_bytes = 0;
  for (const std::string& f : TableFiles())
    file_bytes += std::filesystem::file_size(f);
  std::printf(
      "[ flush    ] %llu flushes since the last open, %zu table files after compaction, "
      "%zu items, %.2f file bytes per item payload byte\n",
      static_cast<unsigned long long>(flushes_since_open), impl()->TableFileCount(), model_.size(),
      static_cast<double>(file_bytes) / static_cast<double>(live_bytes));
  EXPECT_GT(flushes_since_open, 20u);
  EXPECT_LE(impl()->TableFileCount(), 6u);
  EXPECT_EQ(TableFiles().size(), impl()->TableFileCount()) << "merged files must be deleted";
  // Whether a partition ever held 1 MB depends on the seed; the default
  // one's does, so the size rule is exercised in the suite.
  if (queries_over_a_page_ > 0) {
    EXPECT_GT(pages_cut_by_size_, 0u);
  }
  if (seed_ == kDefaultSeed) {
    EXPECT_GT(queries_over_a_page_, 0u) << "the 1 MB page size never mattered";
  }
  ASSERT_TRUE(db_->Close().ok());
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CheckAll("reopened at the end"));
}

}  // namespace
}  // namespace eddy::flush_model_test
