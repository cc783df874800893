// AttributeValue: one DynamoDB value (S, N, B, BOOL, NULL, M, L, SS, NS, BS).
//
// Contract:
//   - Values are immutable once built. Scalars are built directly (S, N, B,
//     Bool, Null cannot be invalid); containers and sets go through factories
//     that validate and return Result:
//       * sets: non-empty, no duplicates (NS by numeric value);
//       * M: no duplicate keys;
//       * M and L: nesting depth <= kMaxNestingDepth (see NestingDepth()).
//     To change a container, take its elements (TakeMap(), TakeList()),
//     edit them and rebuild through the factory.
//   - Representation is canonical: map entries sorted by key bytes, SS/BS
//     sorted by unsigned bytes, NS sorted by numeric value, numbers
//     normalized. So semantic equality (maps regardless of key order, sets
//     regardless of element order, numbers by value) is plain structural
//     equality, which operator== computes with early exits on type and size.
//     No-op write suppression relies on this being exact.
//   - Sets therefore come back in sorted order, not input order. DynamoDB
//     promises no set order, so this is allowed.
//   - Errors are InvalidArgument with DynamoDB's wording.
//   - sizeof(AttributeValue) is 40 bytes (libstdc++); strings and containers own heap storage.
//
// Thread-safety: a plain value; const access from many threads is safe.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "eddy/number.h"
#include "eddy/result.h"
#include "eddy/status.h"

namespace eddy {

// The numbering is part of nothing on disk (the codec has its own tags), but
// it is the variant index inside AttributeValue, so keep it dense.
enum class AttributeType : std::uint8_t {
  kS = 0,
  kN,
  kB,
  kBool,
  kNull,
  kM,
  kL,
  kSS,
  kNS,
  kBS,
};

// DynamoDB's name for a type: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS",
// "NS", "BS".
std::string_view TypeName(AttributeType type);
// Inverse of TypeName; nullopt for anything else (case-sensitive).
std::optional<AttributeType> TypeFromName(std::string_view name);

class AttributeValue {
 public:
  // Sorted by key (unsigned bytes), keys unique.
  using Map = std::vector<std::pair<std::string, AttributeValue>>;
  using List = std::vector<AttributeValue>;
  // Sorted ascending, unique.
  using StringSet = std::vector<std::string>;
  using NumberSet = std::vector<Number>;

 private:
  // Alternative index == AttributeType value.
  using Storage = std::variant<std::string, Number, std::string, bool, std::monostate, Map, List,
                               StringSet, NumberSet, StringSet>;
  static constexpr std::size_t kSIdx = 0, kNIdx = 1, kBIdx = 2, kBoolIdx = 3, kNullIdx = 4,
                               kMIdx = 5, kLIdx = 6, kSSIdx = 7, kNSIdx = 8, kBSIdx = 9;

 public:
  // DynamoDB documents nest at most 32 levels deep.
  static constexpr int kMaxNestingDepth = 32;

  // NULL.
  AttributeValue() = default;

  static AttributeValue S(std::string s) { return AttributeValue(Tag<kSIdx>{}, std::move(s)); }
  static AttributeValue N(Number n) { return AttributeValue(Tag<kNIdx>{}, n); }
  static AttributeValue B(std::string bytes) {
    return AttributeValue(Tag<kBIdx>{}, std::move(bytes));
  }
  static AttributeValue Bool(bool b) { return AttributeValue(Tag<kBoolIdx>{}, b); }
  static AttributeValue Null() { return AttributeValue(); }

  // Parses `text` as a Number (errors as Number::Parse).
  static Result<AttributeValue> NFromString(std::string_view text);

  // Sorts the entries. Errors: duplicate key, nesting too deep.
  static Result<AttributeValue> M(Map entries);
  // Errors: nesting too deep.
  static Result<AttributeValue> L(List elements);
  // Sort and check. Errors: empty set, duplicate element.
  static Result<AttributeValue> SS(StringSet elements);
  static Result<AttributeValue> NS(NumberSet elements);
  static Result<AttributeValue> BS(StringSet elements);

  // Trusted builders for decoders that already checked the invariants
  // (entries strictly ascending, sets non-empty and strictly ascending, depth
  // within the limit). Violations are bugs; debug builds assert.
  static AttributeValue MFromCanonical(Map entries);
  static AttributeValue LFromCanonical(List elements);
  static AttributeValue SSFromCanonical(StringSet elements);
  static AttributeValue NSFromCanonical(NumberSet elements);
  static AttributeValue BSFromCanonical(StringSet elements);

  AttributeType type() const { return static_cast<AttributeType>(v_.index()); }
  bool Is(AttributeType t) const { return type() == t; }

  // Typed access. Calling the wrong one is a bug: it asserts (and is
  // undefined in release builds), so check type() first.
  const std::string& AsString() const { return Get<kSIdx>(); }
  const Number& AsNumber() const { return Get<kNIdx>(); }
  const std::string& AsBinary() const { return Get<kBIdx>(); }
  bool AsBool() const { return Get<kBoolIdx>(); }
  const Map& AsMap() const { return Get<kMIdx>(); }
  const List& AsList() const { return Get<kLIdx>(); }
  const StringSet& AsStringSet() const { return Get<kSSIdx>(); }
  const NumberSet& AsNumberSet() const { return Get<kNSIdx>(); }
  const StringSet& AsBinarySet() const { return Get<kBSIdx>(); }

  // Moves the elements out; the value is left an empty container.
  Map TakeMap() && {
    assert(v_.index() == kMIdx);
    return std::move(*std::get_if<kMIdx>(&v_));
  }
  List TakeList() && {
    assert(v_.index() == kLIdx);
    return std::move(*std::get_if<kLIdx>(&v_));
  }

  // Map lookup by key (binary search); nullptr when absent. Requires type M.
  const AttributeValue* Find(std::string_view key) const;

  // DynamoDB's item-size contribution of this value (facts doc §2.4):
  // S: UTF-8 bytes; B: raw bytes; N: 1 + ceil(digits / 2); BOOL, NULL: 1;
  // L: 3 + Σ(element + 1); M: 3 + Σ(key bytes + value + 1); sets: Σ elements.
  std::size_t SizeBytes() const;

  // 0 for scalars and sets; 1 + the deepest element for M and L (so an empty
  // map is 1, a list holding a map is 2). Must not exceed kMaxNestingDepth.
  int NestingDepth() const;

  friend bool operator==(const AttributeValue& a, const AttributeValue& b) {
    if (&a == &b) return true;
    if (a.v_.index() != b.v_.index()) return false;
    return a.v_ == b.v_;
  }

  // Debug rendering in DynamoDB JSON style ({"S":"x"}, {"N":"1"}; binary as
  // hex, not base64). For logs and test failures only.
  std::string DebugString() const;

 private:
  template <std::size_t I>
  struct Tag {};
  template <std::size_t I, typename T>
  AttributeValue(Tag<I>, T&& value) : v_(std::in_place_index<I>, std::forward<T>(value)) {}

  template <std::size_t I>
  const std::variant_alternative_t<I, Storage>& Get() const {
    assert(v_.index() == I);
    return *std::get_if<I>(&v_);
  }

  void AppendDebug(std::string* out) const;

  Storage v_{std::in_place_index<kNullIdx>};
};

static_assert(sizeof(AttributeValue) <= 40, "keep AttributeValue small");

}  // namespace eddy
