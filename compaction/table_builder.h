// TableBuilder and WriteTable: turn a sorted stream of entries into one
// immutable table file (docs/sstable_format.md).
//
// Steps: entries are prefix-compressed into data blocks of about
// `block_bytes`; each finished block is appended with its trailer (type,
// XXH3-64) and its last key goes into the index; every key goes into the
// bloom filter. Finish() appends the filter, properties and index blocks,
// zero padding (so an O_DIRECT file ends on a 4 KiB boundary) and the
// footer, then waits for every write and fdatasyncs the file.
//
// Contract
// - Entries must arrive in strictly increasing key order (memcmp), at most
//   one per key; otherwise Add returns InvalidArgument. A deletion carries no
//   value. LSNs must be below 2^63 (they share a varint with the deletion
//   bit). An empty table is InvalidArgument: a caller with nothing to write
//   writes no file.
// - The path must not exist. The builder makes the file's data durable;
//   making its directory entry durable (SyncDir) is the caller's job, as is
//   recording the file in a manifest.
// - Errors are sticky: after any failure every call returns it, and Finish
//   never reports success for a file whose write or sync failed. The partial
//   file is left in place; WriteTable removes it.
//
// Thread-safety: none; a builder is driven by one thread (it owns an
// IoQueue, which is per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "compaction/block_builder.h"
#include "compaction/bloom_filter.h"
#include "compaction/format.h"
#include "compaction/table_entry.h"
#include "compaction/table_file_writer.h"
#include "eddy/result.h"
#include "wal/env.h"

namespace eddy::compaction {

struct TableWriteOptions {
  wal::Env* env = nullptr;  // not owned; must outlive the builder
  std::string path;
  std::uint32_t block_bytes = 4096;       // target size of a data block's contents
  std::uint32_t bloom_bits_per_key = 10;  // 0: no filter (every lookup reads a block)
  // An older version only to write the files older builds wrote (tests).
  std::uint8_t format_version = kTableFormatVersion;
  bool direct_io = true;                // O_DIRECT writes (see the format doc for numbers)
  std::uint32_t restart_interval = 16;  // entries between full keys in a data block
  std::uint32_t write_buffer_bytes = 256 * 1024;  // per staging buffer; multiple of 4 KiB
  std::uint32_t writes_in_flight = 4;             // staging buffers
};

struct TableFileInfo {
  std::string path;
  std::uint64_t file_bytes = 0;
  std::uint64_t entry_count = 0;
  std::string smallest_key;
  std::string largest_key;
  Lsn smallest_lsn = kNoLsn;
  Lsn largest_lsn = kNoLsn;
};

class TableBuilder {
 public:
  // Creates the file (AlreadyExists if it exists).
  static Result<std::unique_ptr<TableBuilder>> Create(const TableWriteOptions& options);

  Status Add(const TableEntry& entry);
  // Completes and syncs the file. Call once.
  Result<TableFileInfo> Finish();

  std::uint64_t entry_count() const { return entry_count_; }
  // Bytes the file would have if finished now, roughly (for output splitting).
  std::uint64_t FileBytesEstimate() const {
    return writer_->offset() + data_block_.SizeEstimate() + index_block_.SizeEstimate();
  }

 private:
  TableBuilder(TableWriteOptions options, std::unique_ptr<TableFileWriter> writer);

  // Appends contents and trailer; returns where the contents start.
  Result<BlockHandle> WriteBlock(std::string_view contents, BlockType type);
  Status FlushDataBlock();
  Status Fail(Status s);

  TableWriteOptions options_;
  std::unique_ptr<TableFileWriter> writer_;
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  BloomFilterBuilder filter_;
  std::string scratch_;         // an entry's tag or a block trailer: reused
  std::string handle_scratch_;  // an index entry's value: reused
  TableProperties props_;
  std::uint64_t entry_count_ = 0;
  Status error_;  // sticky
  bool finished_ = false;
};

// Writes every entry of `source` (from SeekToFirst to the end) to a new
// table at options.path. On failure the partial file is removed and the
// error returned (the source's own error if it failed).
Result<TableFileInfo> WriteTable(const TableWriteOptions& options, EntryIterator& source);

}  // namespace eddy::compaction
