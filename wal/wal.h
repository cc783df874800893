// Wal: the segmented, checksummed write-ahead log. The single source of truth:
// the memtable and the stream segments are derived from what it holds.
//
// Contract
// - Append() may be called from any number of threads. Records get strictly
//   increasing LSNs (1, 2, 3, ...) in the order they enter the log; Append
//   returns a record's LSN once the sync mode's acknowledgement holds
//   (eddy/sync_mode.h). Concurrent appenders share writes and syncs
//   (group commit): one io_uring write (O_DIRECT; O_DSYNC or a linked
//   fdatasync in mode batch) carries many records, and up to
//   `max_inflight_writes` such writes are in flight while the next batch fills.
// - A failed write or sync poisons the log: that append and every later one
//   fail with IOError. A sync is never retried.
// - Open() recovers: segments in order, checksums and LSN continuity checked.
//   A torn tail (records of writes that were in flight at a crash) is cut off
//   and reported; corruption of data that had been acknowledged is an error
//   naming segment and offset. Appends then continue in a fresh segment.
// - Lifetime: the Wal owns one background thread (the log writer) and the
//   segment files; Close() (or the destructor) drains, syncs and joins it.
//
// On-disk format: docs/wal_format.md (wal/format.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "eddy/clock.h"
#include "eddy/result.h"
#include "eddy/status.h"
#include "eddy/sync_mode.h"
#include "eddy/types.h"
#include "wal/env.h"

namespace eddy::wal {

// How mode `batch` makes a write durable.
enum class SyncMethod : unsigned char {
  kDsync,           // segment opened O_DSYNC: the write itself completes durable
  kLinkedDatasync,  // write linked (IOSQE_IO_LINK) to an fdatasync
};

struct WalOptions {
  std::string dir;                            // created if missing
  std::uint64_t segment_bytes = 64ull << 20;  // rounded up to kIoAlignment
  SyncMode sync_mode = SyncMode::kBatch;
  SyncMethod sync_method = SyncMethod::kDsync;
  std::uint32_t sync_interval_ms = 10;  // mode interval only
  // O_DIRECT writes (the page cache is bypassed). Either way every write
  // covers whole 4 KiB blocks; see docs/wal_format.md.
  bool direct_io = true;
  // Batch writes in flight at once; 0 picks by mode (measured, see
  // docs/benchmarks.md): 2 for batch and interval, where fewer writes in
  // flight make larger commit groups, and 8 for none, where only bandwidth
  // counts.
  std::uint32_t max_inflight_writes = 0;
  std::uint32_t batch_buffer_bytes = 1u << 20;  // grows for larger records
  // Mode none: how long the writer may hold a batch smaller than 64 KiB,
  // with no write in flight, for more records to join it. Every write
  // covers whole blocks, so a lone record sealed at once occupies a block:
  // one writer at 50,000 records/s of 190 bytes grew the log by about 1 KB
  // per record; and each write costs system calls and wake-ups. The price:
  // a process crash may lose records acknowledged up to this long before it
  // (docs/durability.md). 0: seal at once.
  std::uint32_t none_hold_us = 500;
  // Segments kept pre-written (zero-filled and synced) ahead of need, so a
  // sync never pays for growing a file. Released segments are recycled.
  std::uint32_t spare_segments = 1;
  Env* env = nullptr;      // nullptr: Env::Default()
  Clock* clock = nullptr;  // nullptr: Clock::Real()
  // The log never hands out an LSN below this, even when it holds no record
  // at all: the caller's checkpoints cover everything below it (after
  // ReleaseBelow the log alone may not know how far it had come).
  Lsn min_next_lsn = 1;
  // Print recovery progress (records, bytes, MB/s) to stderr. Default: only
  // when stderr is a terminal.
  std::optional<bool> report_progress;
};

// One record as read back from the log. `payload` points into the reader's
// buffer and is valid until the next record is read.
struct LogRecord {
  Lsn lsn = kNoLsn;
  std::uint64_t timestamp_us = 0;
  std::uint8_t type = 0;
  ByteSpan payload;
};

// What recovery found.
struct RecoveryReport {
  std::uint64_t segments = 0;
  std::uint64_t records = 0;  // valid records seen (including those below replay_from)
  std::uint64_t bytes = 0;    // bytes of valid frames
  double seconds = 0;
  Lsn first_lsn = kNoLsn;        // oldest record still in the log
  Lsn last_lsn = kNoLsn;         // newest valid record
  bool torn_tail = false;        // true when a partial last batch was cut off
  std::string torn_tail_detail;  // "segment wal-…log: cut at offset N, M bytes dropped"
};

// Counters since Open, for benchmarks and operators.
struct WalStats {
  std::uint64_t records = 0;        // records appended
  std::uint64_t writes = 0;         // batch writes completed (records/writes = group size)
  std::uint64_t bytes_written = 0;  // bytes of those writes, padding and headers included
  std::uint64_t syncs = 0;          // fdatasyncs completed (O_DSYNC writes count as writes only)
  std::uint64_t segments_started = 0;
};

// Record types below this are the log's own (padding); callers use the rest.
inline constexpr std::uint8_t kFirstUserRecordType = 16;

class Wal {
 public:
  using ReplayFn = std::function<Status(const LogRecord&)>;

  // Opens the log in options.dir, creating it if needed. Every record with
  // LSN >= replay_from is passed to `replay` in LSN order before Open
  // returns; a non-OK Status from `replay` aborts the open. `report` may be
  // null.
  static Result<std::unique_ptr<Wal>> Open(const WalOptions& options, Lsn replay_from,
                                           const ReplayFn& replay, RecoveryReport* report);

  virtual ~Wal() = default;

  // Appends one record of `type` (>= kFirstUserRecordType). Thread-safe.
  // Returns its LSN once acknowledged under the sync mode; `timestamp_us`
  // (optional) receives the time the frame records, which replay reports.
  // Errors: InvalidArgument (type, or payload over the maximum record size),
  // IOError (the log is poisoned or closed).
  virtual Result<Lsn> Append(std::uint8_t type, ByteSpan payload,
                             std::uint64_t* timestamp_us = nullptr) = 0;

  // Makes every record appended so far durable, whatever the sync mode, and
  // returns the durable LSN.
  virtual Result<Lsn> Sync() = 0;

  // Deletes (or recycles) every segment all of whose records have LSN < lsn.
  // The segment holding `lsn` and later ones stay.
  virtual Status ReleaseBelow(Lsn lsn) = 0;

  // Newest LSN handed out; newest LSN known durable.
  virtual Lsn last_lsn() const = 0;
  virtual Lsn durable_lsn() const = 0;
  // OK, or the error that poisoned the log.
  virtual Status health() const = 0;
  virtual WalStats stats() const = 0;

  // Drains and syncs outstanding records, stops the writer thread. Later
  // appends fail. Idempotent.
  virtual Status Close() = 0;
};

// Largest payload a single record may carry.
inline constexpr std::uint32_t kMaxRecordBytes = 32u << 20;

}  // namespace eddy::wal
