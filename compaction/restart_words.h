// RestartWords: a compact guide to the binary search of a large block.
//
// A point read at 10^7 items searches a table's index block of about
// 250,000 entries (9 MB): every halving reads a restart offset and a key
// that lie far apart, two cache misses a step, and decodes the key's
// lengths. RestartWords keeps, for each restart key, the 8 bytes that follow
// the prefix all keys of the file share, as a big-endian integer: searching
// that array (8 bytes per restart) narrows the block's own search to the
// restarts whose word equals the target's, usually one or two.
//
// Why it is exact: keys compare like their words, with ties, because a
// word is the key's bytes at the same positions (zero-padded, and a shorter
// key sorts first either way); the block's search settles the ties.
//
// Thread-safety: immutable after Build; any number of threads may search.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "compaction/block.h"

namespace eddy::compaction {

class RestartWords {
 public:
  // The words of every restart key of `block`, skipping `shared_prefix`
  // bytes, which every key the block holds, and every key later searched
  // for, must begin with. nullopt if a restart key is malformed.
  static std::optional<RestartWords> Build(const Block& block, std::size_t shared_prefix);

  // The restarts [first, last] within which the last restart key below
  // `target` lies (Block::Iter::Seek(target, first, last)). `target` must
  // begin with the shared prefix.
  struct Range {
    std::uint32_t first;
    std::uint32_t last;
  };
  Range Narrow(std::string_view target) const;

 private:
  explicit RestartWords(std::size_t shared_prefix) : shared_prefix_(shared_prefix) {}
  std::uint64_t Word(std::string_view key) const;

  std::size_t shared_prefix_;
  std::vector<std::uint64_t> words_;  // one per restart, non-decreasing
};

}  // namespace eddy::compaction
