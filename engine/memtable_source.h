// MemtableSource: a memtable seen as a compaction::EntryIterator, so that a
// flush can hand it to WriteTable and a read can merge it with table files
// (memtable/ and compaction/ do not know each other; engine/ adapts).
//
// One entry per key: the key's newest version, tombstones included. A node
// that a concurrent writer has linked but not yet given a version (the
// active memtable only) is skipped: its write is not finished, so a reader
// may serialise before it.
//
// Lifetime: the memtable must outlive the iterator; entry() views point into
// its arena and stay valid while the memtable lives. Thread-safety: one
// thread per iterator (as every EntryIterator).
#pragma once

#include "compaction/table_entry.h"
#include "memtable/memtable.h"

namespace eddy::engine {

class MemtableSource final : public compaction::EntryIterator {
 public:
  explicit MemtableSource(const memtable::Memtable* mem) : it_(mem) {}

  void SeekToFirst() override {
    it_.SeekToFirst();
    SkipUnfinished();
  }
  void Seek(std::string_view target) override {
    it_.Seek(target);
    SkipUnfinished();
  }
  void Next() override {
    it_.Next();
    SkipUnfinished();
  }
  bool Valid() const override { return it_.Valid(); }
  compaction::TableEntry entry() const override {
    return {it_.key(), version_->lsn(), version_->is_deletion(), version_->value()};
  }
  Status status() const override { return Status::Ok(); }

 private:
  void SkipUnfinished() {
    while (it_.Valid() && (version_ = it_.version()) == nullptr)
      it_.Next();
  }

  memtable::Memtable::Iterator it_;
  const memtable::ItemVersion* version_ = nullptr;
};

// The same memtable walked backward, for a descending MergingIterator (see
// compaction::TableReader::NewReverseIterator for the contract): Seek(target)
// goes to the last key < target, Next() to the key before. Each step is a
// skip-list search (O(log n)); nodes have no back pointers.
class MemtableReverseSource final : public compaction::EntryIterator {
 public:
  explicit MemtableReverseSource(const memtable::Memtable* mem) : it_(mem) {}

  void SeekToFirst() override {
    it_.SeekToLast();
    SkipUnfinished();
  }
  void Seek(std::string_view target) override {
    it_.SeekBefore(target);
    SkipUnfinished();
  }
  void Next() override {
    it_.Prev();
    SkipUnfinished();
  }
  bool Valid() const override { return it_.Valid(); }
  compaction::TableEntry entry() const override {
    return {it_.key(), version_->lsn(), version_->is_deletion(), version_->value()};
  }
  Status status() const override { return Status::Ok(); }

 private:
  void SkipUnfinished() {
    while (it_.Valid() && (version_ = it_.version()) == nullptr)
      it_.Prev();
  }

  memtable::Memtable::Iterator it_;
  const memtable::ItemVersion* version_ = nullptr;
};

}  // namespace eddy::engine
