// Log release (docs/durability.md, "Log release"): once items are in table
// files, the catalog is in the manifest and the stream registry has written
// its checkpoint after syncing its segments, the log drops the segments
// below them. These tests release the log and then check that nothing the
// log held is lost: tables and their settings, item counts, items, stream
// records with the same sequence numbers and event IDs, lineage, the trim
// horizon, and LSNs that keep rising.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "eddy/db.h"
#include "engine/db_impl.h"
#include "support/temp_dir.h"
#include "support/values.h"
#include "wal/segment_name.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::log_release_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

constexpr std::uint64_t kStart = 1'700'000'000'000'000;  // a fixed wall time, in µs
constexpr std::uint64_t kHour = 3600ull * 1'000'000;

class LogReleaseTest : public ::testing::Test {
 protected:
  LogReleaseTest() : clock_(kStart) {}
  void SetUp() override { Reopen(); }

  Options MakeOptions() {
    Options o;
    o.dir = dir_.path();
    o.sync_mode = SyncMode::kNone;
    o.report_progress = false;
    o.clock = &clock_;
    o.wal_segment_bytes = 64 << 10;  // the smallest: release is fine-grained
    o.memtable_budget_bytes = 64 << 10;
    o.block_cache_bytes = 1 << 20;
    o.stream_segment_bytes = 1 << 20;
    return o;
  }
  void Reopen() {
    db_.reset();
    auto db = Db::Open(MakeOptions());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  engine::DbImpl& impl() { return *static_cast<engine::DbImpl*>(db_.get()); }

  // Flushes what is due and releases the log as the maintenance thread does.
  void Release() {
    ASSERT_TRUE(impl().WaitForFlushes().ok());
    ASSERT_TRUE(impl().CheckpointAndReleaseLog().ok());
  }

  std::uint64_t WalBytes() const {
    std::uint64_t bytes = 0;
    // Every file: live segments and the spares released ones became. The
    // log's segment pool renames and removes spares in the background, so a
    // file listed here may be gone by the time its size is asked for: it
    // then counts under its new name, or not at all.
    for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/wal")) {
      std::error_code ec;
      if (!e.is_regular_file(ec)) continue;
      const std::uintmax_t size = e.file_size(ec);
      if (!ec) bytes += size;
    }
    return bytes;
  }
  // The first LSN of the oldest log segment left.
  Lsn OldestLogLsn() const {
    Lsn oldest = UINT64_MAX;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/wal")) {
      if (auto first = wal::ParseSegmentFileName(e.path().filename().string())) {
        oldest = std::min(oldest, *first);
      }
    }
    return oldest;
  }

  std::string CreateTable(const std::string& name, bool stream,
                          StreamViewType view = StreamViewType::kNewAndOldImages) {
    TableSpec spec;
    spec.name = name;
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.stream = {stream, view, 0};
    auto d = db_->CreateTable(spec);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->latest_stream_arn : "";
  }
  Item Value(const std::string& pk, std::int64_t v, std::size_t pad = 300) {
    return MakeItem({{"pk", S(pk)}, {"v", N(v)}, {"pad", S(std::string(pad, 'x'))}});
  }
  Lsn Put(const std::string& table, const Item& item) {
    WriteOutcome out;
    EXPECT_TRUE(db_->Write(WriteOp::Put(table, item), &out).ok());
    return out.lsn;
  }

  StreamDescription Describe(const std::string& arn) {
    DescribeStreamRequest r;
    r.stream_arn = arn;
    auto d = db_->DescribeStream(r);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : StreamDescription{};
  }
  // Every record of the stream, shard by shard in the order DescribeStream
  // lists them (parents before children).
  std::vector<StreamRecord> ReadAll(const std::string& arn) {
    std::vector<StreamRecord> out;
    for (const ShardDescription& shard : Describe(arn).shards) {
      auto it = db_->GetShardIterator({arn, shard.shard_id, ShardIteratorType::kTrimHorizon, ""});
      EXPECT_TRUE(it.ok()) << it.status().ToString();
      std::string next = it.ok() ? *it : "";
      while (!next.empty()) {
        auto page = db_->GetRecords(next, 1000);
        EXPECT_TRUE(page.ok()) << page.status().ToString();
        if (!page.ok() || page->records.empty()) break;
        for (auto& r : page->records)
          out.push_back(std::move(r));
        next = page->next_shard_iterator;
      }
    }
    return out;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Db> db_;
};

TEST_F(LogReleaseTest, TheLogStaysBoundedUnderSteadyOverwrites) {
  std::string arn = CreateTable("steady", true);
  std::map<std::string, Item> model;
  std::uint64_t max_wal = 0, written = 0;
  constexpr int kKeys = 300, kRounds = 120;
  for (int round = 0; round < kRounds; ++round) {
    for (int k = 0; k < kKeys; ++k) {
      Item item = Value("k" + std::to_string(k), round);
      Put("steady", item);
      model["k" + std::to_string(k)] = item;
      written += 350;
    }
    ASSERT_NO_FATAL_FAILURE(Release());
    max_wal = std::max(max_wal, WalBytes());
  }
  // About 12 MB went through the log; it never held more than a few
  // memtables' worth plus segment rounding.
  EXPECT_GT(written, 12u << 20);
  EXPECT_LT(max_wal, 2u << 20) << "the log did not stay bounded";

  Reopen();
  auto desc = db_->DescribeTable("steady");
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->item_count, static_cast<std::uint64_t>(kKeys));
  for (const auto& [pk, item] : model) {
    auto got = db_->Get("steady", MakeItem({{"pk", S(pk)}}));
    ASSERT_TRUE(got.ok() && got->has_value()) << pk;
    EXPECT_EQ(**got, item) << pk;
  }
  // Every write was a change, so every write is a record; the log that
  // produced most of them is long gone.
  std::vector<StreamRecord> records = ReadAll(arn);
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kKeys * kRounds));
  std::map<std::string, std::int64_t> last_v;
  for (const StreamRecord& r : records) {
    const std::string pk = r.keys.Find("pk")->AsString();
    const std::int64_t v = std::stoll(r.new_image->Find("v")->AsNumber().ToString());
    auto it = last_v.find(pk);
    EXPECT_EQ(v, it == last_v.end() ? 0 : it->second + 1) << pk << ": records out of order";
    last_v[pk] = v;
  }
}

TEST_F(LogReleaseTest, TablesWithoutStreamsReleaseTheLogToo) {
  // No stream ever existed, so streams/ does not either.
  CreateTable("plain", false);
  for (int i = 0; i < 3000; ++i)
    Put("plain", Value("k" + std::to_string(i % 100), i));
  ASSERT_NO_FATAL_FAILURE(Release());
  EXPECT_GT(OldestLogLsn(), 1000u);
  EXPECT_LT(WalBytes(), 1u << 20);
  Reopen();
  EXPECT_EQ(db_->DescribeTable("plain")->item_count, 100u);
}

TEST_F(LogReleaseTest, EverythingTheLogHeldSurvivesItsRelease) {
  // Catalog history: a dropped table, TTL, a stream disabled and enabled
  // again (two streams), a rollover (lineage).
  std::string first_arn = CreateTable("orders", true, StreamViewType::kNewImage);
  CreateTable("plain", false);
  CreateTable("dropped", true);
  ASSERT_TRUE(db_->DeleteTable("dropped").ok());
  ASSERT_TRUE(db_->UpdateTimeToLive("plain", {true, "expires"}).ok());
  for (int i = 0; i < 40; ++i)
    Put("orders", Value("o" + std::to_string(i % 10), i));
  ASSERT_TRUE(db_->UpdateStream("orders", {false, StreamViewType::kNewImage, 0}).ok());
  clock_.Advance(1000);
  auto enabled = db_->UpdateStream("orders", {true, StreamViewType::kNewAndOldImages, 2});
  ASSERT_TRUE(enabled.ok());
  std::string second_arn = enabled->latest_stream_arn;
  ASSERT_NE(first_arn, second_arn);
  clock_.Advance(5 * kHour);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());  // rollover of both shards
  Lsn last_lsn = 0;
  for (int i = 0; i < 600; ++i) {
    last_lsn = Put(i % 3 == 0 ? "plain" : "orders", Value("p" + std::to_string(i % 50), i));
  }
  ASSERT_TRUE(db_->Write(WriteOp::Delete("orders", MakeItem({{"pk", S("p1")}}))).ok());
  ASSERT_NO_FATAL_FAILURE(Release());
  // The catalog records (the first LSNs) are no longer in the log.
  ASSERT_GT(OldestLogLsn(), 10u);

  std::vector<StreamRecord> first_before = ReadAll(first_arn);
  std::vector<StreamRecord> second_before = ReadAll(second_arn);
  StreamDescription shape = Describe(second_arn);
  auto orders_before = db_->DescribeTable("orders");
  auto plain_before = db_->DescribeTable("plain");
  ASSERT_TRUE(orders_before.ok() && plain_before.ok());
  ASSERT_EQ(first_before.size(), 40u);
  ASSERT_GT(second_before.size(), 300u);
  ASSERT_GT(shape.shards.size(), 2u);

  Reopen();
  EXPECT_EQ(db_->ListTables(), (std::vector<std::string>{"orders", "plain"}));
  auto orders = db_->DescribeTable("orders");
  auto plain = db_->DescribeTable("plain");
  ASSERT_TRUE(orders.ok() && plain.ok());
  EXPECT_EQ(orders->item_count, orders_before->item_count);
  EXPECT_EQ(plain->item_count, plain_before->item_count);
  EXPECT_EQ(orders->table_id, orders_before->table_id);
  EXPECT_EQ(orders->stream.view_type, StreamViewType::kNewAndOldImages);
  EXPECT_EQ(orders->latest_stream_arn, second_arn);
  EXPECT_TRUE(plain->time_to_live.enabled);
  EXPECT_EQ(plain->time_to_live.attribute_name, "expires");
  EXPECT_FALSE(plain->stream.enabled);

  ListStreamsRequest list;
  list.table_name = "orders";
  auto streams = db_->ListStreams(list);
  ASSERT_TRUE(streams.ok());
  EXPECT_EQ(streams->streams.size(), 2u);
  for (const auto& [arn, before] :
       {std::pair{first_arn, first_before}, std::pair{second_arn, second_before}}) {
    std::vector<StreamRecord> after = ReadAll(arn);
    ASSERT_EQ(after.size(), before.size()) << arn;
    for (std::size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(after[i].sequence_number, before[i].sequence_number);
      EXPECT_EQ(after[i].event_id, before[i].event_id);
      EXPECT_EQ(after[i].new_image, before[i].new_image);
      EXPECT_EQ(after[i].old_image, before[i].old_image);
    }
  }
  StreamDescription again = Describe(second_arn);
  ASSERT_EQ(again.shards.size(), shape.shards.size());
  for (std::size_t i = 0; i < shape.shards.size(); ++i) {
    EXPECT_EQ(again.shards[i].shard_id, shape.shards[i].shard_id);
    EXPECT_EQ(again.shards[i].parent_shard_id, shape.shards[i].parent_shard_id);
    EXPECT_EQ(again.shards[i].starting_sequence_number, shape.shards[i].starting_sequence_number);
    EXPECT_EQ(again.shards[i].ending_sequence_number, shape.shards[i].ending_sequence_number);
  }

  // The dropped table's name is free; new tables get new IDs; LSNs go on.
  CreateTable("dropped", false);
  auto dropped = db_->DescribeTable("dropped");
  ASSERT_TRUE(dropped.ok());
  EXPECT_GT(dropped->table_id, orders->table_id);
  EXPECT_GT(Put("orders", Value("after", 1)), last_lsn);
  std::vector<StreamRecord> more = ReadAll(second_arn);
  ASSERT_EQ(more.size(), second_before.size() + 1);
  EXPECT_EQ(more.back().keys, MakeItem({{"pk", S("after")}}));
}

TEST_F(LogReleaseTest, TrimmedRecordsStayTrimmedAfterReleaseAndReopen) {
  std::string arn = CreateTable("orders", true, StreamViewType::kKeysOnly);
  Put("orders", Value("old", 1));
  std::string shard = Describe(arn).shards[0].shard_id;
  std::string old_seq = ReadAll(arn)[0].sequence_number;
  clock_.Advance(25 * kHour);
  for (int i = 0; i < 400; ++i)
    Put("orders", Value("new" + std::to_string(i % 20), i));
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());  // "old" expires
  ASSERT_NO_FATAL_FAILURE(Release());
  ASSERT_GT(OldestLogLsn(), 3u);
  Reopen();
  auto trimmed = db_->GetShardIterator({arn, shard, ShardIteratorType::kAtSequenceNumber, old_seq});
  EXPECT_TRUE(trimmed.status().IsTrimmedDataAccess()) << trimmed.status().ToString();
  EXPECT_EQ(ReadAll(arn).size(), 400u);
}

TEST_F(LogReleaseTest, AMissingStreamCheckpointAfterReleaseIsCorruption) {
  CreateTable("orders", true);
  for (int i = 0; i < 400; ++i)
    Put("orders", Value("k" + std::to_string(i % 20), i));
  ASSERT_NO_FATAL_FAILURE(Release());
  ASSERT_GT(OldestLogLsn(), 1u);
  db_.reset();
  std::filesystem::remove(dir_.path() + "/streams/CHECKPOINT");
  auto db = Db::Open(MakeOptions());
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("CHECKPOINT"), std::string::npos) << db.status().ToString();
}

TEST_F(LogReleaseTest, AnEmptyLogAfterReleaseKeepsCounting) {
  CreateTable("orders", true);
  Lsn last = 0;
  for (int i = 0; i < 400; ++i)
    last = Put("orders", Value("k" + std::to_string(i % 20), i));
  // Force the whole memtable out so the release can reach the log's end.
  ASSERT_NO_FATAL_FAILURE(Release());
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Release());
  Reopen();
  EXPECT_GT(Put("orders", Value("k1", 1000)), last);
  EXPECT_EQ(db_->DescribeTable("orders")->item_count, 20u);
}

}  // namespace
}  // namespace eddy::log_release_test
