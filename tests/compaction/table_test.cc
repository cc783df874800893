// Table files: write a std::map model through TableBuilder and read it back
// with TableReader (Get, full iteration, Seek), on the in-memory Env and on
// the real file system, with and without O_DIRECT.
#include <gtest/gtest.h>

#include <random>

#include "compaction/block_cache.h"
#include "compaction/table_builder.h"
#include "compaction/table_reader.h"
#include "support/fault_env.h"
#include "support/mem_env.h"
#include "support/temp_dir.h"
#include "tests/compaction/table_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::compaction::table_test {
namespace {

using testing::ExpectSameEntry;
using testing::Model;
using testing::ModelShape;
using testing::RandomModel;
using testing::WriteModel;

// Reads the whole table back and checks it against the model three ways.
void CheckTableMatchesModel(const TableReader& table, const Model& model, std::uint64_t seed) {
  // Full iteration.
  auto it = table.NewIterator();
  auto expected = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    ASSERT_NE(expected, model.end());
    ExpectSameEntry(it->entry(), expected->second);
  }
  ASSERT_TRUE(it->status().ok()) << it->status().ToString();
  EXPECT_EQ(expected, model.end());

  // Get of every key, and of absent keys.
  for (const auto& [key, want] : model) {
    Result<std::optional<OwnedTableEntry>> got = table.Get(key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << "missing key";
    ExpectSameEntry((*got)->view(), want);
  }
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    std::string key = testing::RandomKey(rng);
    if (model.count(key) != 0) continue;
    Result<std::optional<OwnedTableEntry>> got = table.Get(key);
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
  }

  // Seek to random targets (present and absent) and step a little.
  std::vector<const std::string*> keys;
  keys.reserve(model.size());
  for (const auto& [key, e] : model)
    keys.push_back(&key);
  for (int i = 0; i < 2000; ++i) {
    std::string target = testing::RandomKey(rng);
    if (i % 3 == 0) target = *keys[rng() % keys.size()];
    it->Seek(target);
    auto want = model.lower_bound(target);
    for (int step = 0; step < 3; ++step, ++want) {
      if (want == model.end()) {
        EXPECT_FALSE(it->Valid());
        EXPECT_TRUE(it->status().ok());
        break;
      }
      ASSERT_TRUE(it->Valid());
      ExpectSameEntry(it->entry(), want->second);
      it->Next();
    }
  }
}

TEST(Table, RoundTripsHundredThousandRandomEntries) {
  wal::testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirIfMissing("/db").ok());
  Model model = RandomModel({.entries = 100'000, .deletion_fraction = 0.1, .seed = 11});
  TableWriteOptions options;
  options.env = &env;
  options.path = "/db/000007.sst";
  Result<TableFileInfo> info = WriteModel(options, model);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->entry_count, model.size());
  EXPECT_EQ(info->smallest_key, model.begin()->first);
  EXPECT_EQ(info->largest_key, model.rbegin()->first);
  EXPECT_EQ(info->file_bytes % wal::kIoAlignment, 0u);  // O_DIRECT pads
  Lsn lo = ~Lsn{0}, hi = 0;
  for (const auto& [k, e] : model) {
    lo = std::min(lo, e.lsn);
    hi = std::max(hi, e.lsn);
  }
  EXPECT_EQ(info->smallest_lsn, lo);
  EXPECT_EQ(info->largest_lsn, hi);

  BlockCache cache(8 << 20);
  auto table = TableReader::Open(&env, options.path, 7, &cache);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->file_bytes(), info->file_bytes);
  EXPECT_EQ((*table)->entry_count(), model.size());
  EXPECT_EQ((*table)->smallest_key(), info->smallest_key);
  EXPECT_EQ((*table)->largest_key(), info->largest_key);
  EXPECT_EQ((*table)->smallest_lsn(), lo);
  EXPECT_EQ((*table)->largest_lsn(), hi);
  CheckTableMatchesModel(**table, model, 12);
  EXPECT_GT(cache.hits(), 0u);
}

TEST(Table, RoundTripsOnDiskWithAndWithoutDirectIo) {
  eddy::testing::TempDir dir("table");
  Model model = RandomModel({.entries = 20'000, .seed = 21});
  for (bool direct : {true, false}) {
    TableWriteOptions options;
    options.env = wal::Env::Default();
    options.path = dir.Sub(direct ? "direct.sst" : "buffered.sst");
    options.direct_io = direct;
    options.write_buffer_bytes = 64 * 1024;  // several writes in flight
    Result<TableFileInfo> info = WriteModel(options, model);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    auto table = TableReader::Open(wal::Env::Default(), options.path, 1, nullptr);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    CheckTableMatchesModel(**table, model, 22);
  }
}

TEST(Table, KeepsTombstones) {
  wal::testing::MemEnv env;
  Model model = RandomModel({.entries = 3000, .deletion_fraction = 0.5, .seed = 31});
  TableWriteOptions options{.env = &env, .path = "/t.sst"};
  ASSERT_TRUE(WriteModel(options, model).ok());
  auto table = TableReader::Open(&env, options.path, 1, nullptr);
  ASSERT_TRUE(table.ok());
  int deletions = 0;
  for (const auto& [key, e] : model) {
    if (!e.deletion) continue;
    ++deletions;
    auto got = (*table)->Get(key);
    ASSERT_TRUE(got.ok() && got->has_value());
    EXPECT_TRUE((*got)->deletion);
    EXPECT_EQ((*got)->value, "");
    EXPECT_EQ((*got)->lsn, e.lsn);
  }
  EXPECT_GT(deletions, 1000);
  CheckTableMatchesModel(**table, model, 32);
}

TEST(Table, LargeValuesSpanBlocksOfTheirOwn) {
  wal::testing::MemEnv env;
  Model model = RandomModel({.entries = 200, .max_value_bytes = 50, .seed = 41});
  std::mt19937_64 rng(42);
  int n = 0;
  for (auto& [key, e] : model) {
    if (n++ % 20 != 0 || e.deletion) continue;
    e.value.assign(100'000 + rng() % 400'000, static_cast<char>('a' + n % 26));
    e.value[rng() % e.value.size()] = 'Z';
  }
  TableWriteOptions options{.env = &env, .path = "/big.sst"};
  ASSERT_TRUE(WriteModel(options, model).ok());
  BlockCache cache(4 << 20);
  auto table = TableReader::Open(&env, options.path, 1, &cache);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  CheckTableMatchesModel(**table, model, 43);
}

TEST(Table, EmptyKeyAndEmptyValues) {
  wal::testing::MemEnv env;
  Model model;
  model[""] = {"", 5, false, ""};
  model["a"] = {"a", 6, true, ""};
  model["b"] = {"b", 7, false, "x"};
  TableWriteOptions options{.env = &env, .path = "/e.sst", .direct_io = false};
  ASSERT_TRUE(WriteModel(options, model).ok());
  auto table = TableReader::Open(&env, options.path, 1, nullptr);
  ASSERT_TRUE(table.ok());
  auto got = (*table)->Get("");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->lsn, 5u);
  CheckTableMatchesModel(**table, model, 1);
}

TEST(Table, OutOfOrderInputIsInvalidArgument) {
  wal::testing::MemEnv env;
  auto builder = TableBuilder::Create({.env = &env, .path = "/o.sst"});
  ASSERT_TRUE(builder.ok());
  ASSERT_TRUE((*builder)->Add({"b", 1, false, "x"}).ok());
  Status s = (*builder)->Add({"a", 2, false, "y"});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  // Sticky: the builder never finishes a file after a refused entry.
  EXPECT_TRUE((*builder)->Add({"c", 3, false, "z"}).IsInvalidArgument());
  EXPECT_TRUE((*builder)->Finish().status().IsInvalidArgument());

  // A repeated key is out of order too; WriteTable removes the partial file.
  testing::VectorIterator dup(
      {{"a", 1, false, "x"}, {"a", 2, false, "y"}});  // violates the source contract on purpose
  Result<TableFileInfo> info = WriteTable({.env = &env, .path = "/dup.sst"}, dup);
  EXPECT_TRUE(info.status().IsInvalidArgument());
  EXPECT_FALSE(env.Exists("/dup.sst"));
}

TEST(Table, RefusesDeletionWithValueEmptyTableAndExistingFile) {
  wal::testing::MemEnv env;
  auto builder = TableBuilder::Create({.env = &env, .path = "/d.sst"});
  ASSERT_TRUE(builder.ok());
  EXPECT_TRUE((*builder)->Add({"a", 1, true, "value"}).IsInvalidArgument());

  testing::VectorIterator empty({});
  EXPECT_TRUE(WriteTable({.env = &env, .path = "/empty.sst"}, empty).status().IsInvalidArgument());
  EXPECT_FALSE(env.Exists("/empty.sst"));

  ASSERT_TRUE(env.WriteFileForTest("/old.sst", "stale").ok());
  testing::VectorIterator one({{"a", 1, false, "x"}});
  EXPECT_TRUE(WriteTable({.env = &env, .path = "/old.sst"}, one).status().IsAlreadyExists());
  EXPECT_TRUE(env.Exists("/old.sst"));  // not ours to remove
}

TEST(Table, SourceErrorFailsTheWrite) {
  wal::testing::MemEnv env;
  Model model = RandomModel({.entries = 500, .seed = 51});
  testing::VectorIterator source = testing::VectorIterator::FromMap(model);
  source.FailAfter(100);
  Result<TableFileInfo> info = WriteTable({.env = &env, .path = "/s.sst"}, source);
  EXPECT_TRUE(info.status().IsIOError()) << info.status().ToString();
  EXPECT_FALSE(env.Exists("/s.sst"));
}

TEST(Table, ReadsFilesOfFormatVersionOne) {
  // Version 1 (before 2026-12-06) wrote the spread filter layout; files of
  // it stay readable, with their filter, next to version-2 files.
  wal::testing::MemEnv env;
  Model model = RandomModel({.entries = 5000, .seed = 63});
  ASSERT_TRUE(WriteModel({.env = &env, .path = "/v1.sst", .format_version = 1}, model).ok());
  auto table = TableReader::Open(&env, "/v1.sst", 1, nullptr);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  CheckTableMatchesModel(**table, model, 64);
  std::mt19937_64 rng(65);
  int absent = 0, passed_filter = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string key = testing::RandomKey(rng);
    if (model.count(key) != 0) continue;
    ++absent;
    if ((*table)->MayContain(key)) ++passed_filter;
  }
  EXPECT_LT(passed_filter, absent / 50);
}

TEST(Table, KeyRangeAndFilterSkipReads) {
  wal::testing::MemEnv mem;
  wal::testing::FaultEnv env(&mem);
  Model model = RandomModel({.entries = 5000, .seed = 61});
  ASSERT_TRUE(WriteModel({.env = &env, .path = "/r.sst"}, model).ok());
  auto table = TableReader::Open(&env, "/r.sst", 1, nullptr);
  ASSERT_TRUE(table.ok());
  const TableReader& t = **table;
  EXPECT_FALSE(t.MayContain(""));  // below the smallest key ("\x01t...")
  EXPECT_FALSE(t.MayContain("\xFF"));
  EXPECT_TRUE(t.Overlaps("", "\x01t1"));
  EXPECT_FALSE(t.Overlaps("\x02", "\x03"));

  std::uint64_t reads_before = env.counters().reads;
  std::mt19937_64 rng(62);
  int absent = 0, passed_filter = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string key = testing::RandomKey(rng);
    if (model.count(key) != 0) continue;
    ++absent;
    // Half the reads go as the engine's do: one probe, prefetched first.
    const KeyProbe probe(key);
    t.PrefetchFilter(probe);
    EXPECT_EQ(t.MayContain(probe), t.MayContain(key));
    if (t.MayContain(key)) ++passed_filter;
    ASSERT_TRUE((i % 2 == 0 ? t.Get(key) : t.Get(probe)).ok());
  }
  // Only keys that pass the filter cost a block read (no cache here).
  EXPECT_EQ(env.counters().reads - reads_before, static_cast<std::uint64_t>(passed_filter));
  EXPECT_LT(passed_filter, absent / 50);
}

TEST(Table, ScanWithoutFillingTheCache) {
  wal::testing::MemEnv env;
  Model model = RandomModel({.entries = 5000, .seed = 71});
  ASSERT_TRUE(WriteModel({.env = &env, .path = "/c.sst"}, model).ok());
  BlockCache cache(1 << 20);
  auto table = TableReader::Open(&env, "/c.sst", 1, &cache);
  ASSERT_TRUE(table.ok());
  auto it = (*table)->NewIterator(/*fill_cache=*/false);
  std::size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next())
    ++n;
  EXPECT_EQ(n, model.size());
  EXPECT_EQ(cache.usage_bytes(), 0u);
}

}  // namespace
}  // namespace eddy::compaction::table_test
