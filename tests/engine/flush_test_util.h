// Shared by the flush tests: a table with a string partition and sort key,
// items with a payload of chosen size, and a fixture that opens the Db with
// a 64 KiB memtable so a short run makes many flushes.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "eddy/db.h"
#include "engine/db_impl.h"
#include "support/temp_dir.h"

namespace eddy::flush_testing {

constexpr char kTable[] = "flush";
constexpr int kPartitions = 2;
constexpr int kSortKeys = 400;

inline constexpr std::uint64_t kDefaultSeed = 6061;

inline std::uint64_t Seed() {
  const char* env = std::getenv("EDDY_FLUSH_SEED");
  if (env != nullptr && env[0] != '\0') return std::strtoull(env, nullptr, 10);
  return kDefaultSeed;
}

inline std::string SortKey(int sk) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "k%04d", sk);
  return buf;
}

struct Key {
  int pk = 0;
  std::string sk;
  auto operator<=>(const Key&) const = default;
};
using Model = std::map<Key, Item>;

inline Item KeyItem(const Key& k) {
  Item item;
  item.Set("pk", AttributeValue::S("p" + std::to_string(k.pk)));
  item.Set("sk", AttributeValue::S(k.sk));
  return item;
}

inline Item MakeItem(const Key& k, std::uint64_t version, std::size_t pad) {
  Item item = KeyItem(k);
  item.Set("v", AttributeValue::N(Number::FromInt64(static_cast<std::int64_t>(version))));
  item.Set("pad", AttributeValue::S(std::string(pad, static_cast<char>('a' + version % 26))));
  return item;
}

inline Key KeyOf(const Item& item) {
  return {std::stoi(item.Find("pk")->AsString().substr(1)), item.Find("sk")->AsString()};
}

class FlushTest : public ::testing::Test {
 protected:
  Options MakeOptions() const {
    Options o;
    o.dir = dir_.path();
    o.sync_mode = SyncMode::kNone;
    o.wal_segment_bytes = 1 << 20;
    o.report_progress = false;
    o.memtable_budget_bytes = 64 << 10;
    o.block_cache_bytes = 1 << 20;
    return o;
  }
  void Open() { OpenWith(MakeOptions()); }
  void OpenWith(const Options& options) {
    db_.reset();
    auto db = Db::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  engine::DbImpl* impl() { return static_cast<engine::DbImpl*>(db_.get()); }
  void CreateTable(const std::string& name = kTable) {
    TableSpec spec;
    spec.name = name;
    spec.key_schema.partition_key = {"pk", AttributeType::kS};
    spec.key_schema.sort_key = KeyAttribute{"sk", AttributeType::kS};
    auto d = db_->CreateTable(spec);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
  }
  std::vector<std::string> TableFiles() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_.Sub("tables"))) {
      if (e.path().extension() == ".sst") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir dir_{"flush"};
  std::unique_ptr<Db> db_;
};

}  // namespace eddy::flush_testing
