#include "wal/format.h"

#include <cstring>

#include "common/hash.h"
#include "wal/wal.h"

namespace eddy::wal {

void EncodeSegmentHeader(Lsn first_lsn, std::uint64_t salt, std::uint64_t created_us,
                         std::uint64_t segment_bytes, std::byte* out) {
  SegmentHeader h{};
  std::memcpy(h.magic, kSegmentMagic, sizeof(h.magic));
  h.version = kFormatVersion;
  h.first_lsn = first_lsn;
  h.salt = salt;
  h.created_us = created_us;
  h.segment_bytes = segment_bytes;
  h.checksum = XXH3_64bits(&h, offsetof(SegmentHeader, checksum));
  std::memcpy(out, &h, sizeof(h));
}

std::optional<SegmentHeader> DecodeSegmentHeader(const std::byte* in) {
  SegmentHeader h;
  std::memcpy(&h, in, sizeof(h));
  if (std::memcmp(h.magic, kSegmentMagic, sizeof(h.magic)) != 0) return std::nullopt;
  if (h.version != kFormatVersion) return std::nullopt;
  if (h.checksum != XXH3_64bits(&h, offsetof(SegmentHeader, checksum))) return std::nullopt;
  return h;
}

void EncodeFrame(std::uint64_t salt, Lsn lsn, std::uint64_t timestamp_us, Lsn durable_lsn,
                 std::uint8_t type, ByteSpan payload, std::byte* out) {
  FrameHeader h{};
  h.lsn = lsn;
  h.timestamp_us = timestamp_us;
  h.durable_lsn = durable_lsn;
  h.payload_len = static_cast<std::uint32_t>(payload.size());
  h.type = type;
  std::memcpy(out, &h, sizeof(h));
  if (!payload.empty()) std::memcpy(out + kFrameHeaderBytes, payload.data(), payload.size());
  std::uint64_t used = kFrameHeaderBytes + payload.size();
  std::uint64_t total = FrameBytes(payload.size());
  if (total > used) std::memset(out + used, 0, total - used);
  h.checksum = XXH3_64bits_withSeed(out + 8, used - 8, salt);
  std::memcpy(out, &h.checksum, sizeof(h.checksum));
}

void EncodePadding(std::uint64_t salt, std::uint64_t total_bytes, std::byte* out) {
  std::uint64_t payload = total_bytes - kFrameHeaderBytes;
  std::memset(out + kFrameHeaderBytes, 0, payload);
  FrameHeader h{};
  h.payload_len = static_cast<std::uint32_t>(payload);
  h.type = static_cast<std::uint8_t>(FrameType::kPadding);
  std::memcpy(out, &h, sizeof(h));
  h.checksum = XXH3_64bits_withSeed(out + 8, total_bytes - 8, salt);
  std::memcpy(out, &h.checksum, sizeof(h.checksum));
}

FrameCheck CheckFrame(std::uint64_t salt, const std::byte* in, std::uint64_t available,
                      FrameHeader* header) {
  if (available < kFrameHeaderBytes) return FrameCheck::kTruncated;
  FrameHeader h;
  std::memcpy(&h, in, sizeof(h));
  bool known_type =
      h.type == static_cast<std::uint8_t>(FrameType::kPadding) || h.type >= kFirstUserRecordType;
  if (!known_type || h.payload_len > kMaxRecordBytes) return FrameCheck::kInvalid;
  if (h.reserved[0] != 0 || h.reserved[1] != 0 || h.reserved[2] != 0) return FrameCheck::kInvalid;
  std::uint64_t used = kFrameHeaderBytes + std::uint64_t{h.payload_len};
  if (used > available) return FrameCheck::kTruncated;
  if (XXH3_64bits_withSeed(in + 8, used - 8, salt) != h.checksum) return FrameCheck::kInvalid;
  *header = h;
  return FrameCheck::kValid;
}

}  // namespace eddy::wal
