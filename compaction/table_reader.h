// TableReader: an open, immutable table file (docs/sstable_format.md).
//
// Open() reads and checks the footer, the index, the filter and the
// properties block, and keeps them in memory; data blocks are read on demand
// through the block cache. Every block is checked against its XXH3-64 before
// anything in it is used, and every entry is bounds-checked as it is
// decoded, so damage is reported as
//   Corruption("table <path>: bad checksum in block at offset N")
// (or "malformed ... at offset N") and is never returned as data.
//
// Reads: data blocks are read in place through a read-only memory mapping
// of the file where the Env has mappings (the real file system): a block
// that misses the block cache costs a checksum pass over page-cache memory,
// not a pread and a copy into a new buffer. The footer, index, filter and
// properties (read once, at Open) and every block under the test Envs go
// through buffered positional reads from a ReadQueuePool. Either way the
// page cache serves as a second level below the block cache;
// docs/sstable_format.md ("I/O choices") has the measurements behind these
// choices, and what a mapping costs (SIGBUS on an I/O error under it).
//
// Ownership and lifetime: the reader owns its file descriptor and closes it
// when destroyed. `env`, `cache` and `io` (when given) must outlive the
// reader. Iterators from NewIterator() must not outlive the reader; blocks
// they hold stay valid even if the cache evicts them.
//
// Thread-safety: after Open() every const member may be called from any
// number of threads at once; each iterator belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "compaction/block.h"
#include "compaction/block_cache.h"
#include "compaction/bloom_filter.h"
#include "compaction/format.h"
#include "compaction/read_queue_pool.h"
#include "compaction/restart_words.h"
#include "compaction/table_entry.h"
#include "eddy/result.h"
#include "wal/env.h"

namespace eddy::compaction {

// A key a point read asks of many files, with its filter hash computed once.
struct KeyProbe {
  explicit KeyProbe(std::string_view k) : KeyProbe(k, blocked_bloom::KeyHash(k)) {}
  // `h` is blocked_bloom::KeyHash(k), computed earlier (the memtables' filters take it too).
  KeyProbe(std::string_view k, std::uint64_t h) : key(k), hash(h) {}
  std::string_view key;
  std::uint64_t hash;
};

struct TableReaderOptions {
  wal::Env* env = nullptr;
  std::string path;
  // Names the file in the block cache; unique over the cache's life.
  std::uint64_t file_number = 0;
  BlockCache* cache = nullptr;  // optional: without one every block read does I/O
  ReadQueuePool* io = nullptr;  // optional: without one the reader makes its own
  // Read data blocks through a memory mapping of the file where the Env
  // offers one (see the header comment); false: positional reads only.
  bool map_file = true;
};

class TableReader {
 public:
  static Result<std::unique_ptr<TableReader>> Open(wal::Env* env, const std::string& path,
                                                   std::uint64_t file_number, BlockCache* cache);
  static Result<std::unique_ptr<TableReader>> Open(const TableReaderOptions& options);
  ~TableReader();

  TableReader(const TableReader&) = delete;
  TableReader& operator=(const TableReader&) = delete;

  // The entry stored under `key` (possibly a deletion), or nullopt. Checks the
  // key range and the bloom filter before it reads any block.
  Result<std::optional<OwnedTableEntry>> Get(std::string_view key) const {
    return Get(KeyProbe(key));
  }
  Result<std::optional<OwnedTableEntry>> Get(const KeyProbe& probe) const;
  // False when the key is outside the file's key range or the filter rules
  // it out; true means "maybe".
  bool MayContain(std::string_view key) const { return MayContain(KeyProbe(key)); }
  bool MayContain(const KeyProbe& probe) const;
  // Starts loading the filter line MayContain(probe) reads, when the key is
  // in the file's range (BloomFilter::Prefetch).
  void PrefetchFilter(const KeyProbe& probe) const;
  // Whether [smallest, largest] of the file meets [lo, hi] (both inclusive).
  bool Overlaps(std::string_view lo, std::string_view hi) const {
    return !(hi < std::string_view(props_.smallest_key) ||
             std::string_view(props_.largest_key) < lo);
  }

  // An iterator over every entry, in key order, positioned nowhere.
  // `fill_cache` false keeps a one-pass scan (compaction) from evicting the
  // readers' working set.
  std::unique_ptr<EntryIterator> NewIterator(bool fill_cache = true) const;
  // An iterator that walks backward: keys come in strictly *decreasing*
  // order; SeekToFirst() goes to the last entry, Seek(target) to the last
  // entry whose key is < target, Next() to the previous entry. (For a
  // MergingIterator built with `descending`.)
  std::unique_ptr<EntryIterator> NewReverseIterator(bool fill_cache = true) const;

  // Asks the kernel to read the parts of a mapped file that left the page
  // cache back in, when they fit in memory (page_cache.h); a no-op when the
  // file is not mapped. Returns the bytes asked for.
  std::uint64_t WarmPageCache() const;

  const std::string& path() const { return options_.path; }
  std::uint64_t file_number() const { return options_.file_number; }
  std::uint64_t file_bytes() const { return file_bytes_; }
  std::uint64_t entry_count() const { return footer_.entry_count; }
  const std::string& smallest_key() const { return props_.smallest_key; }
  const std::string& largest_key() const { return props_.largest_key; }
  Lsn smallest_lsn() const { return props_.smallest_lsn; }
  Lsn largest_lsn() const { return props_.largest_lsn; }

  // Internal, for the table iterator.
  const Block& index_block() const { return *index_; }
  // Positions `index` (over index_block()) at the first entry whose key is
  // >= key, narrowing the search with the index's RestartWords.
  void SeekIndex(Block::Iter* index, std::string_view key) const;
  std::uint64_t index_offset() const { return footer_.index.offset; }
  // Decodes an index entry's value and checks it lies in the data region.
  Result<BlockHandle> DecodeDataHandle(std::string_view encoded, std::uint64_t index_pos) const;
  Result<std::shared_ptr<const Block>> ReadDataBlock(const BlockHandle& handle,
                                                     bool fill_cache) const;
  // Splits a data entry's stored value into LSN, deletion bit and value.
  Result<TableEntry> DecodeEntry(std::string_view key, std::string_view stored,
                                 std::uint64_t block_offset) const;
  Status Corrupt(std::string_view what, std::uint64_t offset) const {
    return TableCorruption(options_.path, what, offset);
  }

 private:
  explicit TableReader(TableReaderOptions options) : options_(std::move(options)) {}

  Status Load();
  bool KeyInRange(std::string_view key) const;
  // Reads and checks one block's contents (the trailer is stripped).
  Result<std::string> ReadBlockContents(const BlockHandle& handle, BlockType type) const;
  Status CheckIndex() const;

  TableReaderOptions options_;
  std::unique_ptr<ReadQueuePool> own_io_;
  ReadQueuePool* io_ = nullptr;
  wal::FileId file_ = -1;
  bool file_open_ = false;
  std::shared_ptr<const char> mapping_;  // the whole file, or null
  std::uint64_t file_bytes_ = 0;
  Footer footer_;
  TableProperties props_;
  std::optional<Block> index_;
  std::optional<RestartWords> index_words_;
  std::optional<BloomFilter> filter_;
};

}  // namespace eddy::compaction
