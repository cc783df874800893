// The stream core through the embeddable API: records per change with the
// view type's images, no-op suppression, iterators, lineage across rollover
// and split, lifecycle, retention, and identical records after a restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "eddy/db.h"
#include "eddy/update.h"
#include "engine/db_impl.h"
#include "support/temp_dir.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::stream_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

constexpr std::uint64_t kStart = 1'700'000'000'000'000;  // a fixed wall time, in µs
constexpr std::uint64_t kSecond = 1'000'000;

class StreamTest : public ::testing::Test {
 protected:
  StreamTest() : clock_(kStart) {}
  void SetUp() override { Reopen(); }

  void Reopen() {
    db_.reset();
    Options options = options_;
    options.dir = dir_.path();
    options.sync_mode = SyncMode::kNone;
    options.wal_segment_bytes = 1 << 20;
    options.clock = &clock_;
    auto db = Db::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  engine::DbImpl& impl() { return *static_cast<engine::DbImpl*>(db_.get()); }

  std::string CreateTable(StreamViewType view, std::string name = "orders",
                          std::uint32_t shards = 0) {
    TableSpec spec;
    spec.name = name;
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.stream = {true, view, shards};
    auto d = db_->CreateTable(spec);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->latest_stream_arn : "";
  }

  void Put(const std::string& pk, std::int64_t v, const std::string& table = "orders") {
    ASSERT_TRUE(db_->Write(WriteOp::Put(table, MakeItem({{"pk", S(pk)}, {"v", N(v)}}))).ok());
  }
  void Delete(const std::string& pk) {
    ASSERT_TRUE(db_->Write(WriteOp::Delete("orders", MakeItem({{"pk", S(pk)}}))).ok());
  }

  StreamDescription Describe(const std::string& arn) {
    DescribeStreamRequest r;
    r.stream_arn = arn;
    auto d = db_->DescribeStream(r);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? *d : StreamDescription{};
  }

  std::string Iterator(const std::string& arn, const std::string& shard, ShardIteratorType type,
                       const std::string& seq = "") {
    GetShardIteratorRequest r{arn, shard, type, seq};
    auto it = db_->GetShardIterator(r);
    EXPECT_TRUE(it.ok()) << it.status().ToString();
    return it.ok() ? *it : "";
  }

  // Every record of the stream, parents before children, each shard read to
  // its end (or, when open, until it has nothing more).
  std::vector<StreamRecord> ReadAll(const std::string& arn) {
    StreamDescription d = Describe(arn);
    std::map<std::string, std::vector<std::string>> children;
    std::vector<std::string> order;
    std::map<std::string, bool> present;
    for (const auto& s : d.shards)
      present[s.shard_id] = true;
    for (const auto& s : d.shards) {
      if (s.parent_shard_id.empty() || !present[s.parent_shard_id]) {
        order.push_back(s.shard_id);
      } else {
        children[s.parent_shard_id].push_back(s.shard_id);
      }
    }
    std::vector<StreamRecord> out;
    for (std::size_t i = 0; i < order.size(); ++i) {
      std::string it = Iterator(arn, order[i], ShardIteratorType::kTrimHorizon);
      while (!it.empty()) {
        auto page = db_->GetRecords(it, 1000);
        EXPECT_TRUE(page.ok()) << page.status().ToString();
        if (!page.ok()) break;
        for (auto& r : page->records)
          out.push_back(std::move(r));
        if (page->records.empty()) break;
        it = page->next_shard_iterator;
      }
      for (const auto& c : children[order[i]])
        order.push_back(c);
    }
    return out;
  }

  TempDir dir_;
  ManualClock clock_;
  Options options_;
  std::unique_ptr<Db> db_;
};

TEST_F(StreamTest, NewStreamHasOneOpenShardAndDynamoDbNames) {
  std::string arn = CreateTable(StreamViewType::kNewAndOldImages);
  EXPECT_EQ(arn,
            "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2023-11-14T22:13:20.000");
  StreamDescription d = Describe(arn);
  EXPECT_EQ(d.status, StreamStatus::kEnabled);
  EXPECT_EQ(d.stream_label, "2023-11-14T22:13:20.000");
  EXPECT_EQ(d.table_name, "orders");
  ASSERT_EQ(d.shards.size(), 1u);
  EXPECT_TRUE(d.shards[0].shard_id.starts_with("shardId-00000001700000000000-"));
  EXPECT_EQ(d.shards[0].shard_id.size(), 37u);
  EXPECT_TRUE(d.shards[0].parent_shard_id.empty());
  EXPECT_TRUE(d.shards[0].ending_sequence_number.empty());
  EXPECT_EQ(d.shards[0].starting_sequence_number.size(), 21u);
}

TEST_F(StreamTest, EachRealChangeIsOneRecordWithTheViewsImages) {
  std::string arn = CreateTable(StreamViewType::kNewAndOldImages);
  Put("a", 1);  // INSERT
  Put("a", 1);  // no-op
  Put("a", 2);  // MODIFY
  Delete("a");  // REMOVE
  Delete("a");  // no-op
  std::vector<StreamRecord> records = ReadAll(arn);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].event_name, ChangeType::kInsert);
  EXPECT_EQ(records[0].keys, MakeItem({{"pk", S("a")}}));
  EXPECT_EQ(records[0].new_image, MakeItem({{"pk", S("a")}, {"v", N(1)}}));
  EXPECT_FALSE(records[0].old_image);
  EXPECT_EQ(records[1].event_name, ChangeType::kModify);
  EXPECT_EQ(records[1].old_image, MakeItem({{"pk", S("a")}, {"v", N(1)}}));
  EXPECT_EQ(records[1].new_image, MakeItem({{"pk", S("a")}, {"v", N(2)}}));
  EXPECT_EQ(records[2].event_name, ChangeType::kRemove);
  EXPECT_FALSE(records[2].new_image);
  EXPECT_EQ(records[2].old_image, MakeItem({{"pk", S("a")}, {"v", N(2)}}));
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_LT(records[i - 1].sequence_number, records[i].sequence_number);
  }
  for (const auto& r : records) {
    EXPECT_EQ(r.event_id.size(), 32u);
    EXPECT_EQ(r.aws_region, "us-east-1");
    EXPECT_EQ(r.approximate_creation_time_us, kStart);
    EXPECT_EQ(r.view_type, StreamViewType::kNewAndOldImages);
  }
  // SizeBytes: keys plus the images carried (keys: "pk"+"a" = 3; new image:
  // 3 + "v" and N 1 (1 + 1) = 6).
  EXPECT_EQ(records[0].size_bytes, 3u + 6u);
}

TEST_F(StreamTest, ViewTypesCarryTheirImagesOnly) {
  struct Case {
    StreamViewType view;
    bool modify_new, modify_old;
  };
  for (Case c :
       {Case{StreamViewType::kKeysOnly, false, false}, Case{StreamViewType::kNewImage, true, false},
        Case{StreamViewType::kOldImage, false, true}}) {
    std::string table = "t" + std::string(StreamViewTypeName(c.view));
    std::replace(table.begin(), table.end(), '_', '-');
    std::string arn = CreateTable(c.view, table);
    Put("k", 1, table);
    Put("k", 2, table);
    std::vector<StreamRecord> records = ReadAll(arn);
    ASSERT_EQ(records.size(), 2u) << table;
    EXPECT_EQ(records[0].old_image.has_value(), false) << table;
    EXPECT_EQ(records[0].new_image.has_value(), c.modify_new) << table;
    EXPECT_EQ(records[1].new_image.has_value(), c.modify_new) << table;
    EXPECT_EQ(records[1].old_image.has_value(), c.modify_old) << table;
    EXPECT_EQ(records[1].view_type, c.view);
  }
}

TEST_F(StreamTest, TablesWithoutStreamHaveNone) {
  TableSpec spec;
  spec.name = "plain";
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  auto d = db_->CreateTable(spec);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->latest_stream_arn.empty());
  Put("x", 1, "plain");
  auto list = db_->ListStreams({});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->streams.empty());
}

TEST_F(StreamTest, IteratorTypesStartWhereDynamoDbSays) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  Put("a", 1);
  Put("b", 1);
  std::string shard = Describe(arn).shards[0].shard_id;
  std::vector<StreamRecord> all = ReadAll(arn);
  ASSERT_EQ(all.size(), 2u);

  auto at = db_->GetRecords(
      Iterator(arn, shard, ShardIteratorType::kAtSequenceNumber, all[1].sequence_number), 10);
  ASSERT_TRUE(at.ok());
  ASSERT_EQ(at->records.size(), 1u);
  EXPECT_EQ(at->records[0].sequence_number, all[1].sequence_number);

  auto after = db_->GetRecords(
      Iterator(arn, shard, ShardIteratorType::kAfterSequenceNumber, all[0].sequence_number), 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->records.size(), 1u);
  EXPECT_EQ(after->records[0].event_id, all[1].event_id);

  std::string latest = Iterator(arn, shard, ShardIteratorType::kLatest);
  auto none = db_->GetRecords(latest, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->records.empty());
  EXPECT_FALSE(none->next_shard_iterator.empty());
  Put("c", 1);
  auto one = db_->GetRecords(none->next_shard_iterator, 10);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->records.size(), 1u);
  EXPECT_EQ(one->records[0].keys, MakeItem({{"pk", S("c")}}));
  // The same iterator can be used again.
  auto again = db_->GetRecords(none->next_shard_iterator, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->records.size(), 1u);
}

TEST_F(StreamTest, GetRecordsHonoursTheLimit) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  for (int i = 0; i < 25; ++i)
    Put("k" + std::to_string(i), i);
  std::string it = Iterator(arn, Describe(arn).shards[0].shard_id, ShardIteratorType::kTrimHorizon);
  std::size_t seen = 0;
  while (true) {
    auto page = db_->GetRecords(it, 10);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->records.size(), 10u);
    if (page->records.empty()) break;
    seen += page->records.size();
    it = page->next_shard_iterator;
  }
  EXPECT_EQ(seen, 25u);
  EXPECT_TRUE(db_->GetRecords(it, 0).status().IsInvalidArgument());
  EXPECT_TRUE(db_->GetRecords(it, 1001).status().IsInvalidArgument());
}

TEST_F(StreamTest, BadRequestsGetClearErrors) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  std::string shard = Describe(arn).shards[0].shard_id;
  EXPECT_TRUE(db_->GetRecords("garbage", 10).status().IsInvalidArgument());
  EXPECT_TRUE(db_->GetShardIterator({arn, shard, ShardIteratorType::kAtSequenceNumber, ""})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(
      db_->GetShardIterator({arn, shard, ShardIteratorType::kTrimHorizon, "000000000000000000001"})
          .status()
          .IsInvalidArgument());
  EXPECT_TRUE(db_->GetShardIterator({arn, "shardId-00000000000000000000-00000000",
                                     ShardIteratorType::kTrimHorizon, ""})
                  .status()
                  .IsNotFound());
  DescribeStreamRequest missing;
  missing.stream_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/x";
  EXPECT_TRUE(db_->DescribeStream(missing).status().IsNotFound());
  missing.stream_arn = "not an arn";
  EXPECT_TRUE(db_->DescribeStream(missing).status().IsInvalidArgument());
}

TEST_F(StreamTest, IteratorsExpire) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  std::string it = Iterator(arn, Describe(arn).shards[0].shard_id, ShardIteratorType::kLatest);
  clock_.Advance(15 * 60 * kSecond);
  EXPECT_TRUE(db_->GetRecords(it, 10).ok());
  clock_.Advance(kSecond);
  EXPECT_TRUE(db_->GetRecords(it, 10).status().IsExpiredIterator());
}

TEST_F(StreamTest, RecordsExpireByWholeSegmentsAfterRetention) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  std::string shard = Describe(arn).shards[0].shard_id;
  Put("old", 1);
  std::string old_seq = ReadAll(arn)[0].sequence_number;
  clock_.Advance(2 * 3600 * kSecond);
  Put("new", 1);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());
  EXPECT_EQ(ReadAll(arn).size(), 2u);  // 2 h: nothing is 24 h old yet

  clock_.Advance(23 * 3600 * kSecond);  // "old" is 25 h old, "new" 23 h
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());
  std::vector<StreamRecord> left = ReadAll(arn);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].keys, MakeItem({{"pk", S("new")}}));
  auto trimmed = db_->GetShardIterator({arn, shard, ShardIteratorType::kAtSequenceNumber, old_seq});
  EXPECT_TRUE(trimmed.status().IsTrimmedDataAccess());

  // Still trimmed after a restart (the log still holds the record).
  Reopen();
  EXPECT_EQ(ReadAll(arn).size(), 1u);
  trimmed = db_->GetShardIterator({arn, shard, ShardIteratorType::kAtSequenceNumber, old_seq});
  EXPECT_TRUE(trimmed.status().IsTrimmedDataAccess());
}

TEST_F(StreamTest, AnIteratorPastTheTrimHorizonIsTrimmedDataAccess) {
  options_.shard_iterator_lifetime_s = 48 * 3600;  // so the iterator outlives retention
  Reopen();
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  Put("a", 1);
  std::string it = Iterator(arn, Describe(arn).shards[0].shard_id, ShardIteratorType::kTrimHorizon);
  clock_.Advance(26 * 3600 * kSecond);
  Put("b", 1);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());
  EXPECT_TRUE(db_->GetRecords(it, 10).status().IsTrimmedDataAccess());
}

TEST_F(StreamTest, RolloverClosesTheShardAndAChildTakesOver) {
  std::string arn = CreateTable(StreamViewType::kNewImage);
  Put("a", 1);
  clock_.Advance(4 * 3600 * kSecond);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());
  Put("a", 2);
  StreamDescription d = Describe(arn);
  ASSERT_EQ(d.shards.size(), 2u);
  EXPECT_FALSE(d.shards[0].ending_sequence_number.empty());
  EXPECT_EQ(d.shards[1].parent_shard_id, d.shards[0].shard_id);
  EXPECT_TRUE(d.shards[1].ending_sequence_number.empty());
  EXPECT_LT(d.shards[0].ending_sequence_number, d.shards[1].starting_sequence_number);

  // The parent, read to its end, has no next iterator.
  auto page =
      db_->GetRecords(Iterator(arn, d.shards[0].shard_id, ShardIteratorType::kTrimHorizon), 100);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->records.size(), 1u);
  if (!page->next_shard_iterator.empty()) {
    auto end = db_->GetRecords(page->next_shard_iterator, 100);
    ASSERT_TRUE(end.ok());
    EXPECT_TRUE(end->records.empty());
    EXPECT_TRUE(end->next_shard_iterator.empty());
  }
  std::vector<StreamRecord> all = ReadAll(arn);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].new_image, MakeItem({{"pk", S("a")}, {"v", N(2)}}));

  DescribeStreamRequest children;
  children.stream_arn = arn;
  children.children_of_shard_id = d.shards[0].shard_id;
  auto filtered = db_->DescribeStream(children);
  ASSERT_TRUE(filtered.ok());
  ASSERT_EQ(filtered->shards.size(), 1u);
  EXPECT_EQ(filtered->shards[0].shard_id, d.shards[1].shard_id);
}

TEST_F(StreamTest, ASustainedLoadSplitsTheShardAndItemsKeepTheirLineage) {
  options_.shard_split_records_per_s = 5;
  Reopen();
  std::string arn = CreateTable(StreamViewType::kNewImage);
  for (int i = 0; i < 100; ++i)
    Put("k" + std::to_string(i % 20), i);
  clock_.Advance(10 * kSecond);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());
  for (int i = 100; i < 200; ++i)
    Put("k" + std::to_string(i % 20), i);
  StreamDescription d = Describe(arn);
  ASSERT_EQ(d.shards.size(), 3u);
  EXPECT_EQ(d.shards[1].parent_shard_id, d.shards[0].shard_id);
  EXPECT_EQ(d.shards[2].parent_shard_id, d.shards[0].shard_id);

  // Per item, the values arrive in write order across the split.
  std::map<std::string, std::int64_t> last;
  std::vector<StreamRecord> all = ReadAll(arn);
  ASSERT_EQ(all.size(), 200u);
  for (const auto& r : all) {
    const std::string pk = r.keys.Find("pk")->AsString();
    std::int64_t v = std::stoll(r.new_image->Find("v")->AsNumber().ToString());
    if (last.contains(pk)) {
      EXPECT_GT(v, last[pk]) << pk;
    }
    last[pk] = v;
  }
}

TEST_F(StreamTest, InitialShardCountIsConfigurablePerTable) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly, "wide", 4);
  StreamDescription d = Describe(arn);
  EXPECT_EQ(d.shards.size(), 4u);
  for (int i = 0; i < 200; ++i)
    Put("k" + std::to_string(i), i, "wide");
  EXPECT_EQ(ReadAll(arn).size(), 200u);
}

TEST_F(StreamTest, AllChangesOfAPartitionKeyGoToOneShard) {
  TableSpec spec;
  spec.name = "sorted";
  spec.key_schema.partition_key = {"pk", AttributeType::kS};
  spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kN};
  spec.stream = {true, StreamViewType::kKeysOnly, 8};
  auto d = db_->CreateTable(spec);
  ASSERT_TRUE(d.ok());
  for (int p = 0; p < 20; ++p) {
    for (int k = 0; k < 5; ++k) {
      ASSERT_TRUE(db_->Write(WriteOp::Put("sorted", MakeItem({{"pk", S("p" + std::to_string(p))},
                                                              {"sk", N(k)}})))
                      .ok());
    }
  }
  std::map<std::string, std::string> shard_of;
  std::set<std::string> used;
  std::size_t total = 0;
  for (const ShardDescription& shard : Describe(d->latest_stream_arn).shards) {
    auto page = db_->GetRecords(
        Iterator(d->latest_stream_arn, shard.shard_id, ShardIteratorType::kTrimHorizon), 1000);
    ASSERT_TRUE(page.ok());
    for (const StreamRecord& r : page->records) {
      const std::string pk = r.keys.Find("pk")->AsString();
      if (shard_of.contains(pk)) {
        EXPECT_EQ(shard_of[pk], shard.shard_id) << pk;
      }
      shard_of[pk] = shard.shard_id;
      used.insert(shard.shard_id);
      ++total;
    }
  }
  EXPECT_EQ(total, 100u);
  EXPECT_GT(used.size(), 3u);  // 20 keys spread over several of the 8 shards
}

TEST_F(StreamTest, LifecycleKeepsOldStreamsReadable) {
  std::string first = CreateTable(StreamViewType::kKeysOnly);
  Put("a", 1);
  clock_.Advance(kSecond);
  ASSERT_TRUE(db_->UpdateStream("orders", {false, StreamViewType::kKeysOnly}).ok());
  Put("a", 2);  // no stream: no record anywhere
  StreamDescription d = Describe(first);
  EXPECT_EQ(d.status, StreamStatus::kDisabled);
  for (const auto& s : d.shards)
    EXPECT_FALSE(s.ending_sequence_number.empty());
  EXPECT_EQ(ReadAll(first).size(), 1u);

  clock_.Advance(kSecond);
  auto enabled = db_->UpdateStream("orders", {true, StreamViewType::kNewImage});
  ASSERT_TRUE(enabled.ok());
  std::string second = enabled->latest_stream_arn;
  EXPECT_NE(second, first);
  Put("a", 3);
  EXPECT_EQ(ReadAll(first).size(), 1u);
  ASSERT_EQ(ReadAll(second).size(), 1u);
  EXPECT_EQ(ReadAll(second)[0].new_image, MakeItem({{"pk", S("a")}, {"v", N(3)}}));

  auto list = db_->ListStreams({"orders", 100, ""});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->streams.size(), 2u);

  ASSERT_TRUE(db_->DeleteTable("orders").ok());
  EXPECT_EQ(Describe(second).status, StreamStatus::kDisabled);
  EXPECT_EQ(ReadAll(second).size(), 1u);

  // 24 h after they ended, the streams are gone.
  clock_.Advance(26 * 3600 * kSecond);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());
  list = db_->ListStreams({});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->streams.empty());
}

TEST_F(StreamTest, TimeToLiveDeletesAreServiceRemoveRecords) {
  std::string arn = CreateTable(StreamViewType::kNewAndOldImages);
  const auto now_s = static_cast<std::int64_t>(kStart / kSecond);
  auto put = [&](const std::string& pk, std::int64_t expires) {
    ASSERT_TRUE(
        db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S(pk)}, {"expires", N(expires)}})))
            .ok());
  };
  put("past", now_s - 10);
  put("future", now_s + 3600);
  put("ancient", now_s - 6LL * 365 * 24 * 3600);  // > 5 years: DynamoDB leaves it
  put("other", 0);
  ASSERT_TRUE(db_->Write(WriteOp::Put("orders", MakeItem({{"pk", S("no-ttl")}}))).ok());
  EXPECT_TRUE(db_->UpdateTimeToLive("orders", {false, "expires"}).status().IsInvalidArgument());
  ASSERT_TRUE(db_->UpdateTimeToLive("orders", {true, "expires"}).ok());
  EXPECT_TRUE(db_->UpdateTimeToLive("orders", {true, "expires"}).status().IsInvalidArgument());
  auto d = db_->DescribeTable("orders");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->time_to_live.enabled);
  EXPECT_EQ(d->time_to_live.attribute_name, "expires");

  ASSERT_TRUE(impl().RunTimeToLiveSweep().ok());
  EXPECT_FALSE(db_->Get("orders", MakeItem({{"pk", S("past")}}))->has_value());
  EXPECT_TRUE(db_->Get("orders", MakeItem({{"pk", S("future")}}))->has_value());
  EXPECT_TRUE(db_->Get("orders", MakeItem({{"pk", S("ancient")}}))->has_value());
  EXPECT_TRUE(db_->Get("orders", MakeItem({{"pk", S("no-ttl")}}))->has_value());

  std::vector<StreamRecord> records = ReadAll(arn);
  ASSERT_EQ(records.size(), 6u);  // five puts, one TTL delete
  const StreamRecord& removed = records.back();
  EXPECT_EQ(removed.event_name, ChangeType::kRemove);
  EXPECT_TRUE(removed.by_service);
  EXPECT_EQ(removed.keys, MakeItem({{"pk", S("past")}}));
  for (std::size_t i = 0; i + 1 < records.size(); ++i)
    EXPECT_FALSE(records[i].by_service);

  // Time passes: "future" expires too; after a restart the flag is still there.
  clock_.Advance(7200 * kSecond);
  ASSERT_TRUE(impl().RunTimeToLiveSweep().ok());
  Reopen();
  records = ReadAll(arn);
  ASSERT_EQ(records.size(), 7u);
  EXPECT_TRUE(records[5].by_service);
  EXPECT_TRUE(records[6].by_service);
  EXPECT_EQ(records[6].keys, MakeItem({{"pk", S("future")}}));
  ASSERT_TRUE(db_->UpdateTimeToLive("orders", {false, "expires"}).ok());
}

TEST_F(StreamTest, ListStreamsPages) {
  for (int i = 0; i < 5; ++i)
    CreateTable(StreamViewType::kKeysOnly, "table" + std::to_string(i));
  auto page = db_->ListStreams({"", 2, ""});
  ASSERT_TRUE(page.ok());
  std::size_t total = 0;
  while (true) {
    total += page->streams.size();
    if (page->last_evaluated_stream_arn.empty()) break;
    page = db_->ListStreams({"", 2, page->last_evaluated_stream_arn});
    ASSERT_TRUE(page.ok());
  }
  EXPECT_EQ(total, 5u);
  EXPECT_TRUE(db_->ListStreams({"", 0, ""}).status().IsInvalidArgument());
}

TEST_F(StreamTest, TransactionsGiveOneRecordPerChangedItem) {
  std::string arn = CreateTable(StreamViewType::kNewImage);
  Put("same", 1);
  std::vector<WriteOp> ops = {
      WriteOp::Put("orders", MakeItem({{"pk", S("x")}, {"v", N(1)}})),
      WriteOp::Put("orders", MakeItem({{"pk", S("y")}, {"v", N(1)}})),
      WriteOp::Put("orders", MakeItem({{"pk", S("same")}, {"v", N(1)}})),  // no-op
  };
  std::vector<WriteOutcome> outcomes;
  ASSERT_TRUE(db_->Transact(ops, &outcomes).ok());
  EXPECT_EQ(ReadAll(arn).size(), 3u);
}

TEST_F(StreamTest, RecordsAreIdenticalAfterARestart) {
  std::string arn = CreateTable(StreamViewType::kNewAndOldImages);
  for (int i = 0; i < 50; ++i)
    Put("k" + std::to_string(i % 7), i);
  clock_.Advance(4 * 3600 * kSecond);
  ASSERT_TRUE(impl().RunStreamMaintenance().ok());  // a rollover, logged
  for (int i = 50; i < 80; ++i)
    Put("k" + std::to_string(i % 7), i);
  std::vector<StreamRecord> before = ReadAll(arn);
  StreamDescription shape = Describe(arn);
  ASSERT_EQ(before.size(), 80u);

  Reopen();
  std::vector<StreamRecord> after = ReadAll(arn);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].sequence_number, before[i].sequence_number);
    EXPECT_EQ(after[i].event_id, before[i].event_id);
    EXPECT_EQ(after[i].new_image, before[i].new_image);
    EXPECT_EQ(after[i].old_image, before[i].old_image);
    EXPECT_EQ(after[i].approximate_creation_time_us, before[i].approximate_creation_time_us);
  }
  StreamDescription again = Describe(arn);
  ASSERT_EQ(again.shards.size(), shape.shards.size());
  for (std::size_t i = 0; i < shape.shards.size(); ++i) {
    EXPECT_EQ(again.shards[i].shard_id, shape.shards[i].shard_id);
    EXPECT_EQ(again.shards[i].ending_sequence_number, shape.shards[i].ending_sequence_number);
  }
  // Writing goes on after the restart without doubling anything.
  Put("new", 1);
  EXPECT_EQ(ReadAll(arn).size(), 81u);
}

TEST_F(StreamTest, AStreamRebuildsFromTheLogWhenItsSegmentsAreGone) {
  std::string arn = CreateTable(StreamViewType::kNewImage);
  for (int i = 0; i < 20; ++i)
    Put("k" + std::to_string(i), i);
  std::vector<StreamRecord> before = ReadAll(arn);
  db_.reset();
  std::filesystem::remove_all(dir_.path() + "/streams");
  Reopen();
  std::vector<StreamRecord> after = ReadAll(arn);
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(after[i].event_id, before[i].event_id);
}

TEST_F(StreamTest, AWaitingReaderWakesOnAWrite) {
  std::string arn = CreateTable(StreamViewType::kKeysOnly);
  std::string it = Iterator(arn, Describe(arn).shards[0].shard_id, ShardIteratorType::kLatest);
  auto nothing = db_->WaitForRecords(it, std::chrono::milliseconds(1));
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(*nothing);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Put("woke", 1);
  });
  auto woke = db_->WaitForRecords(it, std::chrono::seconds(10));
  writer.join();
  ASSERT_TRUE(woke.ok());
  EXPECT_TRUE(*woke);
  auto page = db_->GetRecords(it, 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->records.size(), 1u);
}

TEST_F(StreamTest, AShardReaderKeepsItsPlaceAcrossSegments) {
  options_.stream_segment_bytes = 64 << 10;  // many small segments
  Reopen();
  std::string arn = CreateTable(StreamViewType::kNewImage);
  std::string shard = Describe(arn).shards[0].shard_id;
  auto reader = db_->OpenShardReader(Iterator(arn, shard, ShardIteratorType::kTrimHorizon));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::thread writer([&] {
    for (int i = 0; i < 3000; ++i)
      Put("k" + std::to_string(i % 50), i + 1);
  });
  std::vector<StreamRecord> seen;
  while (seen.size() < 3000) {
    auto n = (*reader)->Read(
        100, [&](const StreamRecordView& v) { seen.push_back((*reader)->Decode(v)); });
    ASSERT_TRUE(n.ok());
    if (*n == 0) (*reader)->Wait(std::chrono::milliseconds(50));
  }
  writer.join();
  std::vector<StreamRecord> all = ReadAll(arn);
  ASSERT_EQ(all.size(), seen.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(seen[i].sequence_number, all[i].sequence_number);
    EXPECT_EQ(seen[i].event_id, all[i].event_id);
    EXPECT_EQ(seen[i].new_image, all[i].new_image);
  }
  // Its position works as an iterator, and the shard ends once disabled.
  Put("last", 1);
  auto page = db_->GetRecords((*reader)->shard_iterator(), 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  ASSERT_TRUE(db_->UpdateStream("orders", {false, StreamViewType::kNewImage}).ok());
  EXPECT_TRUE((*reader)->Wait(std::chrono::seconds(5)));
  auto n = (*reader)->Read(100, [](const StreamRecordView&) {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_TRUE((*reader)->ended());
}

// Writers on several threads, readers tailing at the same time: every
// reader sees every change exactly once, in per-item order.
TEST_F(StreamTest, ConcurrentWritersAndReadersSeeEachChangeOnceInOrder) {
  std::string arn = CreateTable(StreamViewType::kNewImage);
  std::string shard = Describe(arn).shards[0].shard_id;
  constexpr int kWriters = 4, kPerWriter = 2000, kReaders = 3;
  std::atomic<bool> done{false};
  std::vector<std::vector<StreamRecord>> seen(kReaders);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      std::string it = Iterator(arn, shard, ShardIteratorType::kTrimHorizon);
      while (true) {
        const bool finished = done.load();
        auto page = db_->GetRecords(it, 1000);
        ASSERT_TRUE(page.ok());
        for (auto& rec : page->records)
          seen[r].push_back(std::move(rec));
        it = page->next_shard_iterator;
        if (finished && page->records.empty()) break;
        if (page->records.empty()) {
          db_->WaitForRecords(it, std::chrono::milliseconds(5)).status().IgnoreError();
        }
      }
    });
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        Put("w" + std::to_string(w) + "-" + std::to_string(i % 10), i + 1);
      }
    });
  }
  for (auto& t : writers)
    t.join();
  done = true;
  for (auto& t : readers)
    t.join();
  for (int r = 0; r < kReaders; ++r) {
    ASSERT_EQ(seen[r].size(), static_cast<std::size_t>(kWriters * kPerWriter)) << r;
    std::map<std::string, std::int64_t> last;
    for (std::size_t i = 0; i < seen[r].size(); ++i) {
      if (i > 0) {
        EXPECT_LT(seen[r][i - 1].sequence_number, seen[r][i].sequence_number);
      }
      const std::string pk = seen[r][i].keys.Find("pk")->AsString();
      std::int64_t v = std::stoll(seen[r][i].new_image->Find("v")->AsNumber().ToString());
      EXPECT_GT(v, last[pk]);
      last[pk] = v;
    }
  }
}

}  // namespace
}  // namespace eddy::stream_test
