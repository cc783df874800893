// Number: a DynamoDB decimal (the N type).
//
// Value model: sign, up to 38 significant decimal digits d1..dn (d1 != 0,
// dn != 0) and a scientific exponent e, value = ±d1.d2..dn × 10^e. Zero has
// no digits and no sign. The representation is canonical: two Numbers are
// equal by value exactly when their fields are equal, so "1.0" == "1" and
// "-0" == "0".
//
// Range (DynamoDB's): 0, and magnitudes 1E-130 ..
// 9.9999999999999999999999999999999999999E+125, i.e. -130 <= e <= 125.
// Everything that makes a Number (Parse, Add, Subtract, FromParts, decoders)
// rejects values outside it with InvalidArgument and DynamoDB's wording:
//   - more than 38 significant digits:
//       "Attempting to store more than 38 significant digits in a Number"
//   - magnitude >= 1E126: "Number overflow. Attempting to store a number with
//       magnitude larger than supported range"
//   - non-zero magnitude < 1E-130: "Number underflow. Attempting to store a
//       number with magnitude smaller than supported range"
//   - anything that is not a decimal literal (NaN, Infinity, "", " 1",
//       "0x10"): "The parameter cannot be converted to a numeric value: <text>"
// Leading and trailing zeros are not significant ("1000" has 1 digit).
//
// Memory: 24 bytes, no heap. Digits are stored packed two per byte (BCD,
// high nibble first, unused nibbles zero), so equality is a memcmp.
//
// Thread-safety: a plain value.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy {

class Number {
 public:
  static constexpr int kMaxDigits = 38;
  // Scientific exponent bounds: 1E-130 .. 9.99..9E+125.
  static constexpr int kMinExponent = -130;
  static constexpr int kMaxExponent = 125;
  static constexpr std::size_t kPackedBytes = (kMaxDigits + 1) / 2;
  // Longest EncodeOrdered output: tag, exponent, 19 digit bytes, terminator.
  static constexpr std::size_t kMaxOrderedBytes = 2 + kPackedBytes + 1;

  // Zero.
  Number() = default;

  // Parses DynamoDB number syntax: [+-] digits [. digits] [(e|E) [+-] digits],
  // where at least one mantissa digit must appear ("1.", ".5" are fine). No
  // whitespace. Errors: InvalidArgument as described above.
  static Result<Number> Parse(std::string_view text);

  static Number FromInt64(std::int64_t value);

  // Builds a Number from canonical parts: `digits` are ASCII '0'..'9' with no
  // leading or trailing zero (empty for zero, which then must have
  // negative=false). Errors: InvalidArgument for non-canonical parts or an
  // out-of-range value.
  static Result<Number> FromParts(bool negative, std::string_view digits, int exponent);

  // Builds a Number from the packed form returned by packed_digits(). Used by
  // binary decoders; rejects (InvalidArgument) anything non-canonical.
  static Result<Number> FromPacked(bool negative, int digit_count, int exponent,
                                   const std::uint8_t* packed);

  bool IsZero() const { return num_digits_ == 0; }
  bool IsNegative() const { return negative_; }
  int DigitCount() const { return num_digits_; }
  // Scientific exponent (0 for zero).
  int Exponent() const { return exponent_; }
  // i-th significant digit, 0 <= i < DigitCount().
  int Digit(int i) const {
    const std::uint8_t byte = packed_[static_cast<std::size_t>(i / 2)];
    return (i % 2 == 0) ? (byte >> 4) : (byte & 0x0F);
  }
  // ceil(DigitCount() / 2) bytes of BCD, high nibble first.
  const std::uint8_t* packed_digits() const { return packed_.data(); }

  // Canonical text. Plain notation ("100", "0.5", "-12.25") while that takes
  // at most 40 characters (sign excluded), otherwise scientific with a signed
  // exponent ("1E+125", "-1.5E-130"). Parse(ToString()) == *this.
  std::string ToString() const;
  void AppendTo(std::string* out) const;

  // DynamoDB's item-size contribution: 1 + ceil(significant digits / 2); zero
  // counts as one digit, so 2.
  std::size_t SizeBytes() const {
    return 1 + (static_cast<std::size_t>(IsZero() ? 1 : num_digits_) + 1) / 2;
  }

  // Exact decimal arithmetic. Errors (InvalidArgument): overflow, underflow,
  // or a result needing more than 38 significant digits (DynamoDB does not
  // round).
  Result<Number> Add(const Number& other) const;
  Result<Number> Subtract(const Number& other) const;
  Number Abs() const {
    Number n = *this;
    n.negative_ = false;
    return n;
  }
  Number Negate() const {
    Number n = *this;
    if (!n.IsZero()) n.negative_ = !n.negative_;
    return n;
  }

  friend bool operator==(const Number& a, const Number& b) = default;
  friend std::strong_ordering operator<=>(const Number& a, const Number& b);

  // Order-preserving, self-delimiting encoding: for any a, b,
  // memcmp-order(Encode(a), Encode(b)) == order(a, b), and no encoding is a
  // proper prefix of another, so it can be followed by more key bytes.
  // Layout (see docs/item_format.md, "Ordered number encoding"): one tag byte
  // (0x01 negative, 0x02 zero, 0x03 positive); for non-zero numbers an
  // exponent byte (e + 130) and digit bytes (two digits per byte as d+1
  // nibbles, terminated by a zero nibble); everything after the tag is
  // bit-inverted for negative numbers. At most kMaxOrderedBytes bytes.
  void EncodeOrdered(std::string* out) const;
  // Decodes one number from the front of `*in` and advances `*in` past it.
  // Errors: Corruption on malformed or truncated input (never reads past the
  // end of `*in`).
  static Result<Number> DecodeOrdered(std::string_view* in);

 private:
  // Validates range and digit count of a normalized value and packs it.
  static Result<Number> Make(bool negative, const std::uint8_t* digits, int count,
                             long long exponent);
  Result<Number> AddSigned(const Number& other, bool negate_other) const;

  std::array<std::uint8_t, kPackedBytes> packed_{};
  std::uint8_t num_digits_ = 0;
  bool negative_ = false;
  std::int16_t exponent_ = 0;
};

static_assert(sizeof(Number) == 24, "Number is meant to stay small: it sits inside every N value");

}  // namespace eddy
