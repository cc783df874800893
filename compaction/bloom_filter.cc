#include "compaction/bloom_filter.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/blocked_bloom.h"

namespace eddy::compaction {
namespace {

constexpr std::uint32_t kMaxProbes = 30;
constexpr std::uint64_t kMinBits = 64;

void SetBit(std::uint8_t* bytes, std::uint64_t bit) {
  bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] | (1u << (bit % 8)));
}

bool TestBit(const std::uint8_t* bytes, std::uint64_t bit) {
  return (bytes[bit / 8] & (1u << (bit % 8))) != 0;
}

}  // namespace

FilterLayout FilterLayoutOf(std::uint8_t format_version) {
  // compaction/format.h's versions: 1 wrote the spread layout, 2 the blocked one.
  return format_version >= 2 ? FilterLayout::kBlocked : FilterLayout::kSpread;
}

BloomFilterBuilder::BloomFilterBuilder(std::uint32_t bits_per_key, FilterLayout layout)
    : bits_per_key_(bits_per_key), layout_(layout) {}

void BloomFilterBuilder::AddKey(std::string_view key) {
  if (bits_per_key_ != 0) hashes_.push_back(blocked_bloom::KeyHash(key));
}

std::string BloomFilterBuilder::Finish() {
  if (bits_per_key_ == 0) return std::string(1, '\0');
  auto k = static_cast<std::uint32_t>(std::lround(bits_per_key_ * 0.69314718056));
  k = std::clamp<std::uint32_t>(k, 1, kMaxProbes);
  std::string out = layout_ == FilterLayout::kBlocked ? FinishBlocked(k) : FinishSpread(k);
  out.push_back(static_cast<char>(k));
  hashes_.clear();
  hashes_.shrink_to_fit();
  return out;
}

std::string BloomFilterBuilder::FinishSpread(std::uint32_t k) {
  std::uint64_t bits = std::max<std::uint64_t>(hashes_.size() * bits_per_key_, kMinBits);
  const std::uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  std::string out(bytes, '\0');
  auto* array = reinterpret_cast<std::uint8_t*>(out.data());
  for (std::uint64_t h : hashes_) {
    const std::uint64_t h1 = h & 0xFFFFFFFFu;
    const std::uint64_t h2 = (h >> 32) | 1;  // odd, so probes never collapse onto one bit
    for (std::uint32_t i = 0; i < k; ++i)
      SetBit(array, (h1 + i * h2) % bits);
  }
  return out;
}

std::string BloomFilterBuilder::FinishBlocked(std::uint32_t k) {
  const std::uint64_t bits = hashes_.size() * bits_per_key_;
  const std::uint64_t blocks = std::max<std::uint64_t>(
      1, (bits + blocked_bloom::kBlockBits - 1) / blocked_bloom::kBlockBits);
  std::string out(blocks * blocked_bloom::kBlockBytes, '\0');
  auto* array = reinterpret_cast<std::uint8_t*>(out.data());
  for (std::uint64_t h : hashes_) {
    std::uint8_t* block = array + blocked_bloom::BlockOf(h, blocks) * blocked_bloom::kBlockBytes;
    blocked_bloom::ProbeBits probes(h);
    for (std::uint32_t i = 0; i < k; ++i)
      SetBit(block, probes.Next());
  }
  return out;
}

std::optional<BloomFilter> BloomFilter::Parse(std::string contents, FilterLayout layout) {
  if (contents.empty()) return std::nullopt;
  const auto k = static_cast<std::uint8_t>(contents.back());
  contents.pop_back();
  const std::size_t size = contents.size();
  if (k > kMaxProbes) return std::nullopt;
  if (k == 0) return BloomFilter({}, 0, 0, 0, layout);
  if (layout == FilterLayout::kSpread) {
    if (size * 8 < kMinBits) return std::nullopt;
    return BloomFilter(std::vector<std::uint8_t>(contents.begin(), contents.end()), 0, size, k,
                       layout);
  }
  if (size == 0 || size % blocked_bloom::kBlockBytes != 0 ||
      size / blocked_bloom::kBlockBytes > 0xFFFFFFFFu) {
    return std::nullopt;
  }
  // A copy that starts on a cache line: the string's own buffer need not.
  std::vector<std::uint8_t> storage(size + blocked_bloom::kBlockBytes - 1);
  const auto at = reinterpret_cast<std::uintptr_t>(storage.data());
  const std::size_t offset =
      (blocked_bloom::kBlockBytes - at % blocked_bloom::kBlockBytes) % blocked_bloom::kBlockBytes;
  std::memcpy(storage.data() + offset, contents.data(), size);
  return BloomFilter(std::move(storage), offset, size, k, layout);
}

const std::uint8_t* BloomFilter::BlockFor(std::uint64_t hash) const {
  const std::uint64_t blocks = size_ / blocked_bloom::kBlockBytes;
  return bits() + blocked_bloom::BlockOf(hash, blocks) * blocked_bloom::kBlockBytes;
}

void BloomFilter::Prefetch(std::uint64_t hash) const {
  // Only the blocked layout knows its one line up front; a spread lookup's
  // lines depend on which probes it gets to.
  if (k_ != 0 && layout_ == FilterLayout::kBlocked) __builtin_prefetch(BlockFor(hash));
}

bool BloomFilter::MayContainHash(std::uint64_t h) const {
  if (k_ == 0) return true;
  if (layout_ == FilterLayout::kBlocked) {
    const std::uint8_t* block = BlockFor(h);
    blocked_bloom::ProbeBits probes(h);
    for (std::uint32_t i = 0; i < k_; ++i) {
      if (!TestBit(block, probes.Next())) return false;
    }
    return true;
  }
  const std::uint64_t bits_total = size_ * 8;
  const std::uint64_t h1 = h & 0xFFFFFFFFu;
  const std::uint64_t h2 = (h >> 32) | 1;
  for (std::uint32_t i = 0; i < k_; ++i) {
    if (!TestBit(bits(), (h1 + i * h2) % bits_total)) return false;
  }
  return true;
}

}  // namespace eddy::compaction
