// The manifest (docs/flush_and_compaction.md, "Manifest format"): round
// trips (with the catalog checkpoint it carries; version 1 files have
// none), every damaged byte is Corruption, rewriting replaces it whole, and
// table file names parse back to their numbers and nothing else.
#include "compaction/manifest.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include "common/byte_codec.h"
#include "compaction/format.h"

#include "support/mem_env.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::manifest_test {
namespace {

Manifest Sample() {
  Manifest m;
  m.flushed_lsn = 123456;
  m.next_file_number = 42;
  m.catalog = std::string(
      "\x01\x02"
      "cat\0x",
      7);
  m.files.push_back({41, 8192, 100, 200, std::string("\0\0a", 3), "\xff\xfez"});
  m.files.push_back({7, 4096, 1, 99, "", "k"});
  return m;
}

TEST(Manifest, RoundTrips) {
  std::string bytes;
  EncodeManifest(Sample(), &bytes);
  Result<Manifest> back = DecodeManifest(bytes, "M");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Sample());
  EncodeManifest(Manifest{}, &bytes);
  ASSERT_TRUE(DecodeManifest(bytes, "M").ok());
}

TEST(Manifest, VersionOneReadsWithoutACatalog) {
  // A version 1 manifest: no catalog field.
  std::string bytes("EDDYMAN1", 8);
  bytes.push_back(1);
  PutVarint(77, &bytes);  // flushed_lsn
  PutVarint(9, &bytes);   // next_file_number
  PutVarint(1, &bytes);   // one file
  PutVarint(8, &bytes);
  PutVarint(4096, &bytes);
  PutVarint(1, &bytes);
  PutVarint(77, &bytes);
  PutBytes("a", &bytes);
  PutBytes("z", &bytes);
  PutFixed64(XXH3_64bits(bytes.data(), bytes.size()), &bytes);
  Result<Manifest> m = DecodeManifest(bytes, "M");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->flushed_lsn, 77u);
  EXPECT_TRUE(m->catalog.empty());
  ASSERT_EQ(m->files.size(), 1u);
  EXPECT_EQ(m->files[0].largest_key, "z");
}

TEST(Manifest, EveryFlippedByteOrTruncationIsCorruption) {
  std::string bytes;
  EncodeManifest(Sample(), &bytes);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Result<Manifest> r = DecodeManifest(bad, "M");
    ASSERT_TRUE(r.status().IsCorruption()) << "byte " << i;
    EXPECT_NE(r.status().ToString().find("manifest M"), std::string::npos);
  }
  for (std::size_t n = 0; n < bytes.size(); ++n)
    ASSERT_TRUE(DecodeManifest(bytes.substr(0, n), "M").status().IsCorruption()) << n;
}

TEST(Manifest, WriteReplacesAndReadFindsNoneInANewDirectory) {
  wal::testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirIfMissing("/t").ok());
  ReadQueuePool io(&env);
  Result<std::optional<Manifest>> none = ReadManifest(&io, "/t");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // A stale, longer temp file from a crash must not leave bytes behind.
  ASSERT_TRUE(env.WriteFileForTest("/t/MANIFEST.tmp", std::string(5000, 'x')).ok());
  ASSERT_TRUE(WriteManifest(&env, "/t", Sample()).ok());
  Manifest smaller;
  smaller.next_file_number = 3;
  ASSERT_TRUE(WriteManifest(&env, "/t", smaller).ok());
  Result<std::optional<Manifest>> got = ReadManifest(&io, "/t");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, smaller);
  EXPECT_FALSE(env.Exists("/t/MANIFEST.tmp"));
  EXPECT_TRUE(env.ExistsDurably("/t/MANIFEST"));
}

TEST(Manifest, TableFileNamesParseBackOnly) {
  EXPECT_EQ(TableFileName(7), "000007.sst");
  EXPECT_EQ(ParseTableFileName("000007.sst"), 7u);
  EXPECT_EQ(ParseTableFileName("1234567.sst"), 1234567u);
  for (const char* bad :
       {"7.sst", "000007.ss", "00000x.sst", "000007.sst.tmp", "MANIFEST", "0000007.sst", ".sst"}) {
    EXPECT_FALSE(ParseTableFileName(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace eddy::compaction::manifest_test
