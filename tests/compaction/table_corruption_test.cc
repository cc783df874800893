// Damaged table files: a flipped byte anywhere a checksum covers, or a
// truncated file, is reported as Corruption naming the file and the offset,
// and no entry that differs from what was written is ever returned.
#include <gtest/gtest.h>

#include "compaction/format.h"
#include "compaction/table_reader.h"
#include "support/mem_env.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::table_corruption_test {
namespace {

using testing::Model;
using testing::RandomModel;

class TableCorruption : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.CreateDirIfMissing("/db").ok()); }

  void Write(const Model& model, bool direct_io, std::uint32_t block_bytes = 4096) {
    model_ = model;
    TableWriteOptions options{
        .env = &env_, .path = kPath, .block_bytes = block_bytes, .direct_io = direct_io};
    ASSERT_TRUE(testing::WriteModel(options, model).ok());
    Result<std::string> bytes = env_.ReadFileForTest(kPath);
    ASSERT_TRUE(bytes.ok());
    original_ = *bytes;
    Result<Footer> footer =
        DecodeFooter(std::string_view(original_).substr(original_.size() - kFooterBytes), kPath, 0);
    ASSERT_TRUE(footer.ok());
    footer_ = *footer;
  }

  void Flip(std::uint64_t offset) {
    std::string damaged = original_;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x20);
    ASSERT_TRUE(env_.WriteFileForTest(kPath, damaged).ok());
  }

  static void ExpectCorruptionAt(const Status& s, std::uint64_t offset) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.message().find(std::string("table ") + kPath), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("at offset " + std::to_string(offset)), std::string::npos)
        << s.ToString();
  }

  // Reads everything it can and checks that whatever comes back matches the
  // model; returns the first error seen (OK if the damage went unnoticed).
  Status ReadAll() {
    auto table = TableReader::Open(&env_, kPath, 1, nullptr);
    if (!table.ok()) return table.status();
    auto it = (*table)->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto want = model_.find(std::string(it->entry().key));
      EXPECT_NE(want, model_.end()) << "invented key";
      if (want != model_.end()) testing::ExpectSameEntry(it->entry(), want->second);
    }
    if (!it->status().ok()) return it->status();
    for (const auto& [key, want] : model_) {
      auto got = (*table)->Get(key);
      if (!got.ok()) return got.status();
      EXPECT_TRUE(got->has_value());
      if (got->has_value()) testing::ExpectSameEntry((*got)->view(), want);
    }
    return Status::Ok();
  }

  static constexpr const char* kPath = "/db/000042.sst";
  wal::testing::MemEnv env_;
  Model model_;
  std::string original_;
  Footer footer_;
};

TEST_F(TableCorruption, FlippedDataByteIsBadChecksumOfThatBlock) {
  Write(RandomModel({.entries = 2000, .seed = 1}), true);
  // The first data block starts at offset 0; pick its first key's block.
  Flip(100);
  auto table = TableReader::Open(&env_, kPath, 1, nullptr);
  ASSERT_TRUE(table.ok()) << "data blocks are not read at open";
  Result<std::optional<OwnedTableEntry>> got = (*table)->Get(model_.begin()->first);
  ASSERT_FALSE(got.ok());
  ExpectCorruptionAt(got.status(), 0);
  EXPECT_NE(got.status().message().find("bad checksum in block"), std::string::npos);

  auto it = (*table)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  ExpectCorruptionAt(it->status(), 0);
}

TEST_F(TableCorruption, FlippedIndexFilterOrPropertiesByteFailsOpen) {
  Write(RandomModel({.entries = 2000, .seed = 2}), true);
  for (const BlockHandle* h : {&footer_.index, &footer_.filter, &footer_.properties}) {
    for (std::uint64_t at : {h->offset, h->offset + h->size / 2, h->offset + h->size,
                             h->offset + h->size + kBlockTrailerBytes - 1}) {
      Flip(at);
      auto table = TableReader::Open(&env_, kPath, 1, nullptr);
      ASSERT_FALSE(table.ok()) << "flip at " << at;
      ExpectCorruptionAt(table.status(), h->offset);
    }
  }
}

TEST_F(TableCorruption, FlippedFooterByteFailsOpen) {
  Write(RandomModel({.entries = 500, .seed = 3}), true);
  std::uint64_t footer_at = original_.size() - kFooterBytes;
  for (std::uint64_t at = footer_at; at < original_.size(); ++at) {
    Flip(at);
    auto table = TableReader::Open(&env_, kPath, 1, nullptr);
    ASSERT_FALSE(table.ok()) << "flip at " << at;
    ExpectCorruptionAt(table.status(), footer_at);
  }
}

TEST_F(TableCorruption, EveryFlippedByteIsDetected) {
  // Without O_DIRECT there is no padding, so every byte is covered by a
  // checksum. Small blocks give many block boundaries in a small file.
  Write(RandomModel({.entries = 60, .max_value_bytes = 20, .seed = 4}), false, 256);
  ASSERT_LT(original_.size(), 8000u);
  for (std::uint64_t at = 0; at < original_.size(); ++at) {
    Flip(at);
    Status s = ReadAll();
    EXPECT_TRUE(s.IsCorruption()) << "flip at " << at << ": " << s.ToString();
    EXPECT_NE(s.message().find(kPath), std::string::npos);
  }
}

TEST_F(TableCorruption, FlippedPaddingIsHarmless) {
  Write(RandomModel({.entries = 300, .seed = 5}), true);
  std::uint64_t index_end = footer_.index.offset + footer_.index.size + kBlockTrailerBytes;
  std::uint64_t footer_at = original_.size() - kFooterBytes;
  if (index_end == footer_at) GTEST_SKIP() << "no padding in this layout";
  Flip(index_end);
  EXPECT_TRUE(ReadAll().ok());
}

TEST_F(TableCorruption, TruncatedFileIsCorruption) {
  Write(RandomModel({.entries = 2000, .seed = 6}), true);
  for (std::uint64_t len :
       {std::uint64_t{0}, std::uint64_t{10}, std::uint64_t{kFooterBytes}, original_.size() / 2,
        original_.size() - 1, original_.size() - wal::kIoAlignment}) {
    ASSERT_TRUE(env_.WriteFileForTest(kPath, original_.substr(0, len)).ok());
    auto table = TableReader::Open(&env_, kPath, 1, nullptr);
    ASSERT_FALSE(table.ok()) << "length " << len;
    EXPECT_TRUE(table.status().IsCorruption()) << table.status().ToString();
    EXPECT_NE(table.status().message().find(kPath), std::string::npos);
  }
}

TEST_F(TableCorruption, WrongVersionIsRefused) {
  Write(RandomModel({.entries = 10, .seed = 7}), false);
  Footer f = footer_;
  f.format_version = kTableFormatVersion + 1;
  std::string damaged = original_.substr(0, original_.size() - kFooterBytes) + EncodeFooter(f);
  ASSERT_TRUE(env_.WriteFileForTest(kPath, damaged).ok());
  auto table = TableReader::Open(&env_, kPath, 1, nullptr);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("unsupported format version " +
                                          std::to_string(kTableFormatVersion + 1)),
            std::string::npos);
}

}  // namespace
}  // namespace eddy::compaction::table_corruption_test
