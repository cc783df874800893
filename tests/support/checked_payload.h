// Self-checking log payloads for tests: a record that can be verified on its
// own, so a recovery test can tell a whole record from garbage without
// keeping a copy of everything written.
//
// Layout: magic (4), length (4), writer (4), zero (4), counter (8), random
// body, XXH3-64 of everything before it (8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "eddy/types.h"

namespace eddy::testing {

inline constexpr std::size_t kMinCheckedPayloadBytes = 32;

// A payload of max(len, kMinCheckedPayloadBytes) bytes.
std::string MakeCheckedPayload(std::mt19937_64* rng, std::uint32_t writer, std::uint64_t counter,
                               std::size_t len);
bool CheckedPayloadIsConsistent(std::string_view payload);
inline bool CheckedPayloadIsConsistent(ByteSpan payload) {
  return CheckedPayloadIsConsistent(
      std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}
std::uint32_t CheckedPayloadWriter(std::string_view payload);
std::uint64_t CheckedPayloadCounter(std::string_view payload);

}  // namespace eddy::testing
