// StreamSegment: one file of a shard's stream records, in sequence order.
// Format: docs/stream_segment_format.md.
//
// Design
// - The file is memory-mapped for its whole life. The one producer (the
//   engine's stream publisher, holding its publish lock) copies a record
//   into the mapping, then publishes the new end with a release store to
//   `tail_`. Readers load `tail_` with acquire and read records below it
//   straight from the mapping: no locks, no copies, never half a record.
// - Appends go to page-cache pages that the kernel writes back; Sync()
//   forces them out (fdatasync). The write-ahead log stays the source of
//   truth: after a crash, records past what a segment holds are derived
//   again from the log, and records past the log's end are cut off.
// - Two costs would otherwise land on the producer, which appends under
//   the engine's stream lock: the page fault of every fresh page, and the
//   fdatasync of a whole segment's dirty pages when it is sealed (64 MiB
//   at page-cache write speed is a pause of a few hundred ms). A tended
//   segment (SegmentTender) has both taken off that path: a background
//   thread maps the pages ahead of the tail and starts write-back of every
//   full MiB behind it, so a seal syncs at most a MiB or two. It unmaps
//   each such MiB first: writing back pages mapped writable costs a TLB
//   flush on every CPU per page (see TendAhead).
// - Why mmap rather than io_uring writes (as the log uses): readers then
//   share the producer's pages with no read path of their own and no copy,
//   and the kernel's page cache is the bounded cache of retained records.
//   Pages already written back are dropped by the kernel under pressure.
//
// Lifetime: shared_ptr-owned by its Shard and by readers in flight; the
// mapping and the descriptor go when the last owner does. Remove() deletes
// the file (readers holding the object keep reading their mapping).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy::shards {

// One record's contents as the producer hands them over and readers see
// them. Views point into the caller's bytes (append) or the mapping (read).
struct RecordView {
  std::uint64_t sequence = 0;  // strictly increasing within a shard
  std::uint64_t time_us = 0;   // when the change was logged
  std::uint8_t event = 0;      // eddy::ChangeType
  bool by_service = false;     // made by the engine itself (TTL)
  bool has_new_image = false;
  bool has_old_image = false;
  std::string_view keys;       // encoded key (docs/item_format.md)
  std::string_view new_image;  // encoded item, when has_new_image
  std::string_view old_image;  // encoded item, when has_old_image
};

inline constexpr std::uint32_t kSegmentHeaderBytes = 64;
inline constexpr std::uint32_t kRecordHeaderBytes = 40;
inline constexpr std::uint32_t kSegmentFormatVersion = 1;

// Bytes a record takes in a segment (header, body, padding to 8).
std::uint64_t RecordFootprint(const RecordView& r);

class StreamSegment {
 public:
  // Creates a segment file of at most `capacity_bytes` for appends.
  static Result<std::shared_ptr<StreamSegment>> Create(const std::string& path,
                                                       std::uint64_t capacity_bytes,
                                                       std::uint64_t bucket_start_us);
  // What Load does past the last valid record.
  enum class Repair {
    kNone,            // anything but the end of the file is Corruption
    kCutZeroTail,     // a tail of zeros (never written) is cut; other damage is Corruption
    kCutInvalidTail,  // whatever follows the valid prefix is cut (a torn tail)
  };
  // Opens an existing segment read-only (it takes no more appends). Records
  // are checked up to the first invalid one, then `repair` decides.
  static Result<std::shared_ptr<StreamSegment>> Load(const std::string& path, Repair repair);

  ~StreamSegment();
  StreamSegment(const StreamSegment&) = delete;
  StreamSegment& operator=(const StreamSegment&) = delete;

  // ---- Producer (one thread at a time)
  // False when the record does not fit (or the segment is sealed); the
  // caller seals and starts another.
  bool Append(const RecordView& record);
  // No more appends; the file is cut to its used size.
  Status Seal();
  // Makes every appended record durable.
  Status Sync();
  // Drops records with sequence > `sequence` (recovery only, no readers);
  // a segment cut this way is sealed.
  Status TruncateAfter(std::uint64_t sequence);
  Status Remove();

  // ---- Tending (SegmentTender's thread; one at a time)
  // From now on the producer leaves mapping pages ahead to TendAhead().
  // Call before the first Append.
  void set_tended() { tended_.store(true, std::memory_order_relaxed); }
  // Maps the pages ahead of the tail (MADV_POPULATE_WRITE) and starts
  // write-back (sync_file_range) of the whole MiBs behind it, which it
  // first drops from the mapping (MADV_DONTNEED). Best effort:
  // a failure here leaves the work to page faults and to Sync(), which
  // reports errors.
  void TendAhead();

  // ---- Readers (any thread, no locks)
  // Offset of the first record with sequence >= `sequence`, or the end it
  // saw (load end() before calling, to tell "not found" from "found").
  std::uint64_t Seek(std::uint64_t sequence) const;
  // Decodes the record at `offset` (< end()); returns the next offset.
  std::uint64_t ReadAt(std::uint64_t offset, RecordView* record) const;
  // End of the published records.
  std::uint64_t end() const { return tail_.load(std::memory_order_acquire); }
  bool empty() const { return end() == kSegmentHeaderBytes; }

  // Set before publication, or by the producer; readers may load them.
  std::uint64_t first_sequence() const { return first_sequence_.load(std::memory_order_acquire); }
  std::uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  std::uint64_t last_time_us() const { return last_time_us_.load(std::memory_order_acquire); }
  std::uint64_t bucket_start_us() const { return bucket_start_us_; }
  const std::string& path() const { return path_; }
  // The segment's place in its shard (0, 1, 2, ... in sequence order), set
  // by the shard before readers can see the segment.
  std::uint64_t ordinal() const { return ordinal_; }
  void set_ordinal(std::uint64_t ordinal) { ordinal_ = ordinal; }
  bool sealed() const { return sealed_.load(std::memory_order_acquire); }

 private:
  StreamSegment(std::string path, int fd, std::byte* map, std::uint64_t capacity,
                std::uint64_t bucket_start_us);
  void Index(std::uint64_t sequence, std::uint64_t offset);
  // Maps pages up to `end` (rounded up to a page) that no one mapped yet.
  // The producer and the tender may both call it; each range goes to one.
  void MapAhead(std::uint64_t end);

  const std::string path_;
  const int fd_;
  std::byte* const map_;
  const std::uint64_t capacity_;
  const std::uint64_t bucket_start_us_;
  std::atomic<std::uint64_t> tail_{kSegmentHeaderBytes};
  std::atomic<std::uint64_t> first_sequence_{0};
  std::atomic<std::uint64_t> last_sequence_{0};
  std::atomic<std::uint64_t> last_time_us_{0};
  std::atomic<bool> sealed_{false};
  std::uint64_t ordinal_ = 0;

  // Sparse index: the sequence and offset of a record every
  // kIndexEveryBytes, so Seek() reads at most that much. Written by the
  // producer into fixed slots, published by count.
  static constexpr std::uint64_t kIndexEveryBytes = 64 << 10;
  struct IndexEntry {
    std::uint64_t sequence;
    std::uint64_t offset;
  };
  std::unique_ptr<IndexEntry[]> index_;
  std::uint64_t index_capacity_ = 0;
  std::atomic<std::uint64_t> index_count_{0};
  std::uint64_t next_index_offset_ = 0;         // producer only
  std::atomic<std::uint64_t> mapped_ahead_{0};  // pages mapped up to here
  std::atomic<bool> tended_{false};
  std::uint64_t written_back_ = 0;  // tender only: write-back started below here
};

}  // namespace eddy::shards
