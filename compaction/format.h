// The sorted table file's on-disk layout: block trailers, block handles and
// the footer. docs/sstable_format.md describes every byte and why; keep the
// two in step and bump kTableFormatVersion on any change.
//
// A table file = data blocks, then the filter block, the properties block and
// the index block, each followed by a 9-byte trailer (block type, XXH3-64),
// then zero padding, then the fixed 80-byte footer, which ends the file.
//
// Thread-safety: plain functions over values.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "eddy/result.h"
#include "eddy/types.h"

namespace eddy::compaction {

// 2: the filter block's blocked layout (compaction/bloom_filter.h). Readers
// take every version from kOldestTableFormatVersion on.
inline constexpr std::uint8_t kTableFormatVersion = 2;
inline constexpr std::uint8_t kOldestTableFormatVersion = 1;
// "EDDYSST1" read as a little-endian u64.
inline constexpr std::uint64_t kTableMagic = 0x3154535359444445ull;
inline constexpr std::size_t kFooterBytes = 80;
// type (1) + checksum (8) after every block.
inline constexpr std::size_t kBlockTrailerBytes = 9;

enum class BlockType : std::uint8_t {
  kData = 1,
  kIndex = 2,
  kFilter = 3,
  kProperties = 4,
};

// Where a block's contents lie in the file (the trailer follows them).
struct BlockHandle {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;  // contents only, without the trailer
};

struct Footer {
  BlockHandle index;
  BlockHandle filter;
  BlockHandle properties;
  std::uint64_t entry_count = 0;
  std::uint8_t format_version = kTableFormatVersion;
};

// What the properties block records about the whole file.
struct TableProperties {
  std::string smallest_key;
  std::string largest_key;
  Lsn smallest_lsn = kNoLsn;
  Lsn largest_lsn = kNoLsn;
  std::uint64_t data_block_count = 0;
};

std::string EncodeProperties(const TableProperties& props);
// nullopt when the bytes are not exactly one encoding.
std::optional<TableProperties> DecodeProperties(std::string_view bytes);

// A block handle inside the index block: two varints.
void EncodeBlockHandle(const BlockHandle& handle, std::string* out);
std::optional<BlockHandle> DecodeBlockHandle(std::string_view bytes);

// Little-endian fixed-width integers.
inline void PutFixed32(std::uint32_t v, std::string* out) {
  char buf[4];
  for (int i = 0; i < 4; ++i)
    buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, 4);
}
inline void PutFixed64(std::uint64_t v, std::string* out) {
  char buf[8];
  for (int i = 0; i < 8; ++i)
    buf[i] = static_cast<char>(v >> (8 * i));
  out->append(buf, 8);
}
inline std::uint32_t DecodeFixed32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
  return v;
}
inline std::uint64_t DecodeFixed64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// The checksum stored in a block's trailer: XXH3-64 over the contents and
// the type byte, which sit next to each other in the file.
std::uint64_t BlockChecksum(const char* contents_and_type, std::size_t contents_size);

// Appends the trailer for `contents` (type byte, then the checksum) to *out.
void AppendBlockTrailer(BlockType type, std::string_view contents, std::string* out);

// Checks the trailer that follows `size` bytes of contents at `data` (the
// buffer holds size + kBlockTrailerBytes bytes). Returns Corruption naming
// `path` and `offset` on a bad checksum or an unexpected type.
Status CheckBlockTrailer(const char* data, std::size_t size, BlockType expected,
                         std::string_view path, std::uint64_t offset);

// The footer: encoded to exactly kFooterBytes; decoding checks magic,
// checksum and version and returns Corruption naming `path` and `offset`.
std::string EncodeFooter(const Footer& footer);
Result<Footer> DecodeFooter(std::string_view bytes, std::string_view path, std::uint64_t offset);

// "table <path>: <what> at offset <offset>": the one shape of every
// corruption report, so callers and tests can rely on it.
Status TableCorruption(std::string_view path, std::string_view what, std::uint64_t offset);

}  // namespace eddy::compaction
