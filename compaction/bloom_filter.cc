#include "compaction/bloom_filter.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>

namespace eddy::compaction {
namespace {

constexpr std::uint32_t kMaxProbes = 30;
constexpr std::uint64_t kMinBits = 64;

std::uint64_t KeyHash(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(std::uint32_t bits_per_key) : bits_per_key_(bits_per_key) {}

void BloomFilterBuilder::AddKey(std::string_view key) {
  if (bits_per_key_ != 0) hashes_.push_back(KeyHash(key));
}

std::string BloomFilterBuilder::Finish() {
  if (bits_per_key_ == 0) return std::string(1, '\0');
  auto k = static_cast<std::uint32_t>(std::lround(bits_per_key_ * 0.69314718056));
  k = std::clamp<std::uint32_t>(k, 1, kMaxProbes);
  std::uint64_t bits = std::max<std::uint64_t>(hashes_.size() * bits_per_key_, kMinBits);
  std::uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  std::string out(bytes + 1, '\0');
  for (std::uint64_t h : hashes_) {
    std::uint64_t h1 = h & 0xFFFFFFFFu;
    std::uint64_t h2 = (h >> 32) | 1;  // odd, so probes never collapse onto one bit
    for (std::uint32_t i = 0; i < k; ++i) {
      std::uint64_t bit = (h1 + i * h2) % bits;
      out[bit / 8] = static_cast<char>(static_cast<std::uint8_t>(out[bit / 8]) | (1u << (bit % 8)));
    }
  }
  out[bytes] = static_cast<char>(k);
  hashes_.clear();
  hashes_.shrink_to_fit();
  return out;
}

std::optional<BloomFilter> BloomFilter::Parse(std::string contents) {
  if (contents.empty()) return std::nullopt;
  auto k = static_cast<std::uint8_t>(contents.back());
  contents.pop_back();
  if (k > kMaxProbes) return std::nullopt;
  if (k != 0 && contents.size() * 8 < kMinBits) return std::nullopt;
  return BloomFilter(std::move(contents), k);
}

bool BloomFilter::MayContain(std::string_view key) const {
  if (k_ == 0) return true;
  std::uint64_t bits = bits_.size() * 8;
  std::uint64_t h = KeyHash(key);
  std::uint64_t h1 = h & 0xFFFFFFFFu;
  std::uint64_t h2 = (h >> 32) | 1;
  for (std::uint32_t i = 0; i < k_; ++i) {
    std::uint64_t bit = (h1 + i * h2) % bits;
    if ((static_cast<std::uint8_t>(bits_[bit / 8]) & (1u << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace eddy::compaction
