// Helpers shared by the table tests: random entry sets kept in a std::map
// model, and writing a model to a table file.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "compaction/table_builder.h"
#include "tests/compaction/vector_iterator.h"

namespace eddy::compaction::testing {

using Model = std::map<std::string, OwnedTableEntry>;

// Keys look like the engine's: a table-id prefix, then binary bytes (zeros
// and 0xFF included), so neighbours share long prefixes.
inline std::string RandomKey(std::mt19937_64& rng) {
  std::string key = "\x01t";
  key.push_back(static_cast<char>('0' + rng() % 4));
  std::size_t len = 1 + rng() % 24;
  for (std::size_t i = 0; i < len; ++i) {
    std::uint64_t r = rng();
    key.push_back(static_cast<char>(r % 8 == 0 ? 0 : (r % 8 == 1 ? 0xFF : (r >> 8))));
  }
  return key;
}

struct ModelShape {
  std::size_t entries = 1000;
  double deletion_fraction = 0.1;
  std::size_t max_value_bytes = 100;
  std::uint64_t seed = 1;
};

inline Model RandomModel(const ModelShape& shape) {
  std::mt19937_64 rng(shape.seed);
  Model model;
  while (model.size() < shape.entries) {
    OwnedTableEntry e;
    e.key = RandomKey(rng);
    e.lsn = 1 + rng() % 1'000'000'000;
    e.deletion = static_cast<double>(rng() % 10'000) < shape.deletion_fraction * 10'000;
    if (!e.deletion) {
      e.value.resize(rng() % (shape.max_value_bytes + 1));
      for (char& c : e.value)
        c = static_cast<char>(rng());
    }
    std::string key = e.key;
    model.emplace(std::move(key), std::move(e));
  }
  return model;
}

inline Result<TableFileInfo> WriteModel(const TableWriteOptions& options, const Model& model) {
  VectorIterator source = VectorIterator::FromMap(model);
  return WriteTable(options, source);
}

inline void ExpectSameEntry(const TableEntry& got, const OwnedTableEntry& want) {
  EXPECT_EQ(got.key, want.key);
  EXPECT_EQ(got.lsn, want.lsn);
  EXPECT_EQ(got.deletion, want.deletion);
  EXPECT_EQ(got.value, want.value);
}

}  // namespace eddy::compaction::testing
