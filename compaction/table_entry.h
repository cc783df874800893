// TableEntry and EntryIterator: the vocabulary of the sorted-file layer.
//
// Keys are arbitrary byte strings ordered by memcmp (unsigned bytes, a
// shorter key before its extensions): the engine's table-id-prefixed encoded
// item keys. A source holds at most one entry per key. A deletion (tombstone)
// has no value.
//
// EntryIterator is what a flush reads (the engine wraps its memtable as one),
// what a TableReader returns, and what MergingIterator merges.
//
// Contract of every EntryIterator
// - Not thread-safe: one thread uses an iterator at a time.
// - entry() may be called only while Valid(); its views stay valid until the
//   iterator moves or is destroyed.
// - Keys come in strictly increasing memcmp order.
// - On an error (I/O, corruption) the iterator becomes !Valid() and status()
//   says why; running off the end leaves status() OK. Callers must check
//   status() once Valid() turns false: an iterator never hands out data it
//   could not verify.
#pragma once

#include <string>
#include <string_view>

#include "eddy/status.h"
#include "eddy/types.h"

namespace eddy::compaction {

struct TableEntry {
  std::string_view key;
  Lsn lsn = kNoLsn;
  bool deletion = false;   // a tombstone; `value` is empty
  std::string_view value;  // the stored item (common/stored_item.h)
};

// A TableEntry that owns its bytes (what TableReader::Get returns).
struct OwnedTableEntry {
  std::string key;
  Lsn lsn = kNoLsn;
  bool deletion = false;
  std::string value;

  TableEntry view() const { return {key, lsn, deletion, value}; }
  static OwnedTableEntry From(const TableEntry& e) {
    return {std::string(e.key), e.lsn, e.deletion, std::string(e.value)};
  }
};

class EntryIterator {
 public:
  virtual ~EntryIterator() = default;

  virtual void SeekToFirst() = 0;
  // Positions at the first entry whose key is >= `target`.
  virtual void Seek(std::string_view target) = 0;
  // Requires Valid().
  virtual void Next() = 0;
  virtual bool Valid() const = 0;
  virtual TableEntry entry() const = 0;
  virtual Status status() const = 0;
};

}  // namespace eddy::compaction
