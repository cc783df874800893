// The bytes every item workload writes, the same for Eddy and its peers:
// 16-hex-digit keys of a bijective hash of the item number (unique, in
// random order) and incompressible, deterministic values.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace eddy::bench {

inline constexpr std::size_t kKeyBytes = 16;

// splitmix64's finaliser: a bijection, so item i's key is unique.
inline std::uint64_t Mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Item n's key: kKeyBytes hex digits of Mix(n), lowest nibble first.
inline void HexKey(std::uint64_t n, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::uint64_t h = Mix(n);
  for (std::size_t i = 0; i < kKeyBytes; ++i)
    out[i] = kHex[(h >> (4 * i)) & 15];
}

// The value of `item` at `version`: fills out->size() bytes.
inline void MakeValue(std::uint64_t item, std::uint64_t version, std::string* out) {
  std::uint64_t x = Mix(item * 1'000'003 + version);
  for (std::size_t i = 0; i < out->size(); i += 8) {
    x = Mix(x + i);
    std::memcpy(out->data() + i, &x, std::min<std::size_t>(8, out->size() - i));
  }
}

}  // namespace eddy::bench
