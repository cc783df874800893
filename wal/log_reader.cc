// Design note: reading and recovery.
//
// Segments are read in LSN order through one IoQueue in 1 MiB O_DIRECT
// chunks into a sliding window, with the next kReadAhead chunks already in
// flight (O_DIRECT gets no kernel read-ahead, and replay is otherwise idle
// while it waits for each chunk). Each frame must check (seeded XXH3) and carry
// exactly the next LSN; the first frame that does not ends the segment's data.
// What that end means depends on where it is:
// - Not the last segment: the next segment must begin with the LSN expected
//   next. Otherwise records are missing: Corruption, naming segment and offset.
// - The last segment: the rest of it is scanned for frames of this segment's
//   incarnation. Such a frame whose durable_lsn reaches the missing LSN proves
//   the missing record had been acknowledged before the crash: Corruption.
//   Otherwise everything after the end belongs to writes that were in flight
//   when the writer stopped (a torn tail): it is cut off and reported.
// The writer never appends to a segment it did not create in this run, so a
// cut tail is never overwritten in place and reading the same files always
// gives the same answer.
#include "wal/log_reader.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "wal/aligned_buffer.h"
#include "wal/format.h"
#include "wal/io_status.h"
#include "wal/segment_name.h"

namespace eddy::wal {
namespace {

constexpr std::uint32_t kChunkBytes = 1u << 20;
constexpr std::size_t kReadAhead = 4;  // chunk reads in flight ahead of replay

struct SegmentRef {
  Lsn first_lsn;
  std::string name;
};

class LogReaderImpl final : public LogReader {
 public:
  LogReaderImpl(Env* env, std::string dir, std::vector<SegmentRef> segments, Lsn from_lsn,
                bool report_progress, std::unique_ptr<IoQueue> queue)
      : env_(env),
        dir_(std::move(dir)),
        segments_(std::move(segments)),
        from_lsn_(from_lsn),
        report_progress_(report_progress),
        queue_(std::move(queue)),
        window_(kChunkBytes * 4),
        start_(std::chrono::steady_clock::now()) {
    report_.segments = segments_.size();
  }

  ~LogReaderImpl() override { CloseSegment(); }

  Result<bool> Next(LogRecord* out) override {
    if (!status_.ok()) return status_;
    while (!done_) {
      if (!segment_open_) {
        if (index_ == segments_.size()) {
          Finish();
          break;
        }
        Status s = OpenSegment();
        if (!s.ok()) return Fail(s);
        continue;
      }
      Result<bool> r = NextInSegment(out);
      if (!r.ok()) return Fail(r.status());
      if (*r) return true;
    }
    return false;
  }

  const RecoveryReport& report() const override { return report_; }

 private:
  Status Fail(Status s) {
    status_ = s;
    return s;
  }

  std::string SegmentPath(std::size_t i) const { return dir_ + "/" + segments_[i].name; }

  Status OpenSegment() {
    const SegmentRef& seg = segments_[index_];
    EDDY_ASSIGN_OR_RETURN(file_,
                          env_->Open(SegmentPath(index_), {.read_only = true, .direct = true}));
    segment_open_ = true;
    EDDY_ASSIGN_OR_RETURN(file_size_, env_->FileSize(file_));
    window_offset_ = 0;
    window_len_ = 0;
    eof_ = false;
    EDDY_ASSIGN_OR_RETURN(std::uint64_t avail, Ensure(0, kSegmentHeaderBytes));
    std::optional<SegmentHeader> header;
    if (avail >= kSegmentHeaderBytes) header = DecodeSegmentHeader(window_.data());
    if (!header || header->first_lsn != seg.first_lsn) {
      // A segment whose first write never completed. Only the last segment
      // may be like that: the writer starts a segment's first write only once
      // every earlier write has completed.
      if (index_ + 1 != segments_.size() || (expected_ != kNoLsn && expected_ != seg.first_lsn)) {
        return Status::Corruption("segment " + seg.name + ": missing or damaged segment header");
      }
      report_.torn_tail = true;
      report_.torn_tail_detail = "segment " + seg.name + ": header never completed; segment empty";
      CloseSegment();
      ++index_;
      return Status::Ok();
    }
    if (expected_ == kNoLsn) {
      expected_ = seg.first_lsn;
      report_.first_lsn = seg.first_lsn;
    } else if (seg.first_lsn != expected_) {
      return Status::Corruption("segment " + seg.name + " starts at LSN " +
                                std::to_string(seg.first_lsn) + " but LSN " +
                                std::to_string(expected_) + " was expected next");
    }
    salt_ = header->salt;
    segment_bytes_ = header->segment_bytes;
    segment_end_ = std::min<std::uint64_t>(file_size_, header->segment_bytes);
    pos_ = kSegmentHeaderBytes;
    return Status::Ok();
  }

  void CloseSegment() {
    // Reads still in flight target this file and the chunk buffers.
    DrainReadAhead().IgnoreError();
    if (segment_open_) env_->Close(file_).IgnoreError();
    segment_open_ = false;
  }

  // ---- Read-ahead: chunk reads of the open segment at consecutive offsets.
  struct Chunk {
    AlignedBuffer buffer{kChunkBytes};
    std::uint64_t offset = 0;
    bool busy = false;  // queued (in flight or completed, not yet consumed)
    bool done = false;
    std::int32_t result = 0;
  };

  Status WaitOne() {
    IoCompletion c;
    EDDY_RETURN_IF_ERROR(queue_->WaitCompletion(&c));
    Chunk& chunk = ahead_[c.tag];
    chunk.done = true;
    chunk.result = c.result;
    return Status::Ok();
  }

  Status DrainReadAhead() {
    Status s;
    for (Chunk& chunk : ahead_) {
      while (chunk.busy && !chunk.done && s.ok())
        s = WaitOne();
      chunk.busy = chunk.done = false;
    }
    return s;
  }

  // Queues reads of the chunks after the last one queued, up to kReadAhead.
  Status TopUpReadAhead() {
    bool queued = false;
    for (std::size_t i = 0; i < ahead_.size() && next_ahead_ < file_size_; ++i) {
      Chunk& chunk = ahead_[i];
      if (chunk.busy) continue;
      chunk.offset = next_ahead_;
      chunk.busy = true;
      chunk.done = false;
      queue_->QueueRead(file_, chunk.offset, chunk.buffer.data(), kChunkBytes, i);
      next_ahead_ += kChunkBytes;
      queued = true;
    }
    return queued ? queue_->Submit() : Status::Ok();
  }

  // Reads the chunk at `offset` into `dst`; returns the bytes read (fewer
  // than kChunkBytes at the end of the file).
  Result<std::uint32_t> ReadChunk(std::uint64_t offset, std::byte* dst) {
    auto it = std::find_if(ahead_.begin(), ahead_.end(),
                           [&](const Chunk& c) { return c.busy && c.offset == offset; });
    if (it == ahead_.end()) {
      // Not the next chunk in line (a new segment, or the window moved
      // back): start the read-ahead over from here.
      EDDY_RETURN_IF_ERROR(DrainReadAhead());
      next_ahead_ = offset;
      EDDY_RETURN_IF_ERROR(TopUpReadAhead());
      it = std::find_if(ahead_.begin(), ahead_.end(),
                        [&](const Chunk& c) { return c.busy && c.offset == offset; });
      if (it == ahead_.end()) return 0u;  // at or past the end of the file
    }
    while (!it->done)
      EDDY_RETURN_IF_ERROR(WaitOne());
    const std::int32_t result = it->result;
    if (result > 0) std::memcpy(dst, it->buffer.data(), static_cast<std::size_t>(result));
    it->busy = it->done = false;
    if (result < 0) return ErrnoStatus(result, "read " + SegmentPath(index_));
    EDDY_RETURN_IF_ERROR(TopUpReadAhead());
    return static_cast<std::uint32_t>(result);
  }

  // Makes bytes [offset, offset + need) of the open segment readable in the
  // window, reading forward as needed. Returns how many bytes from `offset`
  // are available (less than `need` only at the end of the file).
  Result<std::uint64_t> Ensure(std::uint64_t offset, std::uint64_t need) {
    if (offset < window_offset_ || offset > window_offset_ + window_len_) {
      window_offset_ = AlignDown(offset, kIoAlignment);
      window_len_ = 0;
      eof_ = false;
    }
    while (window_offset_ + window_len_ < offset + need && !eof_) {
      std::uint64_t keep_from = AlignDown(offset, kIoAlignment);
      if (keep_from > window_offset_) {
        std::uint64_t drop = keep_from - window_offset_;
        std::memmove(window_.data(), window_.data() + drop, window_len_ - drop);
        window_offset_ = keep_from;
        window_len_ -= drop;
      }
      std::uint64_t want = offset + need - window_offset_;
      if (want + kChunkBytes > window_.capacity()) {
        AlignedBuffer bigger(AlignUp(want + kChunkBytes, kChunkBytes));
        std::memcpy(bigger.data(), window_.data(), window_len_);
        window_ = std::move(bigger);
      }
      std::uint64_t read_at = window_offset_ + window_len_;
      if (read_at >= file_size_) {
        eof_ = true;
        break;
      }
      EDDY_ASSIGN_OR_RETURN(std::uint32_t got, ReadChunk(read_at, window_.data() + window_len_));
      window_len_ += got;
      if (got < kChunkBytes) eof_ = true;
    }
    std::uint64_t end = window_offset_ + window_len_;
    return end > offset ? std::min(need, end - offset) : 0;
  }

  // Checks the frame at `offset` of the open segment.
  Result<FrameCheck> CheckAt(std::uint64_t offset, FrameHeader* header) {
    if (offset + kFrameHeaderBytes > segment_end_) return FrameCheck::kTruncated;
    EDDY_ASSIGN_OR_RETURN(std::uint64_t avail, Ensure(offset, kFrameHeaderBytes));
    FrameCheck check = CheckFrame(salt_, window_.data() + (offset - window_offset_), avail, header);
    if (check != FrameCheck::kTruncated || avail < kFrameHeaderBytes) return check;
    // The header is plausible and the payload lies beyond the window: read it.
    FrameHeader peek;
    std::memcpy(&peek, window_.data() + (offset - window_offset_), sizeof(peek));
    std::uint64_t need = kFrameHeaderBytes + std::uint64_t{peek.payload_len};
    if (offset + need > segment_end_) return FrameCheck::kTruncated;
    EDDY_ASSIGN_OR_RETURN(avail, Ensure(offset, need));
    return CheckFrame(salt_, window_.data() + (offset - window_offset_), avail, header);
  }

  Result<bool> NextInSegment(LogRecord* out) {
    while (true) {
      pos_ = NextFrameStart(pos_);
      FrameHeader h;
      EDDY_ASSIGN_OR_RETURN(FrameCheck check, CheckAt(pos_, &h));
      bool is_padding =
          check == FrameCheck::kValid && h.type == static_cast<std::uint8_t>(FrameType::kPadding);
      if (check != FrameCheck::kValid || (!is_padding && h.lsn != expected_)) {
        EDDY_RETURN_IF_ERROR(EndOfSegmentData());
        return false;
      }
      std::uint64_t frame_at = pos_;
      pos_ += FrameBytes(h.payload_len);
      if (is_padding) continue;
      ++expected_;
      ++report_.records;
      report_.bytes += FrameBytes(h.payload_len);
      report_.last_lsn = h.lsn;
      MaybeReportProgress();
      if (h.lsn < from_lsn_) continue;
      out->lsn = h.lsn;
      out->timestamp_us = h.timestamp_us;
      out->type = h.type;
      out->payload =
          ByteSpan(window_.data() + (frame_at - window_offset_) + kFrameHeaderBytes, h.payload_len);
      return true;
    }
  }

  // The open segment's valid data ended at pos_.
  Status EndOfSegmentData() {
    const std::string& name = segments_[index_].name;
    if (index_ + 1 < segments_.size()) {
      Lsn next_first = segments_[index_ + 1].first_lsn;
      if (next_first != expected_) {
        return Status::Corruption("segment " + name + ": damaged or missing frame at offset " +
                                  std::to_string(pos_) + " (LSN " + std::to_string(expected_) +
                                  "); the next segment starts at LSN " +
                                  std::to_string(next_first));
      }
    } else {
      EDDY_RETURN_IF_ERROR(CheckTornTail());
    }
    CloseSegment();
    ++index_;
    return Status::Ok();
  }

  // Decides whether the damage at pos_ of the last segment is a torn tail.
  // Evidence of dropped data: a valid frame of this incarnation after the cut
  // (fatal if it vouches for the missing LSN), a frame header whose LSN field
  // names the expected LSN or a later one even though its checksum fails, or
  // a file shorter than the size its header promises (segments are
  // pre-written in full, so a short file was cut).
  Status CheckTornTail() {
    const std::string& name = segments_[index_].name;
    const std::uint64_t cut = pos_;
    std::uint64_t furthest = cut;
    std::uint64_t dropped_frames = 0;
    FrameHeader h;
    for (std::uint64_t q = cut; q + kFrameHeaderBytes <= segment_end_; q += 8) {
      if (NextFrameStart(q) != q) continue;
      EDDY_ASSIGN_OR_RETURN(FrameCheck check, CheckAt(q, &h));
      if (check == FrameCheck::kValid) {
        if (h.type == static_cast<std::uint8_t>(FrameType::kPadding)) continue;
        if (h.durable_lsn >= expected_) {
          return Status::Corruption("segment " + name + ": damaged frame at offset " +
                                    std::to_string(cut) + " (LSN " + std::to_string(expected_) +
                                    ") had been acknowledged: the frame at offset " +
                                    std::to_string(q) + " was written after it was durable");
        }
        ++dropped_frames;
        furthest = q + FrameBytes(h.payload_len);
        q = furthest - 8;
        continue;
      }
      if (LooksLikeLostFrame(q, cut)) {
        ++dropped_frames;
        furthest = std::max(furthest, q + kFrameHeaderBytes);
      }
    }
    const bool truncated = file_size_ < segment_bytes_;
    if (dropped_frames == 0 && !truncated) return Status::Ok();
    report_.torn_tail = true;
    report_.torn_tail_detail = "segment " + name + ": cut at offset " + std::to_string(cut) +
                               " (LSN " + std::to_string(expected_) + " onwards)";
    if (dropped_frames > 0) {
      report_.torn_tail_detail += ", " + std::to_string(furthest - cut) + " bytes in " +
                                  std::to_string(dropped_frames) +
                                  " frame(s) of unacknowledged or damaged writes dropped";
    }
    if (truncated) {
      report_.torn_tail_detail += "; the file is " + std::to_string(file_size_) +
                                  " bytes, shorter than its " + std::to_string(segment_bytes_) +
                                  ": everything after the end of the file is lost";
    }
    return Status::Ok();
  }

  // A header at `offset` that fails its checksum but names an LSN the bytes
  // since the cut could have held: frames take at least kFrameHeaderBytes,
  // so a frame at `offset` carries at most expected_ + (offset - cut) / 40.
  // (Frames left from a recycled file's earlier life carry lower LSNs.)
  bool LooksLikeLostFrame(std::uint64_t offset, std::uint64_t cut) {
    Result<std::uint64_t> avail = Ensure(offset, kFrameHeaderBytes);
    if (!avail.ok() || *avail < kFrameHeaderBytes) return false;
    FrameHeader h;
    std::memcpy(&h, window_.data() + (offset - window_offset_), sizeof(h));
    return h.type >= kFirstUserRecordType && h.lsn >= expected_ &&
           h.lsn <= expected_ + (offset - cut) / kFrameHeaderBytes && h.reserved[0] == 0 &&
           h.reserved[1] == 0 && h.reserved[2] == 0;
  }

  void MaybeReportProgress() {
    if (!report_progress_ || (report_.records & 0x3fff) != 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(250)) return;
    last_progress_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "\rrecovering log: %llu records, %.1f MB, %.0f MB/s",
                 static_cast<unsigned long long>(report_.records), report_.bytes / 1e6,
                 secs > 0 ? report_.bytes / 1e6 / secs : 0.0);
    printed_progress_ = true;
  }

  void Finish() {
    done_ = true;
    report_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (printed_progress_) {
      std::fprintf(stderr, "\rrecovered log: %llu records, %.1f MB in %.2f s\n",
                   static_cast<unsigned long long>(report_.records), report_.bytes / 1e6,
                   report_.seconds);
    }
  }

  Env* env_;
  std::string dir_;
  std::vector<SegmentRef> segments_;
  Lsn from_lsn_;
  bool report_progress_;
  std::unique_ptr<IoQueue> queue_;
  AlignedBuffer window_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_progress_{};
  bool printed_progress_ = false;

  RecoveryReport report_;
  Status status_;
  bool done_ = false;
  std::size_t index_ = 0;
  bool segment_open_ = false;
  FileId file_ = -1;
  std::uint64_t file_size_ = 0;
  std::uint64_t segment_end_ = 0;
  std::uint64_t segment_bytes_ = 0;  // what the header promises
  std::uint64_t salt_ = 0;
  std::uint64_t pos_ = 0;
  Lsn expected_ = kNoLsn;
  std::uint64_t window_offset_ = 0;
  std::uint64_t window_len_ = 0;
  bool eof_ = false;
  std::array<Chunk, kReadAhead> ahead_;
  std::uint64_t next_ahead_ = 0;  // offset of the next chunk to queue
};

}  // namespace

Result<std::unique_ptr<LogReader>> LogReader::Open(Env* env, const std::string& dir, Lsn from_lsn,
                                                   bool report_progress) {
  std::vector<SegmentRef> segments;
  Result<std::vector<std::string>> names = env->ListDir(dir);
  if (!names.ok() && !names.status().IsNotFound()) return names.status();
  if (names.ok()) {
    for (const std::string& name : *names) {
      if (std::optional<Lsn> first = ParseSegmentFileName(name)) {
        segments.push_back({*first, name});
      }
    }
  }
  std::sort(segments.begin(), segments.end(),
            [](const SegmentRef& a, const SegmentRef& b) { return a.first_lsn < b.first_lsn; });
  // Start at the last segment that begins at or before from_lsn.
  auto first_needed =
      std::upper_bound(segments.begin(), segments.end(), from_lsn,
                       [](Lsn lsn, const SegmentRef& seg) { return lsn < seg.first_lsn; });
  if (first_needed != segments.begin()) --first_needed;
  segments.erase(segments.begin(), first_needed);
  EDDY_ASSIGN_OR_RETURN(std::unique_ptr<IoQueue> queue, env->NewIoQueue(8));
  return std::unique_ptr<LogReader>(std::make_unique<LogReaderImpl>(
      env, dir, std::move(segments), from_lsn, report_progress, std::move(queue)));
}

}  // namespace eddy::wal
