#include "memtable/key_filter.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace eddy::memtable {

KeyFilter::KeyFilter(std::size_t bytes) : blocks_(bytes / kBlockBytes) {
  if (blocks_ == 0) return;
  // One block more than needed, so the blocks can start on a cache line.
  void* raw = std::calloc(blocks_ + 1, kBlockBytes);
  if (raw == nullptr) throw std::bad_alloc();
  allocation_.reset(raw);
  const auto at = reinterpret_cast<std::uintptr_t>(raw);
  words_ = reinterpret_cast<std::uint64_t*>((at + kBlockBytes - 1) & ~(kBlockBytes - 1));
}

void KeyFilter::Free::operator()(void* p) const {
  std::free(p);
}

void KeyFilter::ProbeMasks(std::uint64_t hash, std::uint64_t masks[kWordsPerBlock]) {
  for (std::size_t w = 0; w < kWordsPerBlock; ++w)
    masks[w] = 0;
  blocked_bloom::ProbeBits probes(hash);
  for (int i = 0; i < kProbes; ++i) {
    const std::uint32_t bit = probes.Next();
    masks[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
}

void KeyFilter::Add(std::uint64_t hash) {
  if (blocks_ == 0) return;
  std::uint64_t masks[kWordsPerBlock];
  ProbeMasks(hash, masks);
  std::uint64_t* block = Block(hash);
  for (std::size_t w = 0; w < kWordsPerBlock; ++w) {
    if (masks[w] == 0) continue;
    std::atomic_ref<std::uint64_t> word(block[w]);
    // A plain load first: a key added again (or sharing bits) writes nothing,
    // which keeps concurrent writers from bouncing the line between cores.
    if ((word.load(std::memory_order_relaxed) & masks[w]) == masks[w]) continue;
    word.fetch_or(masks[w], std::memory_order_relaxed);
  }
}

bool KeyFilter::MayContain(std::uint64_t hash) const {
  if (blocks_ == 0) return true;
  std::uint64_t masks[kWordsPerBlock];
  ProbeMasks(hash, masks);
  std::uint64_t* block = Block(hash);
  for (std::size_t w = 0; w < kWordsPerBlock; ++w) {
    if (masks[w] == 0) continue;
    if ((std::atomic_ref<std::uint64_t>(block[w]).load(std::memory_order_relaxed) & masks[w]) !=
        masks[w]) {
      return false;
    }
  }
  return true;
}

}  // namespace eddy::memtable
