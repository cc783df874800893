// BulkLoad: fills a memtable from a long run of changes (recovery's log
// replay) faster than one Put at a time, with the same result.
//
// Design note. Replay used to Put every logged change at once. Its keys come
// in log order, which is random in key order, so each Put searched the skip
// list from the top: with a few million keys that is a chain of a dozen or so
// cache misses per change, and it was ~85% of reopen's CPU time. BulkLoad
// instead:
//   1. Put/Delete copy the version into the memtable's arena right away (the
//      bytes it would hold anyway; the caller's views may then go) and the
//      key into a scratch buffer, and remember the pair.
//   2. When the batch is full, or at Finish, it sorts the pairs by key, then
//      call order (the key's first 16 bytes sit in the entry, so most
//      comparisons read no key bytes), and inserts them in key order. Each
//      search starts from where the previous one ended (SkipList::FindNear),
//      so it walks only the nodes between two neighbouring batch keys, which
//      the previous search mostly brought into the cache. Only the last of
//      equal keys is installed: the version sequential Puts would have left.
// Batch size: small batches gain little (neighbouring batch keys are then
// hundreds of list nodes apart, nearly a full search); past ~2^18 changes
// the sort costs what the shorter walks save, and the scratch (40 bytes per
// change plus the key) grows. Why not sort the whole log at once: that
// scratch. Why not sorted runs merged at the end: the memtable must be an
// ordinary skip list once Finish returns, and inserting a sorted batch is
// already close to a sequential walk. docs/memtable.md has the measurements.
//
// Equivalence: after Finish, the memtable holds for every key the version
// that the same sequence of Memtable::Put/Delete calls would have left, and
// the arena holds the same versions (superseded ones included, as with
// Put), so MemoryBytes is the same up to random tower heights and arena
// block rounding.
//
// Thread-safety: none. While a BulkLoad has unfinished changes nothing else
// may use the memtable (reads would miss them; concurrent inserts would
// break the finger search). Recovery is single-threaded, so this holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/types.h"
#include "memtable/memtable.h"

namespace eddy::memtable {

class BulkLoad {
 public:
  // Changes per sorted batch; memory: 40 bytes each plus their keys.
  static constexpr std::size_t kDefaultBatchChanges = 1u << 18;

  explicit BulkLoad(Memtable* table, std::size_t batch_changes = kDefaultBatchChanges);
  BulkLoad(const BulkLoad&) = delete;
  BulkLoad& operator=(const BulkLoad&) = delete;
  // Changes not Finished are dropped (their versions stay in the arena,
  // unreachable): the memtable may already be gone, as when recovery fails.
  ~BulkLoad() = default;

  // As Memtable::Put and Delete; visible after Finish (or earlier, when a
  // batch fills). The views need to live only until the call returns.
  void Put(std::string_view key, Lsn lsn, std::string_view value) {
    Stage(key, table_->NewVersion(lsn, value));
  }
  void Delete(std::string_view key, Lsn lsn) { Stage(key, table_->NewDeletion(lsn)); }

  // Inserts every batched change. The memtable is then complete and may be
  // used as usual; the BulkLoad may take more changes.
  void Finish();

  Memtable* table() const { return table_; }
  // Changes given but not yet inserted.
  std::size_t pending() const { return staged_.size(); }

 private:
  // One change waiting in the batch.
  struct Entry {
    // The key's first 16 bytes, big-endian and zero-padded: most key
    // comparisons end here, without reading the key bytes (a cache miss).
    std::uint64_t head[2];
    const char* key;  // in keys_
    std::uint32_t key_size;
    std::uint32_t seq;  // call order, which decides among equal keys
    const ItemVersion* version;

    std::string_view Key() const { return {key, key_size}; }
  };
  static_assert(sizeof(Entry) == 40);

  void Stage(std::string_view key, const ItemVersion* version);
  static bool SameKey(const Entry& a, const Entry& b) {
    return a.head[0] == b.head[0] && a.head[1] == b.head[1] && a.Key() == b.Key();
  }

  Memtable* const table_;
  const std::size_t batch_changes_;
  // Keys of the batch, back to back. Its capacity is fixed while a batch is
  // open, so the pointers in staged_ stay valid.
  std::string keys_;
  std::vector<Entry> staged_;
};

}  // namespace eddy::memtable
