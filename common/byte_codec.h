// Byte-level primitives shared by Eddy's binary formats (items, log records):
// minimal LEB128 varints and length-prefixed byte strings. Reading never goes
// past the input and rejects non-minimal varints, so a format built on these
// has exactly one encoding per value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eddy {

inline void PutVarint(std::uint64_t v, std::string* out) {
  char buf[10];
  std::size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

inline void PutBytes(std::string_view bytes, std::string* out) {
  PutVarint(bytes.size(), out);
  out->append(bytes);
}

// Reads from a byte string; every Read* returns false (and consumes nothing
// useful) when the input is short or malformed.
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  std::size_t remaining() const { return in_.size() - pos_; }
  bool done() const { return pos_ == in_.size(); }

  bool ReadByte(std::uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<std::uint8_t>(in_[pos_++]);
    return true;
  }

  // Minimal LEB128, at most 10 bytes, no overflow past 64 bits.
  bool ReadVarint(std::uint64_t* v) {
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b;
      if (!ReadByte(&b)) return false;
      if (shift == 63 && b > 1) return false;  // bits past 64
      result |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift != 0) return false;  // non-minimal
        *v = result;
        return true;
      }
    }
    return false;
  }

  bool ReadSpan(std::size_t n, std::string_view* s) {
    if (n > remaining()) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  bool ReadLengthPrefixed(std::string_view* s) {
    std::uint64_t len;
    if (!ReadVarint(&len) || len > remaining()) return false;
    return ReadSpan(static_cast<std::size_t>(len), s);
  }

  // A count of elements that each take at least `min_element_bytes`.
  bool ReadCount(std::size_t min_element_bytes, std::size_t* count) {
    std::uint64_t c;
    if (!ReadVarint(&c) || c > remaining() / min_element_bytes) return false;
    *count = static_cast<std::size_t>(c);
    return true;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace eddy
