// VectorIterator: an EntryIterator over a sorted vector of owned entries, the
// stand-in for the engine's memtable in the compaction tests. It can be told
// to fail after a number of steps, to test error propagation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "compaction/table_entry.h"

namespace eddy::compaction::testing {

class VectorIterator final : public EntryIterator {
 public:
  // `entries` must be sorted by key with unique keys.
  explicit VectorIterator(std::vector<OwnedTableEntry> entries) : entries_(std::move(entries)) {}

  static VectorIterator FromMap(const std::map<std::string, OwnedTableEntry>& m) {
    std::vector<OwnedTableEntry> v;
    v.reserve(m.size());
    for (const auto& [k, e] : m)
      v.push_back(e);
    return VectorIterator(std::move(v));
  }

  // The iterator fails (status IOError) on its `steps`-th move.
  void FailAfter(std::uint64_t steps) { fail_after_ = steps; }

  void SeekToFirst() override {
    if (Step()) pos_ = 0;
  }
  void Seek(std::string_view target) override {
    if (!Step()) return;
    pos_ = static_cast<std::size_t>(
        std::lower_bound(entries_.begin(), entries_.end(), target,
                         [](const OwnedTableEntry& e, std::string_view t) { return e.key < t; }) -
        entries_.begin());
  }
  void Next() override {
    if (Step()) ++pos_;
  }
  bool Valid() const override { return status_.ok() && pos_ < entries_.size(); }
  TableEntry entry() const override { return entries_[pos_].view(); }
  Status status() const override { return status_; }

 private:
  bool Step() {
    if (fail_after_ != 0 && ++steps_ >= fail_after_) {
      status_ = Status::IOError("injected source failure");
      return false;
    }
    return true;
  }

  std::vector<OwnedTableEntry> entries_;
  std::size_t pos_ = 0;
  std::uint64_t fail_after_ = 0;
  std::uint64_t steps_ = 0;
  Status status_;
};

}  // namespace eddy::compaction::testing
