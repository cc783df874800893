#include "compaction/merging_iterator.h"

#include <algorithm>
#include <cassert>

namespace eddy::compaction {

MergingIterator::MergingIterator(std::vector<std::unique_ptr<EntryIterator>> sources_newest_first,
                                 bool drop_deletions, bool descending)
    : sources_(std::move(sources_newest_first)),
      drop_deletions_(drop_deletions),
      descending_(descending) {
  heap_.reserve(sources_.size());
  stepped_.reserve(sources_.size());
}

bool MergingIterator::After(std::size_t a, std::size_t b) const {
  std::string_view ka = sources_[a]->entry().key;
  std::string_view kb = sources_[b]->entry().key;
  int c = ka.compare(kb);
  if (c != 0) return descending_ ? c < 0 : c > 0;
  return a > b;  // the older source sorts below the newer one
}

void MergingIterator::Push(std::size_t source) {
  heap_.push_back(source);
  std::push_heap(heap_.begin(), heap_.end(),
                 [this](std::size_t a, std::size_t b) { return After(a, b); });
}

std::size_t MergingIterator::Pop() {
  std::pop_heap(heap_.begin(), heap_.end(),
                [this](std::size_t a, std::size_t b) { return After(a, b); });
  std::size_t top = heap_.back();
  heap_.pop_back();
  return top;
}

bool MergingIterator::Check(std::size_t source) {
  if (sources_[source]->Valid()) return false;
  Status s = sources_[source]->status();
  if (s.ok()) return false;
  if (status_.ok()) status_ = std::move(s);
  heap_.clear();
  return true;
}

void MergingIterator::Rebuild() {
  heap_.clear();
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (Check(i)) return;
    if (sources_[i]->Valid()) heap_.push_back(i);
  }
  std::make_heap(heap_.begin(), heap_.end(),
                 [this](std::size_t a, std::size_t b) { return After(a, b); });
  SkipDeletions();
}

void MergingIterator::SeekToFirst() {
  status_ = Status::Ok();
  for (auto& source : sources_)
    source->SeekToFirst();
  Rebuild();
}

void MergingIterator::Seek(std::string_view target) {
  status_ = Status::Ok();
  for (auto& source : sources_)
    source->Seek(target);
  Rebuild();
}

void MergingIterator::Next() {
  assert(Valid());
  AdvancePastTopKey();
  SkipDeletions();
}

void MergingIterator::AdvancePastTopKey() {
  // Pop the top and every older source on the same key while their keys are
  // still readable, then step them all: stepping invalidates entry() views.
  stepped_.clear();
  std::size_t top = Pop();
  stepped_.push_back(top);
  std::string_view key = sources_[top]->entry().key;
  while (!heap_.empty() && sources_[heap_.front()]->entry().key == key)
    stepped_.push_back(Pop());
  // `key` belongs to the top source, so step it last.
  for (auto it = stepped_.rbegin(); it != stepped_.rend(); ++it) {
    sources_[*it]->Next();
    if (Check(*it)) return;
  }
  for (std::size_t s : stepped_) {
    if (sources_[s]->Valid()) Push(s);
  }
}

void MergingIterator::SkipDeletions() {
  if (!drop_deletions_) return;
  while (Valid() && entry().deletion)
    AdvancePastTopKey();
}

}  // namespace eddy::compaction
