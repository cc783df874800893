#include "compaction/restart_words.h"

#include <algorithm>
#include <cstring>

namespace eddy::compaction {

std::uint64_t RestartWords::Word(std::string_view key) const {
  unsigned char bytes[8] = {};
  if (key.size() > shared_prefix_) {
    std::memcpy(bytes, key.data() + shared_prefix_,
                std::min<std::size_t>(8, key.size() - shared_prefix_));
  }
  std::uint64_t word = 0;
  for (unsigned char b : bytes)
    word = (word << 8) | b;
  return word;
}

std::optional<RestartWords> RestartWords::Build(const Block& block, std::size_t shared_prefix) {
  RestartWords words(shared_prefix);
  words.words_.reserve(block.restart_count());
  for (std::uint32_t i = 0; i < block.restart_count(); ++i) {
    std::string_view key;
    if (!block.RestartKey(i, &key)) return std::nullopt;
    words.words_.push_back(words.Word(key));
  }
  return words;
}

RestartWords::Range RestartWords::Narrow(std::string_view target) const {
  if (words_.empty()) return {0, 0};
  const std::uint64_t w = Word(target);
  // Restarts before `lo` have smaller words, so smaller keys; restarts from
  // `hi` on have larger words, so larger keys. The last restart key below
  // the target is therefore lo - 1 (when lo > 0) or one of [lo, hi).
  auto [lo, hi] = std::equal_range(words_.begin(), words_.end(), w);
  const auto first = static_cast<std::uint32_t>(lo - words_.begin());
  const auto end = static_cast<std::uint32_t>(hi - words_.begin());
  return {first == 0 ? 0 : first - 1, end == 0 ? 0 : end - 1};
}

}  // namespace eddy::compaction
