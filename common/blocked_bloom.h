// The probe pattern of a blocked bloom filter (Putze, Sanders, Singler,
// "Cache-, hash- and space-efficient bloom filters", 2007): every probe of a
// key falls in one 512-bit block, a 64-byte cache line, so a lookup touches
// one line however many probes it makes. The block comes from the high half
// of the key's 64-bit hash (multiply-shift onto [0, blocks), no division),
// the probes from the low half, multiplied by the golden ratio on each step
// and read from the top 9 bits (RocksDB's FastLocalBloom does the same).
//
// Shared by the memtable's key filter (memtable/key_filter.h) and the table
// files' filter block (compaction/bloom_filter.h; its blocked layout from
// format version 2, docs/sstable_format.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/hash.h"

namespace eddy::blocked_bloom {

// The hash both filters take a key by. One hash for both, so a point read
// computes it once and asks every memtable and every table file with it.
inline std::uint64_t KeyHash(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

inline constexpr std::size_t kBlockBytes = 64;
inline constexpr std::uint32_t kBlockBits = 512;

// Which of `blocks` blocks (< 2^32) holds the key's probes.
inline std::uint64_t BlockOf(std::uint64_t hash, std::uint64_t blocks) {
  return ((hash >> 32) * blocks) >> 32;
}

// The key's probe positions inside its block, [0, 512), one per Next().
class ProbeBits {
 public:
  explicit ProbeBits(std::uint64_t hash) : h_(static_cast<std::uint32_t>(hash)) {}
  std::uint32_t Next() {
    const std::uint32_t bit = h_ >> 23;
    h_ *= 0x9E3779B9u;
    return bit;
  }

 private:
  std::uint32_t h_;
};

}  // namespace eddy::blocked_bloom
