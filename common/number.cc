// Number parsing, printing, arithmetic and ordered encoding.
//
// Design note. DynamoDB numbers are at most 38 digits inside a fixed
// exponent window, so every operation works on small fixed arrays: no
// bignum library, no heap. Parsing keeps only the first 38 significant digits
// and notes whether a non-zero digit appears after them (that is the "more
// than 38 significant digits" error; zeros past the 38th are just a larger
// exponent). Addition aligns both operands in a digit array spanning
// 10^-168 .. 10^127, which covers every pair of representable operands, and
// then applies the same range and digit checks as parsing: DynamoDB rejects,
// never rounds.
#include "eddy/number.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>

namespace eddy {
namespace {

constexpr std::string_view kTooManyDigits =
    "Attempting to store more than 38 significant digits in a Number";
constexpr std::string_view kOverflow =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr std::string_view kUnderflow =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

Status NotANumber(std::string_view text) {
  std::string msg = "The parameter cannot be converted to a numeric value: ";
  msg.append(text);
  return Status::InvalidArgument(msg);
}

// Plain rendering is used while it stays this short; beyond it the zeros
// would dominate (1E+125 as plain text is 126 characters).
constexpr std::size_t kMaxPlainChars = 40;

// Clamp for the explicit exponent while parsing: far outside any valid
// exponent, far inside long long.
constexpr long long kExponentClamp = 1'000'000'000'000LL;

constexpr std::uint8_t kOrderedNegative = 0x01;
constexpr std::uint8_t kOrderedZero = 0x02;
constexpr std::uint8_t kOrderedPositive = 0x03;

}  // namespace

Result<Number> Number::Make(bool negative, const std::uint8_t* digits, int count,
                            long long exponent) {
  assert(count >= 0);
  if (count == 0) return Number();
  assert(digits[0] != 0 && digits[count - 1] != 0);
  if (exponent > kMaxExponent) return Status::InvalidArgument(kOverflow);
  if (exponent < kMinExponent) return Status::InvalidArgument(kUnderflow);
  if (count > kMaxDigits) return Status::InvalidArgument(kTooManyDigits);
  Number n;
  n.negative_ = negative;
  n.num_digits_ = static_cast<std::uint8_t>(count);
  n.exponent_ = static_cast<std::int16_t>(exponent);
  for (int i = 0; i < count; ++i) {
    const int shift = (i % 2 == 0) ? 4 : 0;
    n.packed_[static_cast<std::size_t>(i / 2)] |= static_cast<std::uint8_t>(digits[i] << shift);
  }
  return n;
}

Result<Number> Number::Parse(std::string_view text) {
  std::size_t i = 0;
  const std::size_t len = text.size();
  bool negative = false;
  if (i < len && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }

  std::uint8_t digits[kMaxDigits];
  int last_nonzero = -1;                 // index (in kept numbering) of the last non-zero digit
  bool too_many = false;                 // a non-zero digit beyond the 38th significant one
  long long seen = 0;                    // significant-or-later digits seen (for the exponent)
  long long int_digits_after_first = 0;  // integer-part digits from the first non-zero on
  long long leading_frac_zeros = 0;      // fraction zeros before the first non-zero digit
  bool any_digit = false;
  bool in_fraction = false;

  for (; i < len; ++i) {
    const char c = text[i];
    if (c == '.') {
      if (in_fraction) return NotANumber(text);
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    const int d = c - '0';
    if (seen == 0 && d == 0) {
      if (in_fraction) ++leading_frac_zeros;
      continue;
    }
    if (!in_fraction) ++int_digits_after_first;
    if (seen < kMaxDigits) {
      digits[seen] = static_cast<std::uint8_t>(d);
      if (d != 0) last_nonzero = static_cast<int>(seen);
    } else if (d != 0) {
      too_many = true;
    }
    ++seen;
  }
  if (!any_digit) return NotANumber(text);

  long long explicit_exponent = 0;
  if (i < len && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < len && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == len) return NotANumber(text);
    for (; i < len; ++i) {
      const char c = text[i];
      if (c < '0' || c > '9') return NotANumber(text);
      explicit_exponent = std::min(explicit_exponent * 10 + (c - '0'), kExponentClamp);
    }
    if (exp_negative) explicit_exponent = -explicit_exponent;
  }
  if (i != len) return NotANumber(text);

  if (seen == 0) return Number();  // all zeros: sign and exponent do not matter
  if (too_many) return Status::InvalidArgument(kTooManyDigits);
  // The first significant digit sits at 10^(int_digits_after_first - 1) when
  // it is in the integer part, else at 10^-(leading_frac_zeros + 1).
  const long long exponent =
      (int_digits_after_first > 0 ? int_digits_after_first - 1 : -(leading_frac_zeros + 1)) +
      explicit_exponent;
  return Make(negative, digits, last_nonzero + 1, exponent);
}

Number Number::FromInt64(std::int64_t value) {
  if (value == 0) return Number();
  const bool negative = value < 0;
  // Work in unsigned so INT64_MIN negates cleanly.
  std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(value) + 1 : static_cast<std::uint64_t>(value);
  std::uint8_t reversed[20];
  int count = 0;
  while (magnitude != 0) {
    reversed[count++] = static_cast<std::uint8_t>(magnitude % 10);
    magnitude /= 10;
  }
  const int exponent = count - 1;
  int low = 0;
  while (reversed[low] == 0)
    ++low;
  std::uint8_t digits[20];
  int n = 0;
  for (int k = count - 1; k >= low; --k)
    digits[n++] = reversed[k];
  Result<Number> r = Make(negative, digits, n, exponent);
  assert(r.ok());  // 19 digits, exponent <= 18: always in range
  return std::move(r).value();
}

Result<Number> Number::FromParts(bool negative, std::string_view digits, int exponent) {
  if (digits.empty()) {
    if (negative || exponent != 0) return Status::InvalidArgument("non-canonical zero");
    return Number();
  }
  if (digits.size() > static_cast<std::size_t>(kMaxDigits)) {
    return Status::InvalidArgument(kTooManyDigits);
  }
  std::uint8_t d[kMaxDigits];
  for (std::size_t k = 0; k < digits.size(); ++k) {
    if (digits[k] < '0' || digits[k] > '9') return Status::InvalidArgument("non-digit in digits");
    d[k] = static_cast<std::uint8_t>(digits[k] - '0');
  }
  if (d[0] == 0 || d[digits.size() - 1] == 0) {
    return Status::InvalidArgument("digits have a leading or trailing zero");
  }
  return Make(negative, d, static_cast<int>(digits.size()), exponent);
}

Result<Number> Number::FromPacked(bool negative, int digit_count, int exponent,
                                  const std::uint8_t* packed) {
  if (digit_count < 0 || digit_count > kMaxDigits) {
    return Status::InvalidArgument(kTooManyDigits);
  }
  if (digit_count == 0) {
    if (negative || exponent != 0) return Status::InvalidArgument("non-canonical zero");
    return Number();
  }
  std::uint8_t d[kMaxDigits + 1];
  const int bytes = (digit_count + 1) / 2;
  for (int k = 0; k < bytes; ++k) {
    d[2 * k] = packed[k] >> 4;
    d[2 * k + 1] = packed[k] & 0x0F;
  }
  for (int k = 0; k < 2 * bytes; ++k) {
    if (d[k] > 9) return Status::InvalidArgument("packed digit out of range");
  }
  // An odd count leaves a pad nibble, which must be zero so equality can
  // compare packed bytes.
  if (digit_count % 2 == 1 && d[digit_count] != 0) {
    return Status::InvalidArgument("non-zero pad nibble");
  }
  if (d[0] == 0 || d[digit_count - 1] == 0) {
    return Status::InvalidArgument("digits have a leading or trailing zero");
  }
  return Make(negative, d, digit_count, exponent);
}

void Number::AppendTo(std::string* out) const {
  if (IsZero()) {
    out->push_back('0');
    return;
  }
  if (negative_) out->push_back('-');
  const int n = num_digits_;
  const int e = exponent_;
  auto digit_char = [this](int k) { return static_cast<char>('0' + Digit(k)); };
  std::size_t plain_chars;
  if (e >= n - 1) {
    plain_chars = static_cast<std::size_t>(e) + 1;  // integer, maybe with zeros
  } else if (e >= 0) {
    plain_chars = static_cast<std::size_t>(n) + 1;  // digits with a point inside
  } else {
    plain_chars = 2 + static_cast<std::size_t>(-e - 1) + static_cast<std::size_t>(n);  // 0.00ddd
  }
  if (plain_chars <= kMaxPlainChars) {
    if (e >= n - 1) {
      for (int k = 0; k < n; ++k)
        out->push_back(digit_char(k));
      out->append(static_cast<std::size_t>(e - (n - 1)), '0');
    } else if (e >= 0) {
      for (int k = 0; k < n; ++k) {
        out->push_back(digit_char(k));
        if (k == e) out->push_back('.');
      }
    } else {
      out->append("0.");
      out->append(static_cast<std::size_t>(-e - 1), '0');
      for (int k = 0; k < n; ++k)
        out->push_back(digit_char(k));
    }
    return;
  }
  out->push_back(digit_char(0));
  if (n > 1) {
    out->push_back('.');
    for (int k = 1; k < n; ++k)
      out->push_back(digit_char(k));
  }
  out->push_back('E');
  out->push_back(e < 0 ? '-' : '+');
  out->append(std::to_string(e < 0 ? -e : e));
}

std::string Number::ToString() const {
  std::string s;
  AppendTo(&s);
  return s;
}

std::strong_ordering operator<=>(const Number& a, const Number& b) {
  // Sign class first: negative < zero < positive.
  auto sign_class = [](const Number& n) { return n.IsZero() ? 1 : (n.negative_ ? 0 : 2); };
  const int sa = sign_class(a);
  const int sb = sign_class(b);
  if (sa != sb) return sa <=> sb;
  if (sa == 1) return std::strong_ordering::equal;
  // Same sign, both non-zero: compare magnitudes. Canonical digits have no
  // trailing zeros and unused nibbles are zero, so at equal exponents the
  // packed bytes compare like the zero-padded digit strings.
  std::strong_ordering mag = a.exponent_ <=> b.exponent_;
  if (mag == 0) {
    const int c = std::memcmp(a.packed_.data(), b.packed_.data(), a.packed_.size());
    mag = c <=> 0;
  }
  return a.negative_ ? (0 <=> mag) : mag;
}

Result<Number> Number::Add(const Number& other) const {
  return AddSigned(other, false);
}

Result<Number> Number::Subtract(const Number& other) const {
  return AddSigned(other, true);
}

Result<Number> Number::AddSigned(const Number& other, bool negate_other) const {
  const Number b = negate_other ? other.Negate() : other;
  if (b.IsZero()) return *this;
  if (IsZero()) return b;

  // Digit positions are powers of ten. Span from the lowest digit of either
  // operand up to one above the highest (room for a carry).
  const int low_a = exponent_ - (num_digits_ - 1);
  const int low_b = b.exponent_ - (b.num_digits_ - 1);
  const int low = std::min(low_a, low_b);
  const int high = std::max(exponent_, b.exponent_) + 1;
  constexpr int kSpan = (kMaxExponent + 1) - (kMinExponent - (kMaxDigits - 1)) + 1;
  assert(high - low + 1 <= kSpan);
  std::int8_t x[kSpan] = {};
  std::int8_t y[kSpan] = {};
  for (int k = 0; k < num_digits_; ++k)
    x[exponent_ - k - low] = static_cast<std::int8_t>(Digit(k));
  for (int k = 0; k < b.num_digits_; ++k) {
    y[b.exponent_ - k - low] = static_cast<std::int8_t>(b.Digit(k));
  }
  const int width = high - low + 1;

  std::int8_t r[kSpan] = {};
  bool negative;
  if (negative_ == b.negative_) {
    negative = negative_;
    int carry = 0;
    for (int k = 0; k < width; ++k) {
      const int s = x[k] + y[k] + carry;
      r[k] = static_cast<std::int8_t>(s % 10);
      carry = s / 10;
    }
    assert(carry == 0);
  } else {
    // Subtract the smaller magnitude from the larger; the result takes the
    // larger one's sign.
    const std::strong_ordering mag = Abs() <=> b.Abs();
    if (mag == 0) return Number();
    const std::int8_t* big = (mag > 0) ? x : y;
    const std::int8_t* small = (mag > 0) ? y : x;
    negative = (mag > 0) ? negative_ : b.negative_;
    int borrow = 0;
    for (int k = 0; k < width; ++k) {
      int s = big[k] - small[k] - borrow;
      borrow = s < 0 ? 1 : 0;
      if (s < 0) s += 10;
      r[k] = static_cast<std::int8_t>(s);
    }
    assert(borrow == 0);
  }

  int top = width - 1;
  while (top >= 0 && r[top] == 0)
    --top;
  assert(top >= 0);
  int bottom = 0;
  while (r[bottom] == 0)
    ++bottom;
  const int exponent = top + low;
  if (exponent > kMaxExponent) return Status::InvalidArgument(kOverflow);
  if (exponent < kMinExponent) return Status::InvalidArgument(kUnderflow);
  const int count = top - bottom + 1;
  if (count > kMaxDigits) return Status::InvalidArgument(kTooManyDigits);
  std::uint8_t digits[kMaxDigits];
  for (int k = 0; k < count; ++k)
    digits[k] = static_cast<std::uint8_t>(r[top - k]);
  return Make(negative, digits, count, exponent);
}

void Number::EncodeOrdered(std::string* out) const {
  if (IsZero()) {
    out->push_back(static_cast<char>(kOrderedZero));
    return;
  }
  // Digits become nibbles d+1 (1..10) so that the zero nibble can terminate:
  // a shorter digit string at the same exponent is a smaller magnitude and
  // must sort first, which the terminator (smaller than any digit) ensures.
  const std::uint8_t flip = negative_ ? 0xFF : 0x00;
  out->push_back(static_cast<char>(negative_ ? kOrderedNegative : kOrderedPositive));
  out->push_back(static_cast<char>(static_cast<std::uint8_t>(exponent_ - kMinExponent) ^ flip));
  const int n = num_digits_;
  for (int k = 0; k < n; k += 2) {
    const std::uint8_t hi = static_cast<std::uint8_t>(Digit(k) + 1);
    const std::uint8_t lo = (k + 1 < n) ? static_cast<std::uint8_t>(Digit(k + 1) + 1) : 0;
    out->push_back(static_cast<char>(static_cast<std::uint8_t>((hi << 4) | lo) ^ flip));
  }
  if (n % 2 == 0) out->push_back(static_cast<char>(flip));  // a whole terminator byte
}

Result<Number> Number::DecodeOrdered(std::string_view* in) {
  std::string_view s = *in;
  if (s.empty()) return Status::Corruption("ordered number: empty input");
  const auto tag = static_cast<std::uint8_t>(s[0]);
  if (tag == kOrderedZero) {
    in->remove_prefix(1);
    return Number();
  }
  if (tag != kOrderedNegative && tag != kOrderedPositive) {
    return Status::Corruption("ordered number: bad tag");
  }
  const bool negative = tag == kOrderedNegative;
  const std::uint8_t flip = negative ? 0xFF : 0x00;
  if (s.size() < 2) return Status::Corruption("ordered number: truncated");
  const int exponent = static_cast<int>(static_cast<std::uint8_t>(s[1]) ^ flip) + kMinExponent;
  std::uint8_t digits[kMaxDigits];
  int count = 0;
  std::size_t pos = 2;
  bool terminated = false;
  while (!terminated) {
    if (pos >= s.size()) return Status::Corruption("ordered number: truncated");
    const std::uint8_t byte = static_cast<std::uint8_t>(s[pos++]) ^ flip;
    for (const std::uint8_t nibble :
         {static_cast<std::uint8_t>(byte >> 4), static_cast<std::uint8_t>(byte & 0x0F)}) {
      if (nibble == 0) {
        terminated = true;
        break;
      }
      if (nibble > 10 || count == kMaxDigits)
        return Status::Corruption("ordered number: bad digit");
      digits[count++] = static_cast<std::uint8_t>(nibble - 1);
    }
    // A terminator in the high nibble must be followed by a zero low nibble.
    if (terminated && (byte >> 4) == 0 && (byte & 0x0F) != 0) {
      return Status::Corruption("ordered number: bad terminator");
    }
  }
  if (count == 0 || digits[0] == 0 || digits[count - 1] == 0) {
    return Status::Corruption("ordered number: non-canonical digits");
  }
  // The terminator must be where EncodeOrdered puts it: the low nibble of
  // the last digit byte for odd counts, a whole byte for even counts.
  if (pos - 2 != static_cast<std::size_t>(count / 2 + 1)) {
    return Status::Corruption("ordered number: non-canonical terminator");
  }
  Result<Number> r = Make(negative, digits, count, exponent);
  if (!r.ok()) return Status::Corruption("ordered number: " + r.status().message());
  in->remove_prefix(pos);
  return r;
}

}  // namespace eddy
