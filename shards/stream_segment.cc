#include "shards/stream_segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>

#include "common/hash.h"

namespace eddy::shards {
namespace {

constexpr std::uint64_t kSegmentMagic = 0x4d52545359444445ull;  // "EDDYSTRM"
constexpr std::uint8_t kFlagNewImage = 1;
constexpr std::uint8_t kFlagOldImage = 2;
constexpr std::uint8_t kFlagByService = 4;
// How far ahead of the tail pages are mapped, and the unit of write-back.
constexpr std::uint64_t kMapAheadBytes = 1u << 20;
constexpr std::uint64_t kWriteBackBytes = 1u << 20;
constexpr std::uint64_t kPageBytes = 4096;

Status Errno(std::string_view what, const std::string& path) {
  return Status::IOError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

std::uint64_t Pad8(std::uint64_t n) {
  return (n + 7) & ~std::uint64_t{7};
}

template <typename T>
void Put(std::byte* at, T v) {
  std::memcpy(at, &v, sizeof v);
}
template <typename T>
T Get(const std::byte* at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

// Record header layout (docs/stream_segment_format.md):
//   0 u32 payload bytes (keys + images, unpadded)   4 u32 checksum
//   8 u64 sequence   16 u64 time_us   24 u8 event   25 u8 flags   26 u16 zero
//  28 u32 key bytes  32 u32 new image bytes  36 u32 old image bytes
// Over the header after its first 8 bytes (payload size, checksum) and the
// payload, which follows the header in the segment: one call over contiguous
// bytes (a streaming state would cost a 576-byte reset per record, under the
// stream's drain lock).
std::uint32_t RecordChecksum(const std::byte* header, std::uint64_t payload_bytes) {
  return static_cast<std::uint32_t>(
      XXH3_64bits(header + 8, kRecordHeaderBytes - 8 + payload_bytes));
}

void EncodeSegmentHeader(std::uint64_t bucket_start_us, std::uint64_t capacity, std::byte* out) {
  std::memset(out, 0, kSegmentHeaderBytes);
  Put(out, kSegmentMagic);
  Put(out + 8, kSegmentFormatVersion);
  Put(out + 12, kSegmentHeaderBytes);
  Put(out + 16, bucket_start_us);
  Put(out + 24, capacity);
  Put(out + 56, XXH3_64bits(out, 56));
}

}  // namespace

std::uint64_t RecordFootprint(const RecordView& r) {
  return kRecordHeaderBytes + Pad8(r.keys.size() + r.new_image.size() + r.old_image.size());
}

StreamSegment::StreamSegment(std::string path, int fd, std::byte* map, std::uint64_t capacity,
                             std::uint64_t bucket_start_us)
    : path_(std::move(path)),
      fd_(fd),
      map_(map),
      capacity_(capacity),
      bucket_start_us_(bucket_start_us) {
  index_capacity_ = capacity / kIndexEveryBytes + 2;
  index_ = std::make_unique<IndexEntry[]>(index_capacity_);
}

StreamSegment::~StreamSegment() {
  if (map_ != nullptr) munmap(map_, capacity_);
  if (fd_ >= 0) close(fd_);
}

Result<std::shared_ptr<StreamSegment>> StreamSegment::Create(const std::string& path,
                                                             std::uint64_t capacity_bytes,
                                                             std::uint64_t bucket_start_us) {
  assert(capacity_bytes > kSegmentHeaderBytes);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  // Blocks are allocated up front (fallocate, which does not write them),
  // so a page fault on the producer's path need not allocate disk space;
  // Seal() gives back what the segment did not use. Where fallocate is
  // unsupported the file stays sparse.
  if (fallocate(fd, 0, 0, static_cast<off_t>(capacity_bytes)) != 0 &&
      ftruncate(fd, static_cast<off_t>(capacity_bytes)) != 0) {
    Status s = Errno("size", path);
    close(fd);
    unlink(path.c_str());
    return s;
  }
  void* map = mmap(nullptr, capacity_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    Status s = Errno("map", path);
    close(fd);
    unlink(path.c_str());
    return s;
  }
  std::shared_ptr<StreamSegment> segment(
      new StreamSegment(path, fd, static_cast<std::byte*>(map), capacity_bytes, bucket_start_us));
  EncodeSegmentHeader(bucket_start_us, capacity_bytes, segment->map_);
  return segment;
}

Result<std::shared_ptr<StreamSegment>> StreamSegment::Load(const std::string& path, Repair repair) {
  int fd = open(path.c_str(), (repair != Repair::kNone ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    Status s = Errno("stat", path);
    close(fd);
    return s;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < kSegmentHeaderBytes) {
    close(fd);
    return Status::Corruption("stream segment " + path + " is shorter than its header");
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    Status s = Errno("map", path);
    close(fd);
    return s;
  }
  auto* bytes = static_cast<std::byte*>(map);
  if (Get<std::uint64_t>(bytes) != kSegmentMagic ||
      Get<std::uint64_t>(bytes + 56) != XXH3_64bits(bytes, 56) ||
      Get<std::uint32_t>(bytes + 8) != kSegmentFormatVersion) {
    munmap(map, size);
    close(fd);
    return Status::Corruption("stream segment " + path + " has a bad header");
  }
  std::shared_ptr<StreamSegment> segment(
      new StreamSegment(path, fd, bytes, size, Get<std::uint64_t>(bytes + 16)));
  segment->sealed_.store(true);

  // Walk the records: the valid prefix ends at a zero length (never written),
  // a record running past the file, a checksum mismatch or a sequence that
  // does not increase.
  std::uint64_t at = kSegmentHeaderBytes;
  std::uint64_t previous = 0;
  while (at + kRecordHeaderBytes <= size) {
    const std::byte* h = bytes + at;
    const auto payload = Get<std::uint32_t>(h);
    const auto sequence = Get<std::uint64_t>(h + 8);
    if (payload == 0 && sequence == 0) break;
    const std::uint64_t footprint = kRecordHeaderBytes + Pad8(payload);
    if (at + footprint > size || sequence <= previous ||
        std::uint64_t{Get<std::uint32_t>(h + 28)} + Get<std::uint32_t>(h + 32) +
                Get<std::uint32_t>(h + 36) !=
            payload ||
        Get<std::uint32_t>(h + 4) != RecordChecksum(h, payload)) {
      break;
    }
    segment->Index(sequence, at);
    if (previous == 0) segment->first_sequence_.store(sequence);
    segment->last_sequence_.store(sequence);
    segment->last_time_us_.store(Get<std::uint64_t>(h + 16));
    previous = sequence;
    at += footprint;
  }
  segment->tail_.store(at);
  if (at < size) {
    bool zero_tail = true;
    for (std::uint64_t i = at; i < size && zero_tail; ++i)
      zero_tail = bytes[i] == std::byte{0};
    if (repair == Repair::kNone || (repair == Repair::kCutZeroTail && !zero_tail)) {
      return Status::Corruption("stream segment " + path + ": invalid record at offset " +
                                std::to_string(at));
    }
    if (ftruncate(fd, static_cast<off_t>(at)) != 0 || fdatasync(fd) != 0) {
      return Errno("cut", path);
    }
  }
  return segment;
}

void StreamSegment::MapAhead(std::uint64_t end) {
  // madvise wants a page-aligned start, so every claimed range ends on a
  // page boundary (or at the capacity, after which nothing is left).
  const std::uint64_t to = std::min(capacity_, (end + kPageBytes - 1) & ~(kPageBytes - 1));
  std::uint64_t from = mapped_ahead_.load(std::memory_order_relaxed);
  while (from < to) {
    if (mapped_ahead_.compare_exchange_weak(from, to, std::memory_order_relaxed)) {
      // Best effort: kernels before 5.14 lack MADV_POPULATE_WRITE, and
      // then the pages fault in one by one.
      madvise(map_ + from, to - from, MADV_POPULATE_WRITE);
      return;
    }
  }
}

void StreamSegment::TendAhead() {
  if (sealed()) return;
  const std::uint64_t tail = tail_.load(std::memory_order_acquire);
  if (tail + kMapAheadBytes / 2 >= mapped_ahead_.load(std::memory_order_relaxed)) {
    MapAhead(tail + kMapAheadBytes);
  }
  // Every byte below a MiB boundary under the tail is written for good: the
  // producer only appends, so these pages are not dirtied again.
  const std::uint64_t full = tail & ~(kWriteBackBytes - 1);
  if (full > written_back_) {
    // Unmapped first: write-back of a page that is mapped writable must
    // write-protect its entry and flush the TLB of every CPU running this
    // process, page by page (folio_mkclean), which interrupts the producer
    // and the readers 256 times a MiB (measured on this project's VMs:
    // most of the tender's CPU, and milliseconds of wake-up delay; docs/
    // benchmarks.md, "unmapped before write-back"). Dropping the range
    // from the mapping costs one flush for the MiB. The pages stay in the
    // page cache with their data (a shared mapping), and a reader that
    // reads this far back faults them in again, read-only.
    madvise(map_ + written_back_, full - written_back_, MADV_DONTNEED);
    sync_file_range(fd_, static_cast<off_t>(written_back_),
                    static_cast<off_t>(full - written_back_), SYNC_FILE_RANGE_WRITE);
    written_back_ = full;
  }
}

void StreamSegment::Index(std::uint64_t sequence, std::uint64_t offset) {
  if (offset < next_index_offset_) return;
  std::uint64_t n = index_count_.load(std::memory_order_relaxed);
  if (n == index_capacity_) return;
  index_[n] = {sequence, offset};
  index_count_.store(n + 1, std::memory_order_release);
  next_index_offset_ = offset + kIndexEveryBytes;
}

bool StreamSegment::Append(const RecordView& r) {
  if (sealed()) return false;
  const std::uint64_t at = tail_.load(std::memory_order_relaxed);
  const std::uint64_t footprint = RecordFootprint(r);
  if (at + footprint > capacity_) return false;
  const std::uint64_t payload = r.keys.size() + r.new_image.size() + r.old_image.size();
  std::byte* h = map_ + at;
  Put(h, static_cast<std::uint32_t>(payload));
  Put(h + 8, r.sequence);
  Put(h + 16, r.time_us);
  Put(h + 24, r.event);
  Put(h + 25, static_cast<std::uint8_t>((r.has_new_image ? kFlagNewImage : 0) |
                                        (r.has_old_image ? kFlagOldImage : 0) |
                                        (r.by_service ? kFlagByService : 0)));
  Put(h + 26, std::uint16_t{0});
  Put(h + 28, static_cast<std::uint32_t>(r.keys.size()));
  Put(h + 32, static_cast<std::uint32_t>(r.new_image.size()));
  Put(h + 36, static_cast<std::uint32_t>(r.old_image.size()));
  std::byte* p = h + kRecordHeaderBytes;
  // (An absent image is an empty view whose data() may be null, which
  // memcpy must not be given even for zero bytes.)
  auto copy = [](std::byte* to, std::string_view from) {
    if (!from.empty()) std::memcpy(to, from.data(), from.size());
  };
  copy(p, r.keys);
  copy(p + r.keys.size(), r.new_image);
  copy(p + r.keys.size() + r.new_image.size(), r.old_image);
  // Zero the padding: the file's bytes are then a function of its records.
  std::memset(p + payload, 0, Pad8(payload) - payload);
  Put(h + 4, RecordChecksum(h, payload));

  Index(r.sequence, at);
  // One call per half MiB instead of a page fault per 4 KiB (a tended
  // segment has this done by its tender, off this path).
  if (!tended_.load(std::memory_order_relaxed) &&
      at + footprint + kMapAheadBytes / 2 >= mapped_ahead_.load(std::memory_order_relaxed)) {
    MapAhead(at + footprint + kMapAheadBytes);
  }
  if (first_sequence_.load(std::memory_order_relaxed) == 0) {
    first_sequence_.store(r.sequence, std::memory_order_release);
  }
  last_sequence_.store(r.sequence, std::memory_order_release);
  last_time_us_.store(r.time_us, std::memory_order_release);
  // Publication: readers that see the new tail see the whole record.
  tail_.store(at + footprint, std::memory_order_release);
  return true;
}

Status StreamSegment::Seal() {
  if (sealed_.exchange(true)) return Status::Ok();
  if (ftruncate(fd_, static_cast<off_t>(end())) != 0) return Errno("cut", path_);
  return Status::Ok();
}

Status StreamSegment::Sync() {
  if (fdatasync(fd_) != 0) return Errno("sync", path_);
  return Status::Ok();
}

Status StreamSegment::TruncateAfter(std::uint64_t sequence) {
  if (last_sequence() <= sequence) return Status::Ok();
  sealed_.store(true, std::memory_order_release);
  std::uint64_t at = Seek(sequence + 1);
  tail_.store(at, std::memory_order_release);
  std::uint64_t n = index_count_.load();
  while (n > 0 && index_[n - 1].offset >= at)
    --n;
  index_count_.store(n);
  next_index_offset_ = n == 0 ? 0 : index_[n - 1].offset + kIndexEveryBytes;
  // Recompute the last record's fields by walking from the start.
  std::uint64_t first = 0, last = 0, last_time = 0;
  for (std::uint64_t o = kSegmentHeaderBytes; o < at;) {
    RecordView r;
    o = ReadAt(o, &r);
    if (first == 0) first = r.sequence;
    last = r.sequence;
    last_time = r.time_us;
  }
  first_sequence_.store(first);
  last_sequence_.store(last);
  last_time_us_.store(last_time);
  int fd = open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Errno("open", path_);
  int rc = ftruncate(fd, static_cast<off_t>(at)) == 0 && fdatasync(fd) == 0 ? 0 : -1;
  Status s = rc == 0 ? Status::Ok() : Errno("cut", path_);
  close(fd);
  return s;
}

Status StreamSegment::Remove() {
  if (unlink(path_.c_str()) != 0 && errno != ENOENT) return Errno("remove", path_);
  return Status::Ok();
}

std::uint64_t StreamSegment::Seek(std::uint64_t sequence) const {
  const std::uint64_t tail = end();
  // Last index entry at or below `sequence`; entries are in sequence order.
  std::uint64_t lo = 0, hi = index_count_.load(std::memory_order_acquire);
  std::uint64_t at = kSegmentHeaderBytes;
  while (lo < hi) {
    std::uint64_t mid = (lo + hi) / 2;
    if (index_[mid].sequence <= sequence) {
      at = index_[mid].offset;
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  while (at < tail) {
    RecordView r;
    std::uint64_t next = ReadAt(at, &r);
    if (r.sequence >= sequence) return at;
    at = next;
  }
  return tail;
}

std::uint64_t StreamSegment::ReadAt(std::uint64_t offset, RecordView* r) const {
  const std::byte* h = map_ + offset;
  const auto payload = Get<std::uint32_t>(h);
  r->sequence = Get<std::uint64_t>(h + 8);
  r->time_us = Get<std::uint64_t>(h + 16);
  r->event = Get<std::uint8_t>(h + 24);
  const auto flags = Get<std::uint8_t>(h + 25);
  r->has_new_image = (flags & kFlagNewImage) != 0;
  r->has_old_image = (flags & kFlagOldImage) != 0;
  r->by_service = (flags & kFlagByService) != 0;
  const auto key_bytes = Get<std::uint32_t>(h + 28);
  const auto new_bytes = Get<std::uint32_t>(h + 32);
  const auto old_bytes = Get<std::uint32_t>(h + 36);
  const char* p = reinterpret_cast<const char*>(h + kRecordHeaderBytes);
  r->keys = {p, key_bytes};
  r->new_image = {p + key_bytes, new_bytes};
  r->old_image = {p + key_bytes + new_bytes, old_bytes};
  return offset + kRecordHeaderBytes + Pad8(payload);
}

}  // namespace eddy::shards
