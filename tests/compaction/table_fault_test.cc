// Table writes through the fault-injecting Env: a failed write or sync is an
// error and nothing claims success; short writes are resubmitted; a written
// table survives a power loss once its directory is synced; a failing read
// is an IOError, never data.
#include <gtest/gtest.h>

#include "compaction/table_builder.h"
#include "compaction/table_reader.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::table_fault_test {
namespace {

using testing::Model;
using testing::RandomModel;

class TableFault : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mem_.CreateDirIfMissing("/db").ok());
    // ~1.3 MB of table: many 64 KiB writes, several in flight.
    model_ = RandomModel({.entries = 20'000, .max_value_bytes = 120, .seed = 3});
  }

  TableWriteOptions Options(bool direct_io = true) {
    return {.env = &fault_,
            .path = "/db/1.sst",
            .direct_io = direct_io,
            .write_buffer_bytes = 64 * 1024,
            .writes_in_flight = 4};
  }

  void ExpectReadsBack() {
    auto table = TableReader::Open(&fault_, "/db/1.sst", 1, nullptr);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    auto it = (*table)->NewIterator();
    auto want = model_.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++want) {
      ASSERT_NE(want, model_.end());
      testing::ExpectSameEntry(it->entry(), want->second);
    }
    EXPECT_TRUE(it->status().ok());
    EXPECT_EQ(want, model_.end());
  }

  wal::testing::MemEnv mem_;
  wal::testing::FaultEnv fault_{&mem_};
  Model model_;
};

TEST_F(TableFault, FailedWriteIsAnErrorAndLeavesNoFile) {
  for (std::uint64_t nth : {1, 2, 5, 12}) {
    fault_.ClearFaults();
    fault_.FailWrites(nth);
    Result<TableFileInfo> info = testing::WriteModel(Options(), model_);
    ASSERT_FALSE(info.ok()) << "write " << nth;
    EXPECT_TRUE(info.status().IsIOError()) << info.status().ToString();
    EXPECT_FALSE(mem_.Exists("/db/1.sst"));
  }
  EXPECT_GT(fault_.counters().injected_errors, 0u);
}

TEST_F(TableFault, FailedSyncIsAnError) {
  fault_.FailDatasyncs(1);
  Result<TableFileInfo> info = testing::WriteModel(Options(), model_);
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(info.status().IsIOError()) << info.status().ToString();
  EXPECT_FALSE(mem_.Exists("/db/1.sst"));
}

TEST_F(TableFault, EveryWriteFailingAfterSomePointIsAnError) {
  fault_.FailWrites(3, /*every_after=*/true);
  EXPECT_FALSE(testing::WriteModel(Options(false), model_).ok());
  fault_.ClearFaults();
  fault_.SetCrashed(true);
  EXPECT_FALSE(testing::WriteModel(Options(), model_).ok());
}

TEST_F(TableFault, ShortWritesAreResubmitted) {
  fault_.ShortenWrites(1, /*every_after=*/true);
  Result<TableFileInfo> info = testing::WriteModel(Options(false), model_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_GT(fault_.counters().short_writes, 10u);
  fault_.ClearFaults();
  ExpectReadsBack();
}

TEST_F(TableFault, ShortDirectWritesAreResubmitted) {
  fault_.ShortenWrites(1, /*every_after=*/true);
  Result<TableFileInfo> info = testing::WriteModel(Options(true), model_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_GT(fault_.counters().short_writes, 10u);
  fault_.ClearFaults();
  ExpectReadsBack();
}

TEST_F(TableFault, WrittenTableSurvivesPowerLossOnceItsDirectoryIsSynced) {
  std::uint64_t syncs_before = fault_.counters().datasyncs;
  Result<TableFileInfo> info = testing::WriteModel(Options(), model_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(fault_.counters().datasyncs, syncs_before + 1);
  ASSERT_TRUE(fault_.SyncDir("/db").ok());
  mem_.DropUnsyncedData();
  ExpectReadsBack();
  EXPECT_EQ(mem_.depth_violations(), 0u);
}

TEST_F(TableFault, FailingReadsAreIoErrorsNotData) {
  ASSERT_TRUE(testing::WriteModel(Options(), model_).ok());
  auto table = TableReader::Open(&fault_, "/db/1.sst", 1, nullptr);
  ASSERT_TRUE(table.ok());
  fault_.SetCrashed(true);
  auto got = (*table)->Get(model_.begin()->first);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsIOError()) << got.status().ToString();
  auto it = (*table)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  fault_.SetCrashed(false);
  auto again = (*table)->Get(model_.begin()->first);
  ASSERT_TRUE(again.ok() && again->has_value());
}

}  // namespace
}  // namespace eddy::compaction::table_fault_test
