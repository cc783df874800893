// The footer and block trailer match docs/sstable_format.md byte for byte.
#include "compaction/format.h"

#include <gtest/gtest.h>
#include <xxhash.h>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::format_test {
namespace {

TEST(TableFormat, FooterMatchesDocumentedLayout) {
  Footer f;
  f.index = {0x1111, 0x22};
  f.filter = {0x3333, 0x44};
  f.properties = {0x5555, 0x66};
  f.entry_count = 0x77;
  std::string bytes = EncodeFooter(f);
  ASSERT_EQ(bytes.size(), kFooterBytes);
  const char* p = bytes.data();
  EXPECT_EQ(DecodeFixed64(p + 0), 0x1111u);
  EXPECT_EQ(DecodeFixed64(p + 8), 0x22u);
  EXPECT_EQ(DecodeFixed64(p + 16), 0x3333u);
  EXPECT_EQ(DecodeFixed64(p + 24), 0x44u);
  EXPECT_EQ(DecodeFixed64(p + 32), 0x5555u);
  EXPECT_EQ(DecodeFixed64(p + 40), 0x66u);
  EXPECT_EQ(DecodeFixed64(p + 48), 0x77u);
  EXPECT_EQ(p[56], kTableFormatVersion);
  EXPECT_EQ(std::string(p + 57, 7), std::string(7, '\0'));
  EXPECT_EQ(DecodeFixed64(p + 64), XXH3_64bits(p, 64));
  EXPECT_EQ(std::string(p + 72, 8), "EDDYSST1");

  Result<Footer> back = DecodeFooter(bytes, "t", 0);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->properties.offset, 0x5555u);
  EXPECT_EQ(back->entry_count, 0x77u);
  EXPECT_EQ(back->format_version, kTableFormatVersion);
}

TEST(TableFormat, FooterVersionsOutsideTheReadableRangeAreCorruption) {
  for (int version : {kOldestTableFormatVersion - 1, kTableFormatVersion + 1}) {
    Footer f;
    f.format_version = static_cast<std::uint8_t>(version);
    Result<Footer> back = DecodeFooter(EncodeFooter(f), "t", 0);
    ASSERT_FALSE(back.ok()) << version;
    EXPECT_NE(back.status().message().find("unsupported format version"), std::string::npos);
  }
  for (int version = kOldestTableFormatVersion; version <= kTableFormatVersion; ++version) {
    Footer f;
    f.format_version = static_cast<std::uint8_t>(version);
    Result<Footer> back = DecodeFooter(EncodeFooter(f), "t", 0);
    ASSERT_TRUE(back.ok()) << version;
    EXPECT_EQ(back->format_version, version);
  }
}

TEST(TableFormat, TrailerIsTypeThenChecksumOfContentsAndType) {
  std::string file = "hello";
  AppendBlockTrailer(BlockType::kIndex, file, &file);
  ASSERT_EQ(file.size(), 5 + kBlockTrailerBytes);
  EXPECT_EQ(file[5], 2);
  EXPECT_EQ(DecodeFixed64(file.data() + 6), XXH3_64bits("hello\x02", 6));
  EXPECT_TRUE(CheckBlockTrailer(file.data(), 5, BlockType::kIndex, "t", 0).ok());
  Status wrong = CheckBlockTrailer(file.data(), 5, BlockType::kData, "t", 9);
  EXPECT_TRUE(wrong.IsCorruption());
  EXPECT_EQ(wrong.message(), "table t: unexpected block type in block at offset 9");
  file[0] = 'j';
  EXPECT_EQ(CheckBlockTrailer(file.data(), 5, BlockType::kIndex, "t", 9).message(),
            "table t: bad checksum in block at offset 9");
}

TEST(TableFormat, PropertiesAndHandlesRoundTripAndRejectTrailingBytes) {
  TableProperties props{"a", "zz", 3, 9, 2};
  std::string enc = EncodeProperties(props);
  std::optional<TableProperties> back = DecodeProperties(enc);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->largest_key, "zz");
  EXPECT_EQ(back->largest_lsn, 9u);
  EXPECT_FALSE(DecodeProperties(enc + "x").has_value());
  EXPECT_FALSE(DecodeProperties(enc.substr(0, enc.size() - 1)).has_value());

  std::string h;
  EncodeBlockHandle({300, 4096}, &h);
  EXPECT_EQ(DecodeBlockHandle(h)->offset, 300u);
  EXPECT_FALSE(DecodeBlockHandle(h + "\x01").has_value());
}

}  // namespace
}  // namespace eddy::compaction::format_test
