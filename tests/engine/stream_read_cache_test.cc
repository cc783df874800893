// GetRecords through the shard's read cache (engine/streams/decoded_records.h):
// the cache's own bookkeeping, pages identical to reads that decode their own
// records at every position, limit and byte cut, pages that outlive the
// cache's eviction, and concurrent readers that each see every record once.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "eddy/db.h"
#include "engine/streams/decoded_records.h"
#include "support/temp_dir.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::stream_read_cache_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders
using engine::DecodedRecordCache;
using engine::DecodedRun;

constexpr std::uint64_t kStart = 1'700'000'000'000'000;  // a fixed wall time, in µs

// A run of `count` records with sequences from, from + 2, ... (shards'
// sequences are not dense), each `footprint` bytes.
std::shared_ptr<const DecodedRun> MakeRun(std::uint64_t from, std::size_t count,
                                          std::uint32_t footprint = 100) {
  auto run = std::make_shared<DecodedRun>();
  run->from = from;
  for (std::size_t i = 0; i < count; ++i) {
    StreamRecord r;
    r.sequence_number = std::to_string(from + 2 * i);
    run->records.push_back(r);
    run->sequences.push_back(from + 2 * i);
    run->footprints.push_back(footprint);
    run->bytes += footprint;
  }
  run->next = count == 0 ? from : run->sequences.back() + 1;
  return run;
}

// The run holding `sequence`, or null (a claim taken on a miss is let go).
std::shared_ptr<const DecodedRun> Find(DecodedRecordCache& cache, std::uint64_t sequence) {
  bool claimed = false;
  std::shared_ptr<const DecodedRun> run = cache.FindOrClaim(sequence, /*wait=*/false, &claimed);
  if (claimed) cache.Abandon(sequence);
  return run;
}

// Publishes a run as the reader that decoded it would.
void Insert(DecodedRecordCache& cache, std::shared_ptr<const DecodedRun> run) {
  const std::uint64_t from = run->from;
  cache.Publish(from, std::move(run));
}

TEST(DecodedRecordCache, FindsTheRunCoveringASequence) {
  DecodedRecordCache cache(1 << 20);
  Insert(cache, MakeRun(10, 3));  // covers [10, 15)
  Insert(cache, MakeRun(20, 2));  // covers [20, 23)
  EXPECT_EQ(Find(cache, 9), nullptr);
  ASSERT_NE(Find(cache, 10), nullptr);
  EXPECT_EQ(Find(cache, 10)->from, 10u);
  EXPECT_EQ(Find(cache, 11)->from, 10u);  // between two records: the run still covers it
  EXPECT_EQ(Find(cache, 14)->from, 10u);
  EXPECT_EQ(Find(cache, 15), nullptr);
  EXPECT_EQ(Find(cache, 19), nullptr);
  EXPECT_EQ(Find(cache, 22)->from, 20u);
  EXPECT_EQ(Find(cache, 23), nullptr);
  EXPECT_EQ(cache.bytes(), 500u);
}

TEST(DecodedRecordCache, KeepsTheFirstOfOverlappingRuns) {
  DecodedRecordCache cache(1 << 20);
  Insert(cache, MakeRun(10, 3));  // [10, 15)
  Insert(cache, MakeRun(12, 5));  // overlaps from the right: dropped
  Insert(cache, MakeRun(4, 4));   // [4, 11) overlaps from the left: dropped
  Insert(cache, MakeRun(10, 1));  // same start: dropped
  EXPECT_EQ(Find(cache, 12)->records.size(), 3u);
  EXPECT_EQ(Find(cache, 4), nullptr);
  EXPECT_EQ(cache.bytes(), 300u);
  Insert(cache, MakeRun(15, 1));  // adjacent: kept
  EXPECT_EQ(Find(cache, 15)->from, 15u);
  Insert(cache, MakeRun(5, 2));  // [5, 8), before: kept
  EXPECT_EQ(Find(cache, 7)->from, 5u);
}

TEST(DecodedRecordCache, EvictsTheOldestRunsPastItsBudget) {
  DecodedRecordCache cache(1000);
  Insert(cache, MakeRun(100, 4));  // 400 bytes
  Insert(cache, MakeRun(10, 4));   // 400 bytes, inserted later though earlier in the shard
  std::shared_ptr<const DecodedRun> held = Find(cache, 100);
  Insert(cache, MakeRun(200, 3));  // 300 bytes: 1100 > 1000, the run at 100 goes
  EXPECT_EQ(Find(cache, 100), nullptr);
  EXPECT_NE(Find(cache, 10), nullptr);
  EXPECT_NE(Find(cache, 200), nullptr);
  EXPECT_EQ(cache.bytes(), 700u);
  // A reader still holding an evicted run keeps it whole.
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->records.at(3).sequence_number, "106");
  Insert(cache, MakeRun(300, 11));  // larger than the budget: never kept
  EXPECT_EQ(Find(cache, 300), nullptr);
  EXPECT_EQ(cache.bytes(), 700u);
}

TEST(DecodedRecordCache, ZeroBudgetKeepsNothing) {
  DecodedRecordCache cache(0);
  Insert(cache, MakeRun(1, 1));
  EXPECT_EQ(Find(cache, 1), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(DecodedRecordCache, OneReaderDecodesAPositionAtATime) {
  DecodedRecordCache cache(1 << 20);
  bool claimed = false;
  EXPECT_EQ(cache.FindOrClaim(10, /*wait=*/false, &claimed), nullptr);
  EXPECT_TRUE(claimed);
  EXPECT_EQ(cache.FindOrClaim(10, /*wait=*/false, &claimed), nullptr);
  EXPECT_FALSE(claimed);  // another reader is decoding from 10
  EXPECT_EQ(cache.FindOrClaim(30, /*wait=*/false, &claimed), nullptr);
  EXPECT_TRUE(claimed);  // a different position is free
  cache.Publish(10, MakeRun(10, 3));
  std::shared_ptr<const DecodedRun> run = cache.FindOrClaim(12, /*wait=*/false, &claimed);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->from, 10u);
  cache.Abandon(30);  // found nothing: the position is free again
  EXPECT_EQ(cache.FindOrClaim(30, /*wait=*/false, &claimed), nullptr);
  EXPECT_TRUE(claimed);
}

TEST(DecodedRecordCache, AWaitingReaderTakesThePublishedRun) {
  DecodedRecordCache cache(1 << 20);
  bool claimed = false;
  ASSERT_EQ(cache.FindOrClaim(10, /*wait=*/true, &claimed), nullptr);
  ASSERT_TRUE(claimed);
  std::shared_ptr<const DecodedRun> seen;
  bool waiter_claimed = true;
  std::thread waiter([&] { seen = cache.FindOrClaim(10, /*wait=*/true, &waiter_claimed); });
  cache.Publish(10, MakeRun(10, 4));
  waiter.join();
  ASSERT_NE(seen, nullptr);
  EXPECT_EQ(seen->records.size(), 4u);
  EXPECT_FALSE(waiter_claimed);
}

TEST(DecodedRecordCache, AWaitingReaderClaimsWhatTheFirstAbandoned) {
  DecodedRecordCache cache(1 << 20);
  bool claimed = false;
  ASSERT_EQ(cache.FindOrClaim(10, /*wait=*/true, &claimed), nullptr);
  bool waiter_claimed = false;
  std::shared_ptr<const DecodedRun> seen = MakeRun(99, 1);
  std::thread waiter([&] { seen = cache.FindOrClaim(10, /*wait=*/true, &waiter_claimed); });
  cache.Abandon(10);
  waiter.join();
  EXPECT_EQ(seen, nullptr);
  EXPECT_TRUE(waiter_claimed);
}

TEST(DecodedRecordCache, WithoutABudgetEveryReaderDecodes) {
  DecodedRecordCache cache(0);
  bool claimed = false;
  EXPECT_EQ(cache.FindOrClaim(10, /*wait=*/true, &claimed), nullptr);
  EXPECT_TRUE(claimed);
  EXPECT_EQ(cache.FindOrClaim(10, /*wait=*/true, &claimed), nullptr);  // no wait
  EXPECT_TRUE(claimed);
}

// Databases given the same writes at the same (manual) time hold the same
// records with the same sequence numbers and event IDs: one shares decoded
// records between GetRecords calls, one does with a cache so small that runs
// are dropped all the time (or never kept), one decodes in every call.
class StreamReadCacheTest : public ::testing::Test {
 protected:
  static constexpr char kTable[] = "orders";

  StreamReadCacheTest() : clock_(kStart) {}

  void SetUp() override {
    cached_ = Open(cached_dir_, Options{}.stream_read_cache_bytes);
    small_ = Open(small_dir_, 3000);
    uncached_ = Open(uncached_dir_, 0);
  }

  std::unique_ptr<Db> Open(const testing::TempDir& dir, std::uint64_t read_cache_bytes) {
    Options options;
    options.dir = dir.path();
    options.sync_mode = SyncMode::kNone;
    options.clock = &clock_;
    options.shard_split_records_per_s = 0;
    options.stream_read_cache_bytes = read_cache_bytes;
    auto db = Db::Open(options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    TableSpec spec;
    spec.name = kTable;
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.stream = {true, StreamViewType::kNewAndOldImages, 1};
    EXPECT_TRUE((*db)->CreateTable(spec).ok());
    return std::move(db).value();
  }

  void WriteAll(const WriteOp& op) {
    ASSERT_TRUE(cached_->Write(op).ok());
    ASSERT_TRUE(small_->Write(op).ok());
    ASSERT_TRUE(uncached_->Write(op).ok());
  }

  static std::string Iterator(Db& db, ShardIteratorType type, const std::string& seq = "") {
    auto table = db.DescribeTable(kTable);
    EXPECT_TRUE(table.ok());
    DescribeStreamRequest describe;
    describe.stream_arn = table->latest_stream_arn;
    auto stream = db.DescribeStream(describe);
    EXPECT_TRUE(stream.ok());
    GetShardIteratorRequest r{stream->stream_arn, stream->shards.at(0).shard_id, type, seq};
    auto it = db.GetShardIterator(r);
    EXPECT_TRUE(it.ok()) << it.status().ToString();
    return it.ok() ? *it : "";
  }

  // Every record of the shard, in pages of `limit`.
  static std::vector<StreamRecord> ReadAll(Db& db, std::uint32_t limit) {
    std::vector<StreamRecord> out;
    std::string it = Iterator(db, ShardIteratorType::kTrimHorizon);
    while (!it.empty()) {
      auto page = db.GetRecords(it, limit);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->records.empty()) break;
      out.insert(out.end(), page->records.begin(), page->records.end());
      it = page->next_shard_iterator;
    }
    return out;
  }

  ManualClock clock_;
  testing::TempDir cached_dir_, small_dir_, uncached_dir_;
  std::unique_ptr<Db> cached_, small_, uncached_;
};

TEST_F(StreamReadCacheTest, PagesEqualPagesDecodedByEveryCall) {
  // Small items, and every 40th one large enough that three fill the 1 MB
  // page budget, so pages end on the record limit and on the byte limit.
  for (int i = 0; i < 240; ++i) {
    const std::string pk = "k" + std::to_string(i % 150);  // later writes modify
    const std::string value(i % 40 == 39 ? 300'000 : 20, static_cast<char>('a' + i % 26));
    if (i % 17 == 16) {
      WriteAll(WriteOp::Delete(kTable, MakeItem({{"pk", S(pk)}})));
    } else {
      WriteAll(WriteOp::Put(kTable, MakeItem({{"pk", S(pk)}, {"v", B(value)}, {"n", N(i)}})));
    }
  }
  const std::vector<StreamRecord> all = ReadAll(*uncached_, 1000);
  ASSERT_GT(all.size(), 200u);
  // Read the cached database in an order that leaves runs of many shapes,
  // then ask both for pages from every record: a small limit that varies
  // with the position, and the full limit (cut by bytes near the large
  // items) from every eighth. (Every limit from every position takes minutes
  // under the sanitizers.)
  EXPECT_EQ(ReadAll(*cached_, 7), all);
  EXPECT_EQ(ReadAll(*cached_, 1000), all);
  EXPECT_EQ(ReadAll(*small_, 3), all);
  for (Db* db : {cached_.get(), small_.get()}) {
    for (std::size_t k = 0; k < all.size(); ++k) {
      for (ShardIteratorType type :
           {ShardIteratorType::kAtSequenceNumber, ShardIteratorType::kAfterSequenceNumber}) {
        for (std::uint32_t limit : {static_cast<std::uint32_t>(1 + k % 7), 1000u}) {
          if (limit == 1000 && k % 8 != 0) continue;
          std::string cached_it = Iterator(*db, type, all[k].sequence_number);
          std::string uncached_it = Iterator(*uncached_, type, all[k].sequence_number);
          for (int page = 0; page < 2 && !uncached_it.empty(); ++page) {  // and the page after
            auto want = uncached_->GetRecords(uncached_it, limit);
            auto got = db->GetRecords(cached_it, limit);
            ASSERT_TRUE(want.ok() && got.ok());
            ASSERT_EQ(got->records.size(), want->records.size())
                << "from record " << k << ", limit " << limit << ", page " << page;
            for (std::size_t i = 0; i < want->records.size(); ++i)
              ASSERT_EQ(got->records[i], want->records[i]) << "record " << i;
            ASSERT_EQ(got->next_shard_iterator.empty(), want->next_shard_iterator.empty());
            cached_it = got->next_shard_iterator;
            uncached_it = want->next_shard_iterator;
          }
        }
      }
    }
  }
}

TEST_F(StreamReadCacheTest, PagesOutliveTheRecordsTheCacheDrops) {
  for (int i = 0; i < 50; ++i)
    WriteAll(WriteOp::Put(kTable, MakeItem({{"pk", S("a" + std::to_string(i))}, {"n", N(i)}})));
  auto held = cached_->GetRecords(Iterator(*cached_, ShardIteratorType::kTrimHorizon), 1000);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->records.size(), 50u);
  const std::vector<StreamRecord> copy(held->records.begin(), held->records.end());
  // Several MB of newer records, read, push the held ones out of the cache.
  const std::string big(200'000, 'x');
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(cached_
                    ->Write(WriteOp::Put(
                        kTable, MakeItem({{"pk", S("b" + std::to_string(i))}, {"v", B(big)}})))
                    .ok());
  }
  EXPECT_EQ(ReadAll(*cached_, 1000).size(), 90u);
  for (std::size_t i = 0; i < copy.size(); ++i)
    EXPECT_EQ(held->records[i], copy[i]);
  std::size_t i = 0;
  for (const StreamRecord& r : held->records)  // and through the page's iterators
    EXPECT_EQ(r.keys, copy[i++].keys);
}

TEST_F(StreamReadCacheTest, ConcurrentReadersEachSeeEveryRecordOnceInOrder) {
  constexpr int kWrites = 4000;
  constexpr int kReaders = 6;
  const std::string start = Iterator(*cached_, ShardIteratorType::kTrimHorizon);
  std::atomic<bool> done{false};
  std::vector<std::vector<std::int64_t>> seen(kReaders);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      std::string it = start;
      std::uint32_t limit = 1 + static_cast<std::uint32_t>(r) * 37;  // readers cut pages apart
      while (true) {
        const bool finished = done.load();
        auto page = cached_->GetRecords(it, limit);
        ASSERT_TRUE(page.ok()) << page.status().ToString();
        for (const StreamRecord& rec : page->records) {
          ASSERT_TRUE(rec.new_image.has_value());
          seen[r].push_back(std::stoll(rec.new_image->Find("n")->AsNumber().ToString()));
        }
        it = page->next_shard_iterator;
        if (finished && page->records.empty()) break;
        limit = limit % 1000 + 1;
        if (page->records.empty()) std::this_thread::yield();
      }
    });
  }
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(cached_
                    ->Write(WriteOp::Put(
                        kTable, MakeItem({{"pk", S("w" + std::to_string(i))}, {"n", N(i)}})))
                    .ok());
  }
  done.store(true);
  for (std::thread& t : readers)
    t.join();
  for (int r = 0; r < kReaders; ++r) {
    ASSERT_EQ(seen[r].size(), static_cast<std::size_t>(kWrites)) << "reader " << r;
    for (int i = 0; i < kWrites; ++i)
      ASSERT_EQ(seen[r][static_cast<std::size_t>(i)], i) << "reader " << r;
  }
}

}  // namespace
}  // namespace eddy::stream_read_cache_test
