#include "memtable/bulk_load.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace eddy::memtable {

namespace {

// Key buffer bytes per batch change; a batch with longer keys on average
// is inserted early, when the buffer is full.
constexpr std::size_t kKeyBytesPerChange = 32;
// How many entries ahead the insert loop prefetches keys: the sorted
// entries point all over keys_.
constexpr std::size_t kPrefetchDistance = 8;

// Eight key bytes from `offset`, big-endian, zero-padded: compares as the
// bytes do (a shorter key's padding ties; the full compare then decides).
std::uint64_t KeyHead(std::string_view key, std::size_t offset) {
  if (key.size() >= offset + 8) {
    std::uint64_t v;
    std::memcpy(&v, key.data() + offset, 8);
    return __builtin_bswap64(v);
  }
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const std::size_t at = offset + i;
    v = v << 8 | (at < key.size() ? static_cast<unsigned char>(key[at]) : 0u);
  }
  return v;
}

}  // namespace

BulkLoad::BulkLoad(Memtable* table, std::size_t batch_changes)
    : table_(table), batch_changes_(std::clamp<std::size_t>(batch_changes, 1, 1u << 30)) {}

void BulkLoad::Stage(std::string_view key, const ItemVersion* version) {
  if (staged_.size() >= batch_changes_ || keys_.size() + key.size() > keys_.capacity()) Finish();
  if (staged_.empty()) {
    // Sized when a batch opens (a BulkLoad that never gets a change
    // allocates nothing); nothing points into an empty buffer yet.
    keys_.reserve(std::max(key.size(), batch_changes_ * kKeyBytesPerChange));
    staged_.reserve(batch_changes_);
  }
  char* at = keys_.data() + keys_.size();
  keys_.append(key);
  staged_.push_back({{KeyHead(key, 0), KeyHead(key, 8)},
                     at,
                     static_cast<std::uint32_t>(key.size()),
                     static_cast<std::uint32_t>(staged_.size()),
                     version});
}

void BulkLoad::Finish() {
  if (staged_.empty()) return;
  // The key filter first, while the keys are still in call order: keys_ is
  // then read front to back and only the filter's blocks are random.
  table_->filter_.AddMany(staged_.size(), [this](std::size_t i) { return staged_[i].Key(); });
  // By key, then call order (std::sort: no buffer, unlike stable_sort).
  std::sort(staged_.begin(), staged_.end(), [](const Entry& a, const Entry& b) {
    if (a.head[0] != b.head[0]) return a.head[0] < b.head[0];
    if (a.head[1] != b.head[1]) return a.head[1] < b.head[1];
    const int c = a.Key().compare(b.Key());
    return c != 0 ? c < 0 : a.seq < b.seq;
  });
  SkipList& list = table_->list_;
  SkipList::Splice splice;
  bool have_splice = false;
  const std::size_t n = staged_.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kPrefetchDistance < n) __builtin_prefetch(staged_[i + kPrefetchDistance].key);
    const Entry& e = staged_[i];
    // An older version of the same key would be replaced at once; skipping
    // it also keeps the finger search's keys strictly increasing.
    if (i + 1 < n && SameKey(e, staged_[i + 1])) continue;
    const std::string_view key = e.Key();
    assert(i == 0 || staged_[i - 1].Key() <= key);
    SkipList::Node* node =
        have_splice ? list.FindNear(key, &splice) : list.FindWithSplice(key, &splice);
    have_splice = true;
    if (node == nullptr) node = list.InsertAt(key, &splice);
    // Release, as Memtable::Install: a reader that sees it sees the bytes.
    node->payload().store(e.version, std::memory_order_release);
  }
  staged_.clear();
  keys_.clear();
}

}  // namespace eddy::memtable
