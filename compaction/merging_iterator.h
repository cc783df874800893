// MergingIterator: one ordered view over several EntryIterators.
//
// Sources are given newest first (the memtable, then younger files before
// older ones). For a key present in several sources only the newest source's
// entry is yielded; the older versions are skipped. With `drop_deletions`
// a key whose newest entry is a tombstone is skipped entirely (for a
// compaction into the bottom level, where nothing older can lie beneath).
//
// Design: a binary min-heap of the valid sources ordered by (key, source
// index), so the top is the smallest key and, among equal keys, the newest
// source. Advancing pops the top and every other source showing the same
// key, steps each once and pushes back those still valid: O(log k) per
// source moved. Source keys are only compared while both sources stand
// still, so no key is copied.
//
// Descending: with `descending`, every source walks backward (keys strictly
// decreasing, as TableReader::NewReverseIterator: Seek(target) = the last
// key < target) and the merge yields keys in decreasing order, newest source
// still winning per key. A merge goes one way only; there is no direction
// switch, so no source ever has to turn around.
//
// Errors: if any source fails (status() not OK), the merge stops at once:
// Valid() turns false and status() returns that error. Skipping a failed
// source and carrying on would hand out an older version of a key whose
// newest version sat in the broken file.
//
// Ownership: the iterator owns its sources. Thread-safety: none (one
// thread, as every EntryIterator).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "compaction/table_entry.h"

namespace eddy::compaction {

class MergingIterator final : public EntryIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<EntryIterator>> sources_newest_first,
                           bool drop_deletions = false, bool descending = false);

  void SeekToFirst() override;
  void Seek(std::string_view target) override;
  void Next() override;
  bool Valid() const override { return status_.ok() && !heap_.empty(); }
  TableEntry entry() const override { return sources_[heap_.front()]->entry(); }
  Status status() const override { return status_; }

 private:
  // Heap order: true when source a should sit below source b.
  bool After(std::size_t a, std::size_t b) const;
  void Push(std::size_t source);
  std::size_t Pop();
  // Rebuilds the heap from every valid source (after a seek).
  void Rebuild();
  // Steps every source showing the top's key, then restores the heap.
  void AdvancePastTopKey();
  // Skips tombstones when asked to.
  void SkipDeletions();
  // Records the first failing source's status; true if one failed.
  bool Check(std::size_t source);

  std::vector<std::unique_ptr<EntryIterator>> sources_;
  const bool drop_deletions_;
  const bool descending_;
  std::vector<std::size_t> heap_;     // source indexes, heap-ordered by After()
  std::vector<std::size_t> stepped_;  // scratch for AdvancePastTopKey
  Status status_;
};

}  // namespace eddy::compaction
