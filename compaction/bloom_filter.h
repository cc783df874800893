// A bloom filter over every key of one table file, so a point read skips a
// file that cannot hold its key without touching a data block.
//
// Hashing: one XXH3-64 per key; its halves h1, h2 drive double hashing
// (probe i sets bit (h1 + i * h2) mod m), as Kirsch and Mitzenmacher show
// costs nothing in false positives against k independent hashes. k =
// round(bits_per_key * ln 2), clamped to [1, 30], which minimises the false
// positive rate (about 1% at 10 bits per key). Layout:
// docs/sstable_format.md, "Filter block".
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

namespace eddy::compaction {

class BloomFilterBuilder {
 public:
  // `bits_per_key` 0 builds a filter that answers "maybe" to every key.
  explicit BloomFilterBuilder(std::uint32_t bits_per_key);

  void AddKey(std::string_view key);
  // The filter's contents; the builder is spent afterwards.
  std::string Finish();

 private:
  std::uint32_t bits_per_key_;
  std::vector<std::uint64_t> hashes_;  // one per key: the keys themselves are gone by Finish()
};

class BloomFilter {
 public:
  // Returns nullopt when the contents are malformed (k out of range).
  static std::optional<BloomFilter> Parse(std::string contents);

  // False only if the key was certainly not added.
  bool MayContain(std::string_view key) const;

  std::size_t size() const { return bits_.size(); }

 private:
  BloomFilter(std::string bits, std::uint32_t k) : bits_(std::move(bits)), k_(k) {}

  std::string bits_;  // the bit array, without the trailing k byte
  std::uint32_t k_;   // probes per key; 0 = always maybe
};

}  // namespace eddy::compaction
