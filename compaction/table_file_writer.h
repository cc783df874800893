// TableFileWriter: streams one new file to disk through an IoQueue.
//
// Appends are copied into a small ring of aligned staging buffers; a full
// buffer is written while the next one fills, so several writes are in
// flight and the builder never waits for the disk unless every buffer is
// busy. Finish() writes the last buffer, waits for every write, fdatasyncs
// and closes. Short writes are resubmitted; any failed write or sync is
// returned and sticks: every later call returns the same error, and nothing
// reports success after a failure.
//
// With `direct_io` the file is opened O_DIRECT: every write covers whole
// kIoAlignment blocks from aligned buffers, so the caller must make the
// file's total length a multiple of kIoAlignment before Finish() (the table
// builder pads before the footer).
//
// Ownership: the writer owns the file descriptor and its buffers. Destroying
// an unfinished writer waits for in-flight writes, closes the file and leaves
// it on disk (the caller removes it).
//
// Thread-safety: none; one thread drives a writer (its IoQueue is per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/result.h"
#include "wal/aligned_buffer.h"
#include "wal/env.h"

namespace eddy::compaction {

struct TableFileWriterOptions {
  wal::Env* env = nullptr;
  std::string path;
  bool direct_io = true;
  std::uint32_t buffer_bytes = 256 * 1024;  // multiple of kIoAlignment
  std::uint32_t buffer_count = 4;           // writes in flight at most
};

class TableFileWriter {
 public:
  // Creates the file. It must not exist yet (AlreadyExists otherwise: a
  // stale longer file would leave bytes after the footer).
  static Result<std::unique_ptr<TableFileWriter>> Create(const TableFileWriterOptions& options);
  ~TableFileWriter();

  TableFileWriter(const TableFileWriter&) = delete;
  TableFileWriter& operator=(const TableFileWriter&) = delete;

  Status Append(std::string_view data);
  // Bytes appended so far: the file offset of the next Append.
  std::uint64_t offset() const { return offset_; }
  // Writes what is left, waits, fdatasyncs, closes. Call once.
  Status Finish();

 private:
  struct Slot {
    wal::AlignedBuffer buffer;
    std::uint64_t file_offset = 0;
    std::uint32_t len = 0;   // bytes of this write
    std::uint32_t done = 0;  // bytes the disk has taken so far
    bool busy = false;
  };

  TableFileWriter(TableFileWriterOptions options, wal::FileId file,
                  std::unique_ptr<wal::IoQueue> queue);

  // Queues the filled part of the current slot and moves to a free one.
  Status WriteCurrent();
  // Reaps one completion; resubmits a short write.
  Status ReapOne();
  // Waits for every write in flight; returns the first error seen.
  Status Drain();
  Status Fail(Status s);
  Status CloseFile();

  TableFileWriterOptions options_;
  wal::FileId file_;
  bool file_open_ = true;
  std::unique_ptr<wal::IoQueue> queue_;
  std::vector<Slot> slots_;
  std::uint32_t current_ = 0;  // the slot being filled
  std::uint32_t fill_ = 0;     // bytes in the current slot
  std::uint32_t in_flight_ = 0;
  std::uint64_t offset_ = 0;
  Status error_;  // sticky
  bool finished_ = false;
};

}  // namespace eddy::compaction
