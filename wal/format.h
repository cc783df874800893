// The log's on-disk layout. The full description, with the reasons behind
// each field, is docs/wal_format.md; keep the two in step and bump
// kFormatVersion on any change.
//
// A segment file = a 64-byte SegmentHeader, then frames. Frames are 8-byte
// aligned and never start in the last kFrameHeaderBytes - 1 bytes of a
// 4 KiB block (those bytes are skipped), so a padding frame can always close
// a block. Every write the log issues covers whole 4 KiB blocks (O_DIRECT) and
// never rewrites a block an earlier write covered: a batch ends with a
// padding frame up to the next block boundary. That is what lets several
// batch writes be in flight at once without overlapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "eddy/types.h"
#include "wal/env.h"

namespace eddy::wal {

inline constexpr std::uint8_t kFormatVersion = 1;
inline constexpr char kSegmentMagic[8] = {'E', 'D', 'D', 'Y', 'W', 'A', 'L', '\0'};
inline constexpr std::uint32_t kBlockBytes = kIoAlignment;

struct SegmentHeader {
  char magic[8];
  std::uint8_t version;
  std::uint8_t reserved0[7];
  std::uint64_t first_lsn;
  // Random per incarnation of the file; seeds every frame checksum, so frames
  // left in a recycled file never validate in its new life.
  std::uint64_t salt;
  std::uint64_t created_us;
  std::uint64_t segment_bytes;
  std::uint64_t reserved1;
  std::uint64_t checksum;  // XXH3-64 of the 56 bytes before it
};
static_assert(sizeof(SegmentHeader) == 64);

enum class FrameType : std::uint8_t {
  kInvalid = 0,
  kPadding = 1,  // fills the rest of a block at the end of a batch; no LSN
  // Types >= kFirstUserRecordType (16) carry records.
};

struct FrameHeader {
  std::uint64_t checksum;  // XXH3-64 seeded with the segment salt, over bytes [8, 40 + payload_len)
  std::uint64_t lsn;       // 0 for padding
  std::uint64_t timestamp_us;
  // Every LSN <= durable_lsn was durable when this frame was encoded. Recovery
  // uses it to tell a torn tail (damage only to records nobody was promised)
  // from corruption of acknowledged records.
  std::uint64_t durable_lsn;
  std::uint32_t payload_len;
  std::uint8_t type;
  std::uint8_t reserved[3];
};
static_assert(sizeof(FrameHeader) == 40);

inline constexpr std::uint32_t kSegmentHeaderBytes = sizeof(SegmentHeader);
inline constexpr std::uint32_t kFrameHeaderBytes = sizeof(FrameHeader);

constexpr std::uint64_t AlignUp(std::uint64_t n, std::uint64_t a) {
  return (n + a - 1) / a * a;
}
constexpr std::uint64_t AlignDown(std::uint64_t n, std::uint64_t a) {
  return n / a * a;
}

// Bytes a frame with `payload_len` bytes of payload occupies.
constexpr std::uint64_t FrameBytes(std::uint64_t payload_len) {
  return AlignUp(kFrameHeaderBytes + payload_len, 8);
}

// Where the next frame may start at or after `offset`: skips a block trailer
// too short for a frame header.
constexpr std::uint64_t NextFrameStart(std::uint64_t offset) {
  std::uint64_t room = kBlockBytes - offset % kBlockBytes;
  return room < kFrameHeaderBytes ? offset + room : offset;
}

void EncodeSegmentHeader(Lsn first_lsn, std::uint64_t salt, std::uint64_t created_us,
                         std::uint64_t segment_bytes, std::byte* out);
// Nullopt when the bytes are not a valid header of this format version.
std::optional<SegmentHeader> DecodeSegmentHeader(const std::byte* in);

// Writes header and payload at `out` (FrameBytes(payload.size()) bytes; the
// alignment tail is zeroed).
void EncodeFrame(std::uint64_t salt, Lsn lsn, std::uint64_t timestamp_us, Lsn durable_lsn,
                 std::uint8_t type, ByteSpan payload, std::byte* out);
// A padding frame of exactly `total_bytes` (a multiple of 8, >= header size).
void EncodePadding(std::uint64_t salt, std::uint64_t total_bytes, std::byte* out);

enum class FrameCheck { kValid, kTruncated, kInvalid };

// Checks the frame at `in` with at most `available` bytes readable. kValid
// fills *header. kTruncated: the header is plausible but its payload runs
// past `available` (the caller may read more and retry).
FrameCheck CheckFrame(std::uint64_t salt, const std::byte* in, std::uint64_t available,
                      FrameHeader* header);

}  // namespace eddy::wal
