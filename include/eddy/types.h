// Small shared vocabulary: sequence numbers and byte spans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace eddy {

// Log sequence number: the position of a record in the write-ahead log.
// Strictly increasing, starting at 1; 0 means "none".
using Lsn = std::uint64_t;
inline constexpr Lsn kNoLsn = 0;

using ByteSpan = std::span<const std::byte>;
using MutableByteSpan = std::span<std::byte>;

inline ByteSpan AsBytes(const void* data, std::size_t size) {
  return {static_cast<const std::byte*>(data), size};
}

}  // namespace eddy
