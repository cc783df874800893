// Memtable flush, table files and compaction, one behaviour per test
// (docs/flush_and_compaction.md): a restart loads only the log tail;
// DeleteTable's items never come back from files and compaction drops them;
// a damaged table file reads as Corruption naming the file and offset; files
// no manifest names are removed at open; concurrent read-modify-writes lose
// nothing across memtable switches; files that hold whole items (written
// before stored items, common/stored_item.h) read as before. The randomized run is in
// flush_model_test.cc, the SIGKILL test in flush_crash_test.cc.
#include <atomic>
#include <fstream>
#include <thread>

#include "common/stored_item.h"
#include "compaction/manifest.h"
#include "compaction/table_builder.h"
#include "compaction/table_reader.h"
#include "eddy/update.h"
#include "engine/catalog.h"
#include "engine/table_key.h"
#include "tests/engine/flush_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::flush_test {
namespace {

using namespace flush_testing;  // NOLINT: the test's own vocabulary

Status PutN(Db* db, const std::string& table, int n, int pad, int version) {
  for (int i = 0; i < n; ++i) {
    Item item = MakeItem({0, SortKey(i)}, static_cast<std::uint64_t>(version), pad);
    EDDY_RETURN_IF_ERROR(db->Write(WriteOp::Put(table, item), nullptr));
  }
  return Status::Ok();
}

TEST_F(FlushTest, RestartDoesNotReloadFlushedItems) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  ASSERT_TRUE(PutN(db_.get(), kTable, 4000, 500, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_GT(impl()->FlushedLsn(), 0u);
  EXPECT_GT(impl()->FlushCount(), 10u);
  ASSERT_TRUE(db_->Close().ok());
  ASSERT_NO_FATAL_FAILURE(Open());
  // 2 MB of items; only the unflushed tail (under one budget) is in memory.
  EXPECT_LT(impl()->MemtableBytes(), 2 * MakeOptions().memtable_budget_bytes);
  EXPECT_GT(impl()->TableFileCount(), 0u);
  auto desc = db_->DescribeTable(kTable);
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->item_count, 4000u);
  for (int i = 0; i < 4000; i += 37) {
    auto got = db_->Get(kTable, KeyItem({0, SortKey(i)}));
    ASSERT_TRUE(got.ok() && got->has_value()) << i;
    EXPECT_TRUE(**got == MakeItem({0, SortKey(i)}, 1, 500)) << i;
  }
}

TEST_F(FlushTest, DeletedTableItemsDoNotReappear) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_GT(impl()->TableFileCount(), 0u);
  ASSERT_TRUE(db_->DeleteTable(kTable).ok());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto got = db_->Get(kTable, KeyItem({0, SortKey(5)}));
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
    ScanRequest s;
    s.table = kTable;
    auto scan = db_->Scan(s);
    ASSERT_TRUE(scan.ok());
    EXPECT_EQ(scan->items.size(), static_cast<std::size_t>(reopen));
    QueryRequest q;
    q.table = kTable;
    q.partition_key = AttributeValue::S("p0");
    q.forward = false;
    auto query = db_->Query(q);
    ASSERT_TRUE(query.ok());
    EXPECT_EQ(query->items.size(), static_cast<std::size_t>(reopen));
    EXPECT_EQ(db_->DescribeTable(kTable)->item_count, static_cast<std::uint64_t>(reopen));
    if (reopen == 0) {
      // A put into the new table is an insert: nothing old shows through.
      WriteOp op = WriteOp::Put(kTable, MakeItem({0, SortKey(7)}, 2, 10));
      op.return_values = ReturnValues::kAllOld;
      WriteOutcome out;
      ASSERT_TRUE(db_->Write(op, &out).ok());
      EXPECT_EQ(out.change, ChangeType::kInsert);
      EXPECT_FALSE(out.attributes.has_value());
    }
    ASSERT_TRUE(db_->Close().ok());
    ASSERT_NO_FATAL_FAILURE(Open());
  }
}

// Compaction drops a deleted table's items from disk, not just from view.
TEST_F(FlushTest, CompactionDropsDeletedTablesItems) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable("gone"));
  ASSERT_TRUE(PutN(db_.get(), "gone", 1000, 300, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_TRUE(db_->DeleteTable("gone").ok());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, 2).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_TRUE(impl()->CompactUntilDone().ok());
  std::uint64_t file_bytes = 0;
  for (const std::string& f : TableFiles())
    file_bytes += std::filesystem::file_size(f);
  // One table's 1000 items of ~330 bytes are on disk, not two tables'.
  EXPECT_LT(file_bytes, 500'000u);
  EXPECT_GT(file_bytes, 300'000u);
  for (int reopen = 0; reopen < 2; ++reopen) {
    for (int i = 0; i < 1000; i += 13) {
      auto got = db_->Get(kTable, KeyItem({0, SortKey(i)}));
      ASSERT_TRUE(got.ok() && got->has_value()) << i;
      EXPECT_TRUE(**got == MakeItem({0, SortKey(i)}, 2, 300));
    }
    ASSERT_TRUE(db_->Close().ok());
    ASSERT_NO_FATAL_FAILURE(Open());
  }
}

// Under overwrites, once compaction has caught up the table files hold at
// most Options::compaction_max_space_amp times the bytes of the last full
// merge (the oldest file), and the setting changes how much garbage stays.
TEST_F(FlushTest, CompactionKeepsTableFilesWithinTheConfiguredSpaceAmplification) {
  double worst_at[2] = {0, 0};
  const double amps[2] = {1.1, 1.5};
  for (int a = 0; a < 2; ++a) {
    Options o = MakeOptions();
    o.dir = dir_.Sub("amp" + std::to_string(a));
    o.compaction_max_space_amp = amps[a];
    ASSERT_NO_FATAL_FAILURE(OpenWith(o));
    ASSERT_NO_FATAL_FAILURE(CreateTable());
    int full_merges_seen = 0;
    for (int round = 1; round <= 12; ++round) {
      ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, round).ok());
      ASSERT_TRUE(impl()->WaitForFlushes().ok());
      ASSERT_TRUE(impl()->CompactUntilDone().ok());
      const std::vector<std::uint64_t> files = impl()->TableFileBytes();
      ASSERT_FALSE(files.empty());
      double total = 0;
      for (std::uint64_t b : files)
        total += static_cast<double>(b);
      const double amp = total / static_cast<double>(files.back());
      EXPECT_LE(amp, amps[a]) << "round " << round;
      worst_at[a] = std::max(worst_at[a], amp);
      if (files.size() == 1 && round > 1) ++full_merges_seen;
    }
    EXPECT_GT(full_merges_seen, 0);
    for (int i = 0; i < 1000; i += 97) {
      auto got = db_->Get(kTable, KeyItem({0, SortKey(i)}));
      ASSERT_TRUE(got.ok() && got->has_value()) << i;
      EXPECT_TRUE(**got == MakeItem({0, SortKey(i)}, 12, 300)) << i;
    }
    ASSERT_TRUE(db_->Close().ok());
    db_.reset();
  }
  // The looser bound let more garbage stay at some point.
  EXPECT_GT(worst_at[1], amps[0]);
}

TEST_F(FlushTest, BloomBitsPerKeyDecideHowOftenAnAbsentKeyReadsATableBlock) {
  std::uint64_t lookups[2] = {0, 0};
  const std::uint32_t bits[2] = {0, 20};
  for (int b = 0; b < 2; ++b) {
    Options o = MakeOptions();
    o.dir = dir_.Sub("bloom" + std::to_string(b));
    o.table_bloom_bits_per_key = bits[b];
    ASSERT_NO_FATAL_FAILURE(OpenWith(o));
    ASSERT_NO_FATAL_FAILURE(CreateTable());
    ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, 1).ok());
    ASSERT_TRUE(impl()->WaitForFlushes().ok());
    ASSERT_TRUE(impl()->CompactUntilDone().ok());
    ASSERT_GT(impl()->TableFileCount(), 0u);
    const std::uint64_t before = impl()->TableBlockLookups();
    // Keys between the written ones: inside the files' key ranges, so only
    // the filters can turn the reads away.
    for (int i = 0; i < 999; ++i) {
      auto got = db_->Get(kTable, KeyItem({0, SortKey(i) + "x"}));
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_FALSE(got->has_value()) << i;
    }
    lookups[b] = impl()->TableBlockLookups() - before;
    ASSERT_TRUE(db_->Close().ok());
    db_.reset();
  }
  // No filter: every read within a file's range reads a block (the last
  // few keys written may be only in the memtable, outside every range).
  EXPECT_GE(lookups[0], 900u);
  EXPECT_LT(lookups[1], 10u);  // 20 bits: about 0.03 % false positives per file
}

TEST_F(FlushTest, AFlushedMemtablesArenaBlocksWaitForTheNextMemtable) {
  Options o = MakeOptions();
  ASSERT_NO_FATAL_FAILURE(OpenWith(o));
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  EXPECT_EQ(impl()->RetainedArenaBytes(), 0u);
  ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_GT(impl()->FlushCount(), 0u);
  // Some of what the flushed memtables took is kept, never more than one
  // budget and two blocks.
  const std::size_t retained = impl()->RetainedArenaBytes();
  EXPECT_GT(retained, 0u);
  EXPECT_LE(retained, o.memtable_budget_bytes + 2 * o.memtable_budget_bytes / 8 + 64);
  // The items read back whole from the files and the reused memory alike.
  ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, 2).ok());
  for (int i = 0; i < 1000; i += 97) {
    auto got = db_->Get(kTable, KeyItem({0, SortKey(i)}));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << i;
    EXPECT_TRUE(**got == MakeItem({0, SortKey(i)}, 2, 300)) << i;
  }
}

TEST_F(FlushTest, BloomBitsPerKeyAboveFortyAreRejected) {
  Options o = MakeOptions();
  o.table_bloom_bits_per_key = 41;
  auto opened = Db::Open(o);
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(opened.status().IsInvalidArgument()) << opened.status().ToString();
}

// What the manifest-LSN test's flush hook sees (the hook is a plain
// function, called on the flush thread).
struct ManifestWatch {
  std::atomic<engine::DbImpl*> db{nullptr};
  std::string manifest_path;
  std::atomic<Lsn> durable_before_write{0};
  std::atomic<int> checked{0};
  std::atomic<int> ahead_of_the_log{0};
};
ManifestWatch manifest_watch;

void WatchManifestLsns(std::string_view point) {
  engine::DbImpl* db = manifest_watch.db.load();
  if (db == nullptr) return;
  if (point == "flush:recording") {
    manifest_watch.durable_before_write = db->log().durable_lsn();
  } else if (point == "flush:recorded") {
    std::ifstream in(manifest_watch.manifest_path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto manifest = compaction::DecodeManifest(bytes, manifest_watch.manifest_path);
    if (!manifest.ok()) return;
    engine::Catalog scratch;
    auto lsns = scratch.Restore(manifest->catalog);
    if (!lsns.ok()) return;
    const Lsn durable = manifest_watch.durable_before_write.load();
    if (lsns->catalog > durable || manifest->flushed_lsn > durable)
      ++manifest_watch.ahead_of_the_log;
    ++manifest_watch.checked;
  }
}

// The next run's log continues above every LSN a manifest names, so the
// manifest may name only LSNs already durable in the log when it is
// written: otherwise a kill right after it loses the records in between
// and leaves the log a hole that the following open reports as Corruption
// (seen once in FlushCrashTest under ASan). Mode none: records become
// durable only when something syncs the log.
TEST_F(FlushTest, AManifestNamesOnlyLsnsAlreadyDurableInTheLog) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  manifest_watch.manifest_path = dir_.Sub("tables") + "/" + compaction::kManifestName;
  manifest_watch.db = impl();
  engine::DbImpl::SetFlushHookForTesting(&WatchManifestLsns);
  Status written = PutN(db_.get(), kTable, 2000, 300, 1);
  Status flushed = impl()->WaitForFlushes();
  engine::DbImpl::SetFlushHookForTesting(nullptr);
  manifest_watch.db = nullptr;
  ASSERT_TRUE(written.ok()) << written.ToString();
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  EXPECT_GT(manifest_watch.checked.load(), 3);
  EXPECT_EQ(manifest_watch.ahead_of_the_log.load(), 0);
}

TEST_F(FlushTest, SpaceAmplificationBelowOnePointZeroFiveIsRejected) {
  Options o = MakeOptions();
  o.compaction_max_space_amp = 1.0;
  auto opened = Db::Open(o);
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(opened.status().IsInvalidArgument()) << opened.status().ToString();
}

TEST_F(FlushTest, DamagedTableFileReadsAsCorruptionNamingFileAndOffset) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  ASSERT_TRUE(PutN(db_.get(), kTable, 2000, 200, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  const std::vector<std::string> files = TableFiles();
  ASSERT_FALSE(files.empty());
  const std::string victim = files.front();  // the oldest: its keys are nowhere newer
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    char c = 0;
    f.read(&c, 1);
    f.seekp(100);
    c = static_cast<char>(c ^ 0x40);
    f.write(&c, 1);
  }
  ASSERT_NO_FATAL_FAILURE(Open());
  const std::string name = std::filesystem::path(victim).filename().string();
  int corrupt = 0;
  for (int i = 0; i < 2000; ++i) {
    auto got = db_->Get(kTable, KeyItem({0, SortKey(i)}));
    if (!got.ok()) {
      ASSERT_TRUE(got.status().IsCorruption()) << got.status().ToString();
      EXPECT_NE(got.status().ToString().find(name), std::string::npos) << got.status().ToString();
      EXPECT_NE(got.status().ToString().find("offset"), std::string::npos)
          << got.status().ToString();
      ++corrupt;
      continue;
    }
    ASSERT_TRUE(got->has_value()) << i;  // never "absent" instead of an error
    ASSERT_TRUE(**got == MakeItem({0, SortKey(i)}, 1, 200)) << i;
  }
  EXPECT_GT(corrupt, 0);
  ScanRequest s;
  s.table = kTable;
  s.limit = 5000;
  Status scan = Status::Ok();
  for (int page = 0; page < 1000 && scan.ok(); ++page) {
    auto r = db_->Scan(s);
    scan = r.status();
    if (!r.ok() || !r->last_evaluated_key) break;
    s.exclusive_start_key = r->last_evaluated_key;
  }
  EXPECT_TRUE(scan.IsCorruption()) << scan.ToString();
  // A write that must read the damaged item fails rather than guess.
  WriteOp op = WriteOp::Put(kTable, MakeItem({0, SortKey(0)}, 9, 5));
  Status w = db_->Write(op, nullptr);
  EXPECT_TRUE(w.ok() || w.IsCorruption()) << w.ToString();
}

TEST_F(FlushTest, FilesNoManifestNamesAreRemovedAtOpen) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  ASSERT_TRUE(PutN(db_.get(), kTable, 1000, 300, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  for (const char* stray : {"999999.sst", "MANIFEST.tmp"}) {
    std::ofstream(dir_.Sub(std::string("tables/") + stray)) << "half written";
  }
  ASSERT_NO_FATAL_FAILURE(Open());
  EXPECT_EQ(TableFiles().size(), impl()->TableFileCount());
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("tables/999999.sst")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("tables/MANIFEST.tmp")));
  EXPECT_EQ(db_->DescribeTable(kTable)->item_count, 1000u);
}

// Writers increment counters (read-modify-write through the write path)
// while readers query and memtables switch and flush underneath: an
// increment that read the item from a source older than the newest, or put
// its new version into a memtable no one reads first, would be lost.
// Rewrites every table file with whole items (key attributes included), as
// files written before stored items hold them; returns the entries rewritten.
int RewriteTablesWithWholeItems(const std::vector<std::string>& files, const KeySchema& schema) {
  int rewritten = 0;
  for (const std::string& path : files) {
    auto reader = compaction::TableReader::Open(wal::Env::Default(), path, 1, nullptr);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return -1;
    compaction::TableWriteOptions options;
    options.env = wal::Env::Default();
    options.path = path + ".whole";
    auto builder = compaction::TableBuilder::Create(options);
    EXPECT_TRUE(builder.ok()) << builder.status().ToString();
    if (!builder.ok()) return -1;
    std::unique_ptr<compaction::EntryIterator> it = (*reader)->NewIterator();
    std::string whole;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      compaction::TableEntry e = it->entry();
      if (!e.deletion) {
        Result<Item> key = DecodeKey(engine::ItemKeyPart(e.key), schema);
        EXPECT_TRUE(key.ok() && RestoreKeyAttributes(e.value, *key, schema, &whole).ok());
        EXPECT_GT(whole.size(), e.value.size());  // the file held stored items
        e.value = whole;
        ++rewritten;
      }
      EXPECT_TRUE((*builder)->Add(e).ok());
    }
    EXPECT_TRUE(it->status().ok());
    EXPECT_TRUE((*builder)->Finish().ok());
    std::filesystem::rename(path + ".whole", path);
  }
  return rewritten;
}

TEST_F(FlushTest, TableFilesHoldingWholeItemsReadAsBefore) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  constexpr int kItems = 1500;
  ASSERT_TRUE(PutN(db_.get(), kTable, kItems, 200, 1).ok());
  ASSERT_TRUE(impl()->WaitForFlushes().ok());
  ASSERT_TRUE(db_->Close().ok());
  db_.reset();
  KeySchema schema;
  schema.partition_key = {"pk", AttributeType::kS};
  schema.sort_key = KeyAttribute{"sk", AttributeType::kS};
  ASSERT_GT(RewriteTablesWithWholeItems(TableFiles(), schema), kItems / 2);

  ASSERT_NO_FATAL_FAILURE(Open());
  for (int i = 0; i < kItems; ++i) {
    auto got = db_->Get(kTable, KeyItem({0, SortKey(i)}));
    ASSERT_TRUE(got.ok() && got->has_value()) << i;
    ASSERT_EQ(**got, MakeItem({0, SortKey(i)}, 1, 200)) << i;
  }
  QueryRequest q;
  q.table = kTable;
  q.partition_key = AttributeValue::S("p0");
  auto page = db_->Query(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), static_cast<std::size_t>(kItems));
  EXPECT_EQ(page->items[7], MakeItem({0, SortKey(7)}, 1, 200));
  // Writing an item again changes nothing, whichever form holds it; a real
  // change and an update see the whole old item.
  for (int i = 0; i < kItems; i += 50) {
    WriteOutcome same;
    ASSERT_TRUE(db_->Write(WriteOp::Put(kTable, MakeItem({0, SortKey(i)}, 1, 200)), &same).ok());
    EXPECT_EQ(same.change, ChangeType::kNone) << i;
  }
  WriteOutcome changed;
  ASSERT_TRUE(db_->Write(WriteOp::Put(kTable, MakeItem({0, SortKey(3)}, 2, 200)), &changed).ok());
  EXPECT_EQ(changed.change, ChangeType::kModify);
  const Update touch{upd::Set(Path("t"), AttributeValue::Bool(true))};
  WriteOp update = WriteOp::UpdateItem(kTable, KeyItem({0, SortKey(4)}), &touch);
  update.return_values = ReturnValues::kAllNew;
  WriteOutcome updated;
  ASSERT_TRUE(db_->Write(update, &updated).ok());
  Item expected = MakeItem({0, SortKey(4)}, 1, 200);
  expected.Set("t", AttributeValue::Bool(true));
  ASSERT_TRUE(updated.attributes.has_value());
  EXPECT_EQ(*updated.attributes, expected);
}

TEST_F(FlushTest, IncrementsSurviveMemtableSwitchesUnderConcurrency) {
  ASSERT_NO_FATAL_FAILURE(Open());
  ASSERT_NO_FATAL_FAILURE(CreateTable());
  constexpr int kWriters = 4, kKeys = 40, kIncrements = 600;
  const Update inc{upd::Set(
      Path("c"), upd::Plus(upd::IfNotExists(Path("c"), AttributeValue::N(Number::FromInt64(0))),
                           AttributeValue::N(Number::FromInt64(1))))};
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kIncrements; ++i) {
        // Every writer hits every key: the key locks order them.
        const Item key = KeyItem({0, SortKey((i * 7 + w) % kKeys)});
        if (!db_->Write(WriteOp::UpdateItem(kTable, key, &inc), nullptr).ok()) ++failures;
        // Bulk that fills memtables, on keys of the writer's own.
        const Item bulk =
            MakeItem({1, SortKey(w * 1000 + i % 50)}, static_cast<std::uint64_t>(i), 700);
        if (!db_->Write(WriteOp::Put(kTable, bulk), nullptr).ok()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    while (!done.load()) {
      QueryRequest q;
      q.table = kTable;
      q.partition_key = AttributeValue::S("p0");
      q.forward = false;
      if (!db_->Query(q).ok()) ++failures;
    }
  });
  for (int w = 0; w < kWriters; ++w)
    threads[static_cast<std::size_t>(w)].join();
  done = true;
  threads.back().join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_GT(impl()->FlushCount(), 5u);
  for (int reopen = 0; reopen < 2; ++reopen) {
    std::int64_t total = 0;
    for (int k = 0; k < kKeys; ++k) {
      auto got = db_->Get(kTable, KeyItem({0, SortKey(k)}));
      ASSERT_TRUE(got.ok() && got->has_value());
      total += std::stoll((*got)->Find("c")->AsNumber().ToString());
    }
    EXPECT_EQ(total, kWriters * kIncrements);
    ASSERT_TRUE(db_->Close().ok());
    ASSERT_NO_FATAL_FAILURE(Open());
  }
}

}  // namespace
}  // namespace eddy::flush_test
