// Random attribute values and items of every type, for codec and
// round-trip tests: deterministic per seed, canonical by construction
// (sets sorted and unique, map keys unique).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "eddy/attribute_value.h"
#include "eddy/item.h"
#include "eddy/number.h"

namespace eddy::testing {

// Random values of every type, nested up to `depth_left` more levels.
class RandomValues {
 public:
  explicit RandomValues(std::uint64_t seed) : rng_(seed) {}

  std::uint64_t Next() { return rng_(); }

  std::string Bytes(std::size_t max_len) {
    std::string s(rng_() % (max_len + 1), '\0');
    for (char& c : s)
      c = static_cast<char>(rng_() % 4 == 0 ? rng_() : 'a' + rng_() % 6);
    return s;
  }

  Number RandomNumber() {
    if (rng_() % 10 == 0) return Number();
    const int count = 1 + static_cast<int>(rng_() % Number::kMaxDigits);
    std::string digits;
    for (int i = 0; i < count; ++i) {
      const bool edge = i == 0 || i == count - 1;
      digits.push_back(static_cast<char>('0' + (edge ? 1 + rng_() % 9 : rng_() % 10)));
    }
    const int exponent =
        Number::kMinExponent +
        static_cast<int>(rng_() % (Number::kMaxExponent - Number::kMinExponent + 1));
    return Number::FromParts(rng_() % 2 == 0, digits, exponent).value();
  }

  AttributeValue Value(int depth_left) {
    const int kinds = depth_left > 0 ? 10 : 8;
    switch (rng_() % kinds) {
      case 0:
        return AttributeValue::S(Bytes(12));
      case 1:
        return AttributeValue::N(RandomNumber());
      case 2:
        return AttributeValue::B(Bytes(12));
      case 3:
        return AttributeValue::Bool(rng_() % 2 == 0);
      case 4:
        return AttributeValue::Null();
      case 5: {
        AttributeValue::StringSet set;
        for (std::size_t n = 1 + rng_() % 5; set.size() < n;)
          set.push_back(Bytes(6));
        std::sort(set.begin(), set.end());
        set.erase(std::unique(set.begin(), set.end()), set.end());
        return rng_() % 2 ? AttributeValue::SS(set).value() : AttributeValue::BS(set).value();
      }
      case 6:
      case 7: {
        AttributeValue::NumberSet set;
        for (std::size_t n = 1 + rng_() % 5; set.size() < n;)
          set.push_back(RandomNumber());
        std::sort(set.begin(), set.end());
        set.erase(std::unique(set.begin(), set.end()), set.end());
        return AttributeValue::NS(set).value();
      }
      case 8: {
        AttributeValue::Map entries;
        const std::size_t n = rng_() % 5;
        for (std::size_t i = 0; i < n; ++i)
          entries.emplace_back(Bytes(5), Value(depth_left - 1));
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        entries.erase(std::unique(entries.begin(), entries.end(),
                                  [](const auto& a, const auto& b) { return a.first == b.first; }),
                      entries.end());
        return AttributeValue::M(std::move(entries)).value();
      }
      default: {
        AttributeValue::List elements;
        const std::size_t n = rng_() % 5;
        for (std::size_t i = 0; i < n; ++i)
          elements.push_back(Value(depth_left - 1));
        return AttributeValue::L(std::move(elements)).value();
      }
    }
  }

  Item RandomItem() {
    Item item;
    const std::size_t n = rng_() % 12;
    for (std::size_t i = 0; i < n; ++i)
      item.Set(Bytes(8), Value(static_cast<int>(rng_() % 5)));
    return item;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace eddy::testing
