// ReadView: one consistent picture of where items live — the active
// memtable, the immutable memtables waiting for their flush, and the table
// files — published as a whole (copy on write) so a reader never sees a
// memtable both as immutable and as a file, or neither.
//
// Lookup order is always newest first: active memtable, immutable memtables
// (newest first), files (newest first). The first source that knows a key
// decides: its version or its tombstone hides everything older.
//
// Lifetime: a reader takes a std::shared_ptr<const ReadView> and keeps it
// for as long as it uses bytes from it; memtables and open files stay alive
// with the view, so a string_view into a memtable version stays valid.
// Thread-safety: a published view is immutable (the active memtable itself
// takes concurrent inserts, as memtable.h allows).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compaction/manifest.h"
#include "compaction/table_reader.h"
#include "eddy/status.h"
#include "engine/table_key.h"
#include "memtable/memtable.h"

namespace eddy::engine {

struct TableFile {
  compaction::ManifestFile meta;
  std::unique_ptr<compaction::TableReader> reader;
};

struct FrozenMemtable {
  std::shared_ptr<memtable::Memtable> mem;
  // Every item change with LSN <= switch_lsn went into `mem` or an older source.
  Lsn switch_lsn = kNoLsn;
  // Each table's item count as of switch_lsn, for the catalog checkpoint
  // the flush writes with the file.
  std::shared_ptr<const std::vector<std::pair<TableId, std::int64_t>>> item_counts;
};

struct ReadView {
  std::shared_ptr<memtable::Memtable> active;
  std::vector<FrozenMemtable> immutables;               // newest first
  std::vector<std::shared_ptr<const TableFile>> files;  // newest first
};

// Looks `key` up below the active memtable (immutables, then files). On a
// hit *found is the encoded item, or nullopt for a tombstone or when no
// source knows the key; bytes from a file are kept in *owned, so *found
// stays valid while both *owned and `view` live (and *owned is not moved).
// Errors: the file's Corruption or IOError; never older data instead.
// `key_hash` is blocked_bloom::KeyHash(key): every filter below takes it.
Status FindBelowActive(const ReadView& view, std::string_view key, std::uint64_t key_hash,
                       std::string* owned, std::optional<std::string_view>* found);

// The same, starting at the active memtable.
Status FindCurrent(const ReadView& view, std::string_view key, std::string* owned,
                   std::optional<std::string_view>* found);

}  // namespace eddy::engine
