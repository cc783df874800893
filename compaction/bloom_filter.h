// A bloom filter over every key of one table file, so a point read skips a
// file that cannot hold its key without touching a data block.
//
// Two layouts (docs/sstable_format.md, "Filter block"), chosen by the file's
// format version:
//   kSpread (version 1): one XXH3-64 per key; its halves h1, h2 drive double
//     hashing over the whole bit array (probe i is bit (h1 + i * h2) mod m,
//     Kirsch and Mitzenmacher). Each probe of a lookup is its own cache miss.
//   kBlocked (version 2, written since 2026-12-06): the same hash picks one 512-bit
//     block and all probes fall in it (common/blocked_bloom.h), so a lookup
//     costs one cache miss per file. A point read asks every file whose key
//     range holds the key, which with random keys is every file: the spread
//     layout made that a few misses per file. The price is a slightly higher
//     false-positive rate at the same bits per key: 0.98 % against 0.83 % at
//     10 bits per key, measured over 10^5 keys (docs/sstable_format.md).
// k = round(bits_per_key * ln 2), clamped to [1, 30].
//
// Why one filter per file instead of leveldb's filter per 2 KiB of data: the
// engine asks "is the key in this file" and then reads one block found via
// the index; a per-block filter would only help after an index lookup that
// costs no I/O here anyway (the index stays in memory).
//
// Thread-safety: the builder belongs to one thread; a parsed filter is
// immutable and may be read from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/blocked_bloom.h"

namespace eddy::compaction {

enum class FilterLayout : std::uint8_t { kSpread, kBlocked };

// The layout a table file of `format_version` uses (a known version).
FilterLayout FilterLayoutOf(std::uint8_t format_version);

class BloomFilterBuilder {
 public:
  // `bits_per_key` 0 builds a filter that answers "maybe" to every key.
  BloomFilterBuilder(std::uint32_t bits_per_key, FilterLayout layout);

  void AddKey(std::string_view key);
  // The filter's contents; the builder is spent afterwards.
  std::string Finish();

 private:
  std::string FinishSpread(std::uint32_t k);
  std::string FinishBlocked(std::uint32_t k);

  std::uint32_t bits_per_key_;
  FilterLayout layout_;
  std::vector<std::uint64_t> hashes_;  // one per key: the keys themselves are gone by Finish()
};

class BloomFilter {
 public:
  // Returns nullopt when the contents are malformed (k out of range, too
  // few bits, a blocked array that is not whole blocks).
  static std::optional<BloomFilter> Parse(std::string contents, FilterLayout layout);

  // False only if the key was certainly not added. MayContainHash takes
  // blocked_bloom::KeyHash(key), computed once by a read that asks many
  // filters about one key.
  bool MayContain(std::string_view key) const {
    return MayContainHash(blocked_bloom::KeyHash(key));
  }
  bool MayContainHash(std::uint64_t hash) const;

  // Starts loading the line MayContainHash(hash) will read (blocked layout;
  // a no-op for the spread one). A point read prefetches the filters of all
  // the files it may ask before it asks the first, so their cache misses
  // overlap instead of following one another.
  void Prefetch(std::uint64_t hash) const;

  // Bytes of the bit array.
  std::size_t size() const { return size_; }

 private:
  BloomFilter(std::vector<std::uint8_t> storage, std::size_t offset, std::size_t size,
              std::uint32_t k, FilterLayout layout)
      : storage_(std::move(storage)), offset_(offset), size_(size), k_(k), layout_(layout) {}

  const std::uint8_t* bits() const { return storage_.data() + offset_; }
  // The blocked layout's block for `hash`.
  const std::uint8_t* BlockFor(std::uint64_t hash) const;

  // The bit array sits at storage_[offset_, offset_ + size_): for the blocked
  // layout a copy that starts on a cache line, so a block is one line (a
  // vector keeps its buffer when moved).
  std::vector<std::uint8_t> storage_;
  std::size_t offset_;
  std::size_t size_;
  std::uint32_t k_;  // probes per key; 0 = always maybe
  FilterLayout layout_;
};

}  // namespace eddy::compaction
