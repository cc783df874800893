// Query and Scan pages: where a page ends and what LastEvaluatedKey says.
//
// DynamoDB ends a page once Limit items were read (before the filter) or 1 MB
// was read, without looking ahead: such a page carries the key of the last
// item read even when nothing follows, and the next page is empty and carries
// none. Only a page that ran out of data before filling up has no key.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "eddy/condition.h"
#include "eddy/db.h"
#include "engine/db_impl.h"
#include "support/temp_dir.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::query_scan_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

class QueryScanTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(std::uint64_t memtable_budget_bytes = 64ull << 20) {
    db_.reset();
    Options options;
    options.dir = dir_.path();
    options.sync_mode = SyncMode::kNone;
    options.wal_segment_bytes = 1 << 20;
    options.report_progress = false;
    options.memtable_budget_bytes = memtable_budget_bytes;
    auto db = Db::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    TableSpec spec;
    spec.name = "tbl";
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kN};
    auto created = db_->CreateTable(spec);
    ASSERT_TRUE(created.ok() || created.status().IsAlreadyExists()) << created.status().ToString();
  }

  // Items pk/1..count, each with `odd` set to whether sk is odd.
  void PutPartition(const std::string& pk, int count, std::size_t pad_bytes = 0) {
    for (int sk = 1; sk <= count; ++sk) {
      Item item =
          MakeItem({{"pk", S(pk)}, {"sk", N(sk)}, {"odd", AttributeValue::Bool(sk % 2 == 1)}});
      if (pad_bytes != 0) item.Set("pad", S(std::string(pad_bytes, 'x')));
      Status s = db_->Write(WriteOp::Put("tbl", std::move(item)));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  QueryRequest Query(const std::string& pk, std::uint32_t limit, bool forward = true) {
    QueryRequest q;
    q.table = "tbl";
    q.partition_key = S(pk);
    q.limit = limit;
    q.forward = forward;
    return q;
  }

  QueryResult Run(const QueryRequest& q) {
    auto r = db_->Query(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *std::move(r) : QueryResult{};
  }
  QueryResult Run(const ScanRequest& s) {
    auto r = db_->Scan(s);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *std::move(r) : QueryResult{};
  }

  static Item Key(const std::string& pk, std::int64_t sk) {
    return MakeItem({{"pk", S(pk)}, {"sk", N(sk)}});
  }
  static std::vector<AttributeValue> Sks(const QueryResult& r) {
    std::vector<AttributeValue> out;
    for (const Item& item : r.items)
      out.push_back(*item.Find("sk"));
    return out;
  }

  // Follows LastEvaluatedKey to the end; every page's items, in order.
  template <typename Request>
  std::vector<QueryResult> AllPages(Request req) {
    std::vector<QueryResult> pages;
    for (int guard = 0; guard < 10000; ++guard) {
      pages.push_back(Run(req));
      if (!pages.back().last_evaluated_key) return pages;
      req.exclusive_start_key = pages.back().last_evaluated_key;
    }
    ADD_FAILURE() << "paging did not end";
    return pages;
  }

  testing::TempDir dir_{"query_scan"};
  std::unique_ptr<Db> db_;
};

TEST_F(QueryScanTest, LimitEqualToTheMatchesGivesAKeyThenAnEmptyPage) {
  PutPartition("a", 5);
  PutPartition("b", 3);
  for (bool forward : {true, false}) {
    SCOPED_TRACE(forward ? "forward" : "backward");
    QueryRequest q = Query("a", 5, forward);
    QueryResult first = Run(q);
    ASSERT_EQ(first.items.size(), 5u);
    EXPECT_EQ(first.scanned_count, 5u);
    ASSERT_TRUE(first.last_evaluated_key.has_value());
    EXPECT_EQ(*first.last_evaluated_key, Key("a", forward ? 5 : 1));

    q.exclusive_start_key = first.last_evaluated_key;
    QueryResult second = Run(q);
    EXPECT_TRUE(second.items.empty());
    EXPECT_EQ(second.scanned_count, 0u);
    EXPECT_FALSE(second.last_evaluated_key.has_value());
  }
}

TEST_F(QueryScanTest, LimitEqualToTheMatchesOfASortKeyCondition) {
  PutPartition("a", 10);
  QueryRequest q = Query("a", 3);
  q.sort_key = SortKeyCondition{SortKeyCondition::Op::kBetween, N(4), N(6)};
  QueryResult first = Run(q);
  EXPECT_EQ(Sks(first), (std::vector<AttributeValue>{N(4), N(5), N(6)}));
  ASSERT_TRUE(first.last_evaluated_key.has_value());
  EXPECT_EQ(*first.last_evaluated_key, Key("a", 6));
  q.exclusive_start_key = first.last_evaluated_key;
  QueryResult second = Run(q);
  EXPECT_TRUE(second.items.empty());
  EXPECT_FALSE(second.last_evaluated_key.has_value());
}

TEST_F(QueryScanTest, LimitAboveTheMatchesGivesNoKey) {
  PutPartition("a", 5);
  PutPartition("b", 3);
  for (bool forward : {true, false}) {
    QueryResult r = Run(Query("a", 6, forward));
    EXPECT_EQ(r.items.size(), 5u);
    EXPECT_FALSE(r.last_evaluated_key.has_value());
    r = Run(Query("a", 0, forward));  // no limit
    EXPECT_EQ(r.items.size(), 5u);
    EXPECT_FALSE(r.last_evaluated_key.has_value());
  }
  QueryResult empty = Run(Query("nobody", 1));
  EXPECT_TRUE(empty.items.empty());
  EXPECT_FALSE(empty.last_evaluated_key.has_value());
}

TEST_F(QueryScanTest, PagingVisitsEveryItemOnceInBothDirections) {
  constexpr int kItems = 12;
  PutPartition("a", kItems);
  PutPartition("b", 4);
  for (bool forward : {true, false}) {
    for (std::uint32_t k = 1; k <= kItems + 2; ++k) {
      SCOPED_TRACE(std::string(forward ? "forward" : "backward") + " limit " + std::to_string(k));
      std::vector<QueryResult> pages = AllPages(Query("a", k, forward));
      // A page that fills up carries a key even at the end, so a limit
      // dividing the item count costs one empty page more.
      EXPECT_EQ(pages.size(), kItems / k + 1);
      std::vector<AttributeValue> seen;
      for (std::size_t i = 0; i < pages.size(); ++i) {
        const bool last = i + 1 == pages.size();
        EXPECT_EQ(pages[i].items.size(), last ? kItems % k : k);
        EXPECT_EQ(pages[i].last_evaluated_key.has_value(), !last);
        for (const AttributeValue& sk : Sks(pages[i]))
          seen.push_back(sk);
      }
      std::vector<AttributeValue> want;
      for (int sk = 1; sk <= kItems; ++sk)
        want.push_back(N(forward ? sk : kItems + 1 - sk));
      EXPECT_EQ(seen, want);
    }
  }
}

TEST_F(QueryScanTest, LimitCountsItemsReadBeforeTheFilter) {
  PutPartition("a", 10);
  const Condition odd = cond::Eq(Path("odd"), AttributeValue::Bool(true));

  QueryRequest q = Query("a", 4);
  q.filter = &odd;
  QueryResult r = Run(q);
  EXPECT_EQ(Sks(r), (std::vector<AttributeValue>{N(1), N(3)}));
  EXPECT_EQ(r.scanned_count, 4u);
  ASSERT_TRUE(r.last_evaluated_key.has_value());
  EXPECT_EQ(*r.last_evaluated_key, Key("a", 4));  // the last item read, which the filter dropped

  // A page the filter empties still ends at the limit and carries a key.
  const Condition none = cond::Eq(Path("odd"), S("never"));
  q.filter = &none;
  q.limit = 3;
  r = Run(q);
  EXPECT_TRUE(r.items.empty());
  EXPECT_EQ(r.scanned_count, 3u);
  ASSERT_TRUE(r.last_evaluated_key.has_value());
  EXPECT_EQ(*r.last_evaluated_key, Key("a", 3));

  // The last page: its last item read (sk 10) is filtered out, yet it is the
  // key returned; the page after it is empty and has none.
  q.filter = &odd;
  q.limit = 5;
  q.exclusive_start_key = Key("a", 5);
  r = Run(q);
  EXPECT_EQ(Sks(r), (std::vector<AttributeValue>{N(7), N(9)}));
  EXPECT_EQ(r.scanned_count, 5u);
  ASSERT_TRUE(r.last_evaluated_key.has_value());
  EXPECT_EQ(*r.last_evaluated_key, Key("a", 10));
  q.exclusive_start_key = r.last_evaluated_key;
  r = Run(q);
  EXPECT_TRUE(r.items.empty());
  EXPECT_EQ(r.scanned_count, 0u);
  EXPECT_FALSE(r.last_evaluated_key.has_value());

  // Paged with a filter, backwards: every odd item once, every item read once.
  q = Query("a", 3, /*forward=*/false);
  q.filter = &odd;
  std::vector<AttributeValue> seen;
  std::uint64_t scanned = 0;
  for (const QueryResult& page : AllPages(q)) {
    EXPECT_LE(page.scanned_count, 3u);
    scanned += page.scanned_count;
    for (const AttributeValue& sk : Sks(page))
      seen.push_back(sk);
  }
  EXPECT_EQ(seen, (std::vector<AttributeValue>{N(9), N(7), N(5), N(3), N(1)}));
  EXPECT_EQ(scanned, 10u);
}

TEST_F(QueryScanTest, ScanLimitEqualToTheTable) {
  PutPartition("a", 4);
  PutPartition("b", 3);
  ScanRequest s;
  s.table = "tbl";
  s.limit = 7;
  QueryResult first = Run(s);
  EXPECT_EQ(first.items.size(), 7u);
  ASSERT_TRUE(first.last_evaluated_key.has_value());
  s.exclusive_start_key = first.last_evaluated_key;
  QueryResult second = Run(s);
  EXPECT_TRUE(second.items.empty());
  EXPECT_FALSE(second.last_evaluated_key.has_value());

  s.exclusive_start_key.reset();
  s.limit = 8;
  QueryResult all = Run(s);
  EXPECT_EQ(all.items.size(), 7u);
  EXPECT_FALSE(all.last_evaluated_key.has_value());

  // With a filter the limit counts items read, across partitions.
  const Condition odd = cond::Eq(Path("odd"), AttributeValue::Bool(true));
  s.filter = &odd;
  s.limit = 7;
  QueryResult filtered = Run(s);
  EXPECT_EQ(filtered.items.size(), 4u);  // a1 a3 b1 b3
  EXPECT_EQ(filtered.scanned_count, 7u);
  EXPECT_TRUE(filtered.last_evaluated_key.has_value());
}

TEST_F(QueryScanTest, ScanSegmentsApplyTheLimitWithinTheSegment) {
  for (int p = 0; p < 40; ++p)
    PutPartition("p" + std::to_string(p), 2);
  constexpr std::uint32_t kSegments = 3;
  std::set<std::pair<std::string, std::string>> everything;
  for (std::uint32_t seg = 0; seg < kSegments; ++seg) {
    SCOPED_TRACE("segment " + std::to_string(seg));
    ScanRequest s;
    s.table = "tbl";
    s.segment = seg;
    s.total_segments = kSegments;
    QueryResult whole = Run(s);
    const std::size_t n = whole.items.size();
    ASSERT_GT(n, 4u);
    EXPECT_FALSE(whole.last_evaluated_key.has_value());
    EXPECT_EQ(whole.scanned_count, n);  // other segments' items are not counted

    // Limit = the segment's size: a key, then an empty page.
    s.limit = static_cast<std::uint32_t>(n);
    QueryResult exact = Run(s);
    EXPECT_EQ(exact.items.size(), n);
    ASSERT_TRUE(exact.last_evaluated_key.has_value());
    EXPECT_EQ(*exact.last_evaluated_key, MakeItem({{"pk", *whole.items.back().Find("pk")},
                                                   {"sk", *whole.items.back().Find("sk")}}));
    s.exclusive_start_key = exact.last_evaluated_key;
    QueryResult after = Run(s);
    EXPECT_TRUE(after.items.empty());
    EXPECT_FALSE(after.last_evaluated_key.has_value());

    s.exclusive_start_key.reset();
    s.limit = static_cast<std::uint32_t>(n + 1);
    EXPECT_FALSE(Run(s).last_evaluated_key.has_value());

    // Paged: the same items, once each.
    s.limit = 3;
    std::vector<Item> paged;
    std::vector<QueryResult> pages = AllPages(s);
    EXPECT_EQ(pages.size(), n / 3 + 1);
    for (const QueryResult& page : pages)
      paged.insert(paged.end(), page.items.begin(), page.items.end());
    EXPECT_EQ(paged, whole.items);
    for (const Item& item : whole.items) {
      EXPECT_TRUE(
          everything.emplace(item.Find("pk")->AsString(), item.Find("sk")->AsNumber().ToString())
              .second);
    }
  }
  EXPECT_EQ(everything.size(), 80u);
}

// Items of ~200 KB: five stay under 1 MB, the sixth crosses it.
TEST_F(QueryScanTest, APageEndsAtOneMegabyteWithAKey) {
  constexpr std::size_t kPad = 200'000;
  PutPartition("a", 12, kPad);
  for (bool forward : {true, false}) {
    SCOPED_TRACE(forward ? "forward" : "backward");
    std::vector<QueryResult> pages = AllPages(Query("a", 0, forward));
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0].items.size(), 6u);
    EXPECT_TRUE(pages[0].last_evaluated_key.has_value());
    EXPECT_EQ(pages[1].items.size(), 6u);  // ends on the last item, still by size
    EXPECT_TRUE(pages[1].last_evaluated_key.has_value());
    EXPECT_TRUE(pages[2].items.empty());
    EXPECT_FALSE(pages[2].last_evaluated_key.has_value());

    // A limit below the size bound wins; one above it does not matter.
    QueryResult r = Run(Query("a", 4, forward));
    EXPECT_EQ(r.items.size(), 4u);
    EXPECT_TRUE(r.last_evaluated_key.has_value());
    r = Run(Query("a", 100, forward));
    EXPECT_EQ(r.items.size(), 6u);
    EXPECT_TRUE(r.last_evaluated_key.has_value());
  }
  ScanRequest s;
  s.table = "tbl";
  std::vector<QueryResult> pages = AllPages(s);
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].items.size(), 6u);
  EXPECT_EQ(pages[1].items.size(), 6u);
  EXPECT_TRUE(pages[2].items.empty());
}

// Pages over items spread across table files and the memtable, with
// overwrites and deletes: the merge hides old versions and tombstones, and
// the limit counts only live items.
TEST_F(QueryScanTest, PagingOverTableFilesAndMemtables) {
  Open(/*memtable_budget_bytes=*/64 << 10);
  constexpr int kItems = 60;
  PutPartition("a", kItems, /*pad_bytes=*/3000);
  auto* impl = static_cast<engine::DbImpl*>(db_.get());
  ASSERT_TRUE(impl->WaitForFlushes().ok());
  ASSERT_GT(impl->FlushCount(), 0u);
  std::map<int, bool> live;
  for (int sk = 1; sk <= kItems; ++sk)
    live[sk] = true;
  for (int sk = 3; sk <= kItems; sk += 7) {
    ASSERT_TRUE(db_->Write(WriteOp::Delete("tbl", Key("a", sk))).ok());
    live.erase(sk);
  }
  for (int sk = 2; sk <= kItems; sk += 5) {
    ASSERT_TRUE(db_->Write(WriteOp::Put("tbl", MakeItem({{"pk", S("a")}, {"sk", N(sk)}}))).ok());
    live[sk] = true;
  }
  ASSERT_TRUE(db_->Write(WriteOp::Delete("tbl", Key("a", kItems))).ok());
  live.erase(kItems);
  const std::size_t n = live.size();
  for (bool forward : {true, false}) {
    for (std::uint32_t k : {1u, 4u, 7u, static_cast<std::uint32_t>(n), 100u}) {
      SCOPED_TRACE(std::string(forward ? "forward" : "backward") + " limit " + std::to_string(k));
      std::vector<QueryResult> pages = AllPages(Query("a", k, forward));
      EXPECT_EQ(pages.size(), n / k + 1);
      std::vector<AttributeValue> seen;
      for (const QueryResult& page : pages) {
        EXPECT_EQ(page.scanned_count, page.items.size());
        for (const AttributeValue& sk : Sks(page))
          seen.push_back(sk);
      }
      std::vector<AttributeValue> want;
      for (const auto& entry : live)
        want.push_back(N(entry.first));
      if (!forward) std::reverse(want.begin(), want.end());
      EXPECT_EQ(seen, want);
    }
  }
}

}  // namespace
}  // namespace eddy::query_scan_test
