#include "eddy/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::number_test {
namespace {

constexpr std::string_view kDigitsMessage =
    "Attempting to store more than 38 significant digits in a Number";
constexpr std::string_view kOverflowMessage =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr std::string_view kUnderflowMessage =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

Number N(std::string_view text) {
  Result<Number> r = Number::Parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? r.value() : Number();
}

std::string Canon(std::string_view text) {
  return N(text).ToString();
}

// Random canonical number: 1..38 digits, any exponent in range, any sign.
Number RandomNumber(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(0, 99);
  if (pick(rng) < 3) return Number();
  std::uniform_int_distribution<int> count_dist(1, Number::kMaxDigits);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> nonzero(1, 9);
  // Bias towards few digits and small exponents so that near-equal values
  // (same exponent, shared prefixes) are common.
  const int count = pick(rng) < 50 ? 1 + pick(rng) % 4 : count_dist(rng);
  std::string digits;
  for (int i = 0; i < count; ++i) {
    const bool edge = i == 0 || i == count - 1;
    digits.push_back(static_cast<char>('0' + (edge ? nonzero(rng) : digit(rng))));
  }
  const int exponent = pick(rng) < 50 ? pick(rng) % 7 - 3
                                      : std::uniform_int_distribution<int>(
                                            Number::kMinExponent, Number::kMaxExponent)(rng);
  Result<Number> r = Number::FromParts(pick(rng) < 50, digits, exponent);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.value();
}

std::string Ordered(const Number& n) {
  std::string s;
  n.EncodeOrdered(&s);
  return s;
}

TEST(Number, ParsesIntegersAndFractions) {
  EXPECT_EQ(Canon("123"), "123");
  EXPECT_EQ(Canon("-45"), "-45");
  EXPECT_EQ(Canon("+5"), "5");
  EXPECT_EQ(Canon("3.25"), "3.25");
  EXPECT_EQ(Canon(".5"), "0.5");
  EXPECT_EQ(Canon("5."), "5");
  EXPECT_EQ(Canon("-0.001"), "-0.001");
}

TEST(Number, TrimsLeadingAndTrailingZeros) {
  EXPECT_EQ(Canon("1.0"), "1");
  EXPECT_EQ(Canon("0.50"), "0.5");
  EXPECT_EQ(Canon("007"), "7");
  EXPECT_EQ(Canon("000.000"), "0");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("-0.0e10"), "0");
  EXPECT_EQ(Canon("1200"), "1200");
  EXPECT_EQ(N("1200").DigitCount(), 2);
  EXPECT_EQ(N("1200").Exponent(), 3);
}

TEST(Number, AppliesExponents) {
  EXPECT_EQ(Canon("1E+2"), "100");
  EXPECT_EQ(Canon("1e2"), "100");
  EXPECT_EQ(Canon("1.5e-3"), "0.0015");
  EXPECT_EQ(Canon("12.5E1"), "125");
  EXPECT_EQ(Canon("0.0125E+3"), "12.5");
  EXPECT_EQ(Canon("250e-2"), "2.5");
}

TEST(Number, RejectsNonNumericText) {
  for (std::string_view bad :
       {"",     "+",     "-",   ".",   "abc",   "NaN",   "nan",   "Infinity", "-Infinity",
        "inf",  " 1",    "1 ",  "1e",  "1e+",   "1e-",   "e5",    "1..2",     "1.2.3",
        "0x10", "1e1.5", "--1", "+-1", "1,000", "1_000", "1e5e5", "\xD9\xA1"}) {
    Result<Number> r = Number::Parse(bad);
    ASSERT_FALSE(r.ok()) << "accepted: " << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_EQ(r.status().message(),
              "The parameter cannot be converted to a numeric value: " + std::string(bad));
  }
}

TEST(Number, AcceptsExactly38SignificantDigits) {
  const std::string d38 = "12345678901234567890123456789012345678";
  ASSERT_EQ(d38.size(), 38u);
  EXPECT_EQ(Canon(d38), d38);
  EXPECT_EQ(N(d38).DigitCount(), 38);
  EXPECT_EQ(Canon("-0." + d38), "-0." + d38);
  // Trailing and leading zeros are not significant.
  EXPECT_TRUE(Number::Parse(d38 + "000").ok());
  EXPECT_TRUE(Number::Parse("0.000" + d38).ok());
  EXPECT_TRUE(Number::Parse("1" + std::string(37, '0') + "0").ok());
}

TEST(Number, RejectsMoreThan38SignificantDigits) {
  for (const std::string& bad :
       {std::string("123456789012345678901234567890123456789"), "1" + std::string(37, '0') + "1",
        "0.1" + std::string(37, '0') + "1",
        std::string("-1.00000000000000000000000000000000000001")}) {
    Result<Number> r = Number::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    EXPECT_EQ(r.status().message(), kDigitsMessage);
  }
}

TEST(Number, OverflowBoundaryIsExactly1E126) {
  const std::string max = "9.9999999999999999999999999999999999999E+125";
  EXPECT_EQ(N(max).DigitCount(), 38);
  EXPECT_EQ(N(max).Exponent(), 125);
  EXPECT_TRUE(Number::Parse("-" + max).ok());
  EXPECT_TRUE(Number::Parse("1E125").ok());
  EXPECT_TRUE(Number::Parse("99999999999999999999999999999999999999E88").ok());
  for (std::string_view bad : {"1E126", "-1E126", "10E125", "0.1E127", "1e99999999999999999999"}) {
    Result<Number> r = Number::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), kOverflowMessage) << bad;
  }
}

TEST(Number, UnderflowBoundaryIsExactly1E130) {
  EXPECT_EQ(N("1E-130").Exponent(), -130);
  EXPECT_TRUE(Number::Parse("-1E-130").ok());
  EXPECT_TRUE(Number::Parse("0.1E-129").ok());
  EXPECT_TRUE(Number::Parse("1.5E-130").ok());
  for (std::string_view bad :
       {"1E-131", "-1E-131", "0.9E-130", "0.1E-130", "1e-99999999999999999999"}) {
    Result<Number> r = Number::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), kUnderflowMessage) << bad;
  }
}

TEST(Number, ZeroIgnoresExponentRange) {
  EXPECT_TRUE(N("0E-999").IsZero());
  EXPECT_TRUE(N("0e999999999999999999999").IsZero());
}

TEST(Number, ComparesByValue) {
  EXPECT_EQ(N("1.0"), N("1"));
  EXPECT_EQ(N("100"), N("1E2"));
  EXPECT_EQ(N("-0"), N("0"));
  const std::vector<std::string> ascending = {
      "-1E125", "-10", "-1.5", "-1",  "-0.5", "-1E-130", "0",  "1E-130", "0.001", "0.5",
      "1",      "1.2", "1.21", "1.3", "2",    "10",      "99", "100",    "1E125"};
  for (std::size_t i = 0; i < ascending.size(); ++i) {
    for (std::size_t j = 0; j < ascending.size(); ++j) {
      EXPECT_EQ(N(ascending[i]) <=> N(ascending[j]), i <=> j)
          << ascending[i] << " vs " << ascending[j];
    }
  }
}

TEST(Number, ToStringUsesScientificOnlyForExtremeExponents) {
  EXPECT_EQ(Canon("1E125"), "1E+125");
  EXPECT_EQ(Canon("-1.5E-100"), "-1.5E-100");
  EXPECT_EQ(Canon("1E-130"), "1E-130");
  EXPECT_EQ(Canon("1E39"), "1" + std::string(39, '0'));  // 40 characters: still plain
  EXPECT_EQ(Canon("1E40"), "1E+40");
  EXPECT_EQ(Canon("1E-38"), "0." + std::string(37, '0') + "1");
  EXPECT_EQ(Canon("1E-39"), "1E-39");
  EXPECT_EQ(Canon("9.9999999999999999999999999999999999999E+125"),
            "9.9999999999999999999999999999999999999E+125");
}

TEST(Number, ToStringRoundTripsThroughParse) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) {
    const Number n = RandomNumber(rng);
    EXPECT_EQ(N(n.ToString()), n) << n.ToString();
  }
}

TEST(Number, FromInt64CoversTheWholeRange) {
  EXPECT_EQ(Number::FromInt64(0).ToString(), "0");
  EXPECT_EQ(Number::FromInt64(-120).ToString(), "-120");
  EXPECT_EQ(Number::FromInt64(std::numeric_limits<std::int64_t>::max()).ToString(),
            "9223372036854775807");
  EXPECT_EQ(Number::FromInt64(std::numeric_limits<std::int64_t>::min()).ToString(),
            "-9223372036854775808");
}

TEST(Number, AddIsExactDecimal) {
  EXPECT_EQ(N("0.1").Add(N("0.2")).value(), N("0.3"));
  EXPECT_EQ(N("99").Add(N("1")).value().ToString(), "100");
  EXPECT_EQ(N("-5").Add(N("3")).value().ToString(), "-2");
  EXPECT_EQ(N("5").Add(N("-5")).value().ToString(), "0");
  EXPECT_EQ(N("1E125").Add(N("1E125")).value().ToString(), "2E+125");
  EXPECT_EQ(N("0").Add(N("-7.5")).value().ToString(), "-7.5");
  EXPECT_EQ(N("1.5E-130").Add(N("0")).value().ToString(), "1.5E-130");
  EXPECT_EQ(N("12345678901234567890123456789012345678").Add(N("2")).value().ToString(),
            "12345678901234567890123456789012345680");
}

TEST(Number, SubtractIsExactDecimal) {
  EXPECT_EQ(N("1").Subtract(N("0.9")).value().ToString(), "0.1");
  EXPECT_EQ(N("-1").Subtract(N("-1")).value().ToString(), "0");
  EXPECT_EQ(N("3").Subtract(N("10")).value().ToString(), "-7");
  EXPECT_EQ(N("1000").Subtract(N("0.001")).value().ToString(), "999.999");
}

TEST(Number, ArithmeticRejectsResultsNeedingMoreThan38Digits) {
  for (auto [a, b] : {std::pair{"1E37", "0.1"}, {"1E38", "1"}, {"1E125", "1E-130"}}) {
    Result<Number> r = N(a).Add(N(b));
    ASSERT_FALSE(r.ok()) << a << " + " << b;
    EXPECT_EQ(r.status().message(), kDigitsMessage);
  }
  // A carry past 38 digits is fine when the result itself is short.
  EXPECT_EQ(N("99999999999999999999999999999999999999").Add(N("1")).value().ToString(),
            "100000000000000000000000000000000000000");
}

TEST(Number, ArithmeticOverflowsAndUnderflows) {
  const Number max = N("9.9999999999999999999999999999999999999E+125");
  Result<Number> over = max.Add(N("1E88"));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(), kOverflowMessage);
  Result<Number> neg_over = max.Negate().Subtract(max);
  ASSERT_FALSE(neg_over.ok());
  EXPECT_EQ(neg_over.status().message(), kOverflowMessage);
  Result<Number> under = N("1.0000001E-130").Subtract(N("1E-130"));
  ASSERT_FALSE(under.ok());
  EXPECT_EQ(under.status().message(), kUnderflowMessage);
}

TEST(Number, ArithmeticMatchesInt64Model) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> dist(-1'000'000'000'000'000LL,
                                                   1'000'000'000'000'000LL);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t a = dist(rng) >> (rng() % 50);
    const std::int64_t b = dist(rng) >> (rng() % 50);
    const Number na = Number::FromInt64(a);
    const Number nb = Number::FromInt64(b);
    ASSERT_EQ(na.Add(nb).value(), Number::FromInt64(a + b)) << a << " + " << b;
    ASSERT_EQ(na.Subtract(nb).value(), Number::FromInt64(a - b)) << a << " - " << b;
    ASSERT_EQ(na <=> nb, a <=> b);
  }
}

TEST(Number, AddAndSubtractAreInverse) {
  std::mt19937_64 rng(13);
  for (int i = 0; i < 5000; ++i) {
    const Number a = RandomNumber(rng);
    const Number b = RandomNumber(rng);
    Result<Number> sum = a.Add(b);
    if (!sum.ok()) continue;  // out of range or too many digits
    Result<Number> back = sum.value().Subtract(b);
    ASSERT_TRUE(back.ok()) << a.ToString() << " " << b.ToString();
    EXPECT_EQ(back.value(), a);
    EXPECT_EQ(b.Add(a).value(), sum.value());  // commutative
  }
}

TEST(Number, SizeBytesIsOnePlusHalfTheDigits) {
  EXPECT_EQ(N("0").SizeBytes(), 2u);
  EXPECT_EQ(N("5").SizeBytes(), 2u);
  EXPECT_EQ(N("15").SizeBytes(), 2u);
  EXPECT_EQ(N("101").SizeBytes(), 3u);
  EXPECT_EQ(N("100").SizeBytes(), 2u);
  EXPECT_EQ(N("12345").SizeBytes(), 4u);
  EXPECT_EQ(N("-1.2345").SizeBytes(), 4u);
  EXPECT_EQ(N("12345678901234567890123456789012345678").SizeBytes(), 20u);
}

TEST(Number, OrderedEncodingSortsLikeNumbers) {
  std::mt19937_64 rng(42);
  std::vector<Number> numbers;
  for (int i = 0; i < 20000; ++i)
    numbers.push_back(RandomNumber(rng));
  for (std::string_view s : {"0", "1E-130", "-1E-130", "1E125", "-1E125", "1", "-1", "1.1", "11",
                             "9.9999999999999999999999999999999999999E+125", "0.1", "-0.1"}) {
    numbers.push_back(N(s));
  }
  std::vector<std::string> encoded;
  for (const Number& n : numbers)
    encoded.push_back(Ordered(n));
  for (int i = 0; i < 200000; ++i) {
    const std::size_t a = rng() % numbers.size();
    const std::size_t b = rng() % numbers.size();
    ASSERT_EQ(encoded[a].compare(encoded[b]) <=> 0, numbers[a] <=> numbers[b])
        << numbers[a].ToString() << " vs " << numbers[b].ToString();
  }
  // And the full sort agrees.
  std::vector<std::size_t> by_bytes(numbers.size());
  for (std::size_t i = 0; i < by_bytes.size(); ++i)
    by_bytes[i] = i;
  std::sort(by_bytes.begin(), by_bytes.end(),
            [&](std::size_t x, std::size_t y) { return encoded[x] < encoded[y]; });
  for (std::size_t i = 1; i < by_bytes.size(); ++i) {
    ASSERT_LE(numbers[by_bytes[i - 1]], numbers[by_bytes[i]]);
  }
}

TEST(Number, OrderedEncodingRoundTripsAndSelfDelimits) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    const Number n = RandomNumber(rng);
    std::string bytes = Ordered(n);
    ASSERT_LE(bytes.size(), Number::kMaxOrderedBytes);
    const std::size_t length = bytes.size();
    bytes.append("\x00\xFF tail", 7);
    std::string_view in = bytes;
    Result<Number> back = Number::DecodeOrdered(&in);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back.value(), n);
    EXPECT_EQ(in.size(), bytes.size() - length);
  }
}

TEST(Number, DecodeOrderedRejectsGarbageAndTruncation) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 24, '\0');
    for (char& c : bytes)
      c = static_cast<char>(rng());
    if (!bytes.empty() && rng() % 2) bytes[0] = static_cast<char>(1 + rng() % 3);
    std::string_view in = bytes;
    Result<Number> r = Number::DecodeOrdered(&in);
    if (r.ok()) {
      // Whatever decodes must be exactly the canonical encoding it consumed.
      EXPECT_EQ(Ordered(r.value()), bytes.substr(0, bytes.size() - in.size()));
    } else {
      EXPECT_TRUE(r.status().IsCorruption());
      EXPECT_EQ(in.size(), bytes.size());  // nothing consumed on failure
    }
  }
  for (int i = 0; i < 1000; ++i) {
    const std::string full = Ordered(RandomNumber(rng));
    for (std::size_t len = 0; len < full.size(); ++len) {
      std::string_view in(full.data(), len);
      EXPECT_FALSE(Number::DecodeOrdered(&in).ok()) << "prefix " << len;
    }
  }
}

TEST(Number, FromPackedRejectsNonCanonicalDigits) {
  const std::uint8_t leading_zero[] = {0x01};
  EXPECT_FALSE(Number::FromPacked(false, 2, 0, leading_zero).ok());
  const std::uint8_t pad_not_zero[] = {0x12};
  EXPECT_FALSE(Number::FromPacked(false, 1, 0, pad_not_zero).ok());
  const std::uint8_t bad_digit[] = {0x1A};
  EXPECT_FALSE(Number::FromPacked(false, 2, 0, bad_digit).ok());
  const std::uint8_t good[] = {0x12, 0x30};
  EXPECT_EQ(Number::FromPacked(true, 3, 1, good).value().ToString(), "-12.3");
}

}  // namespace
}  // namespace eddy::number_test
