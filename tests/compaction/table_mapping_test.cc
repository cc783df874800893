// Table files read through a memory mapping (the real Env's default): the
// same entries as positional reads, damage on disk reported as Corruption
// naming the file and the block, and blocks that stay readable after their
// reader is gone (the mapping lives as long as any block of it).
#include <gtest/gtest.h>

#include <fstream>

#include "compaction/table_reader.h"
#include "support/temp_dir.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::table_mapping_test {
namespace {

using testing::Model;
using testing::RandomModel;

class TableMapping : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = RandomModel({.entries = 5'000, .seed = 77});
    TableWriteOptions options;
    options.env = wal::Env::Default();
    options.path = path_;
    Result<TableFileInfo> info = testing::WriteModel(options, model_);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
  }

  Result<std::unique_ptr<TableReader>> Open(bool map_file, BlockCache* cache = nullptr) {
    TableReaderOptions options;
    options.env = wal::Env::Default();
    options.path = path_;
    options.file_number = 1;
    options.cache = cache;
    options.map_file = map_file;
    return TableReader::Open(options);
  }

  void FlipByteOnDisk(std::uint64_t offset) {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(&c, 1);
    ASSERT_TRUE(f.good());
  }

  eddy::testing::TempDir dir_{"table-mapping"};
  const std::string path_ = dir_.Sub("000001.sst");
  Model model_;
};

TEST_F(TableMapping, MappedAndPositionalReadsReturnTheSameEntries) {
  for (bool map_file : {true, false}) {
    SCOPED_TRACE(map_file ? "mapped" : "pread");
    BlockCache cache(1 << 20);
    auto table = Open(map_file, &cache);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    // Twice: the second pass reads blocks the cache kept.
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& [key, want] : model_) {
        auto got = (*table)->Get(key);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ASSERT_TRUE(got->has_value()) << "missing key";
        testing::ExpectSameEntry((*got)->view(), want);
      }
    }
    auto it = (*table)->NewIterator();
    auto want = model_.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++want) {
      ASSERT_NE(want, model_.end()) << "invented entry";
      testing::ExpectSameEntry(it->entry(), want->second);
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(want, model_.end());
  }
}

TEST_F(TableMapping, AByteFlippedOnDiskIsCorruptionOfItsBlock) {
  FlipByteOnDisk(100);  // inside the first data block, which starts at 0
  for (bool map_file : {true, false}) {
    SCOPED_TRACE(map_file ? "mapped" : "pread");
    auto table = Open(map_file);
    ASSERT_TRUE(table.ok()) << "data blocks are not read at open";
    auto got = (*table)->Get(model_.begin()->first);
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(got.status().IsCorruption()) << got.status().ToString();
    EXPECT_NE(got.status().message().find("table " + path_ + ": bad checksum in block at offset 0"),
              std::string::npos)
        << got.status().ToString();
  }
}

TEST_F(TableMapping, ABlockOutlivesItsReaderAndItsMapping) {
  auto table = Open(true);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  Block::Iter index(&(*table)->index_block());
  index.SeekToFirst();
  ASSERT_TRUE(index.Valid());
  auto handle = (*table)->DecodeDataHandle(index.value(), (*table)->index_offset());
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();
  auto block = (*table)->ReadDataBlock(*handle, false);
  ASSERT_TRUE(block.ok()) << block.status().ToString();
  table->reset();  // closes the file; the block still holds the mapping

  Block::Iter it(block->get());
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), model_.begin()->first);
}

}  // namespace
}  // namespace eddy::compaction::table_mapping_test
