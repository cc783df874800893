#include "support/checked_payload.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace eddy::testing {
namespace {
constexpr std::uint32_t kMagic = 0xEDD1CAFE;
}  // namespace

std::string MakeCheckedPayload(std::mt19937_64* rng, std::uint32_t writer, std::uint64_t counter,
                               std::size_t len) {
  len = std::max(len, kMinCheckedPayloadBytes);
  std::string p(len, '\0');
  auto len32 = static_cast<std::uint32_t>(len);
  std::memcpy(p.data(), &kMagic, 4);
  std::memcpy(p.data() + 4, &len32, 4);
  std::memcpy(p.data() + 8, &writer, 4);
  std::memcpy(p.data() + 16, &counter, 8);
  for (std::size_t i = 24; i < len - 8; ++i)
    p[i] = static_cast<char>((*rng)());
  std::uint64_t sum = XXH3_64bits(p.data(), len - 8);
  std::memcpy(p.data() + len - 8, &sum, 8);
  return p;
}

bool CheckedPayloadIsConsistent(std::string_view p) {
  if (p.size() < kMinCheckedPayloadBytes) return false;
  std::uint32_t magic = 0, len = 0;
  std::memcpy(&magic, p.data(), 4);
  std::memcpy(&len, p.data() + 4, 4);
  std::uint64_t sum = 0;
  std::memcpy(&sum, p.data() + p.size() - 8, 8);
  return magic == kMagic && len == p.size() && sum == XXH3_64bits(p.data(), p.size() - 8);
}

std::uint32_t CheckedPayloadWriter(std::string_view p) {
  std::uint32_t w = 0;
  std::memcpy(&w, p.data() + 8, 4);
  return w;
}

std::uint64_t CheckedPayloadCounter(std::string_view p) {
  std::uint64_t c = 0;
  std::memcpy(&c, p.data() + 16, 8);
  return c;
}

}  // namespace eddy::testing
