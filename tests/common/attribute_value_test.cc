#include "eddy/attribute_value.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::attribute_value_test {
namespace {

using Map = AttributeValue::Map;
using List = AttributeValue::List;

AttributeValue Num(std::string_view text) {
  return AttributeValue::NFromString(text).value();
}

AttributeValue MakeMap(Map entries) {
  Result<AttributeValue> r = AttributeValue::M(std::move(entries));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : AttributeValue();
}

AttributeValue MakeList(List elements) {
  Result<AttributeValue> r = AttributeValue::L(std::move(elements));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : AttributeValue();
}

std::vector<Number> Numbers(std::initializer_list<std::string_view> texts) {
  std::vector<Number> out;
  for (auto t : texts)
    out.push_back(Number::Parse(t).value());
  return out;
}

TEST(AttributeValue, TypeNamesMatchDynamoDb) {
  const std::vector<std::pair<AttributeType, std::string_view>> expected = {
      {AttributeType::kS, "S"},       {AttributeType::kN, "N"},       {AttributeType::kB, "B"},
      {AttributeType::kBool, "BOOL"}, {AttributeType::kNull, "NULL"}, {AttributeType::kM, "M"},
      {AttributeType::kL, "L"},       {AttributeType::kSS, "SS"},     {AttributeType::kNS, "NS"},
      {AttributeType::kBS, "BS"}};
  for (auto [type, name] : expected) {
    EXPECT_EQ(TypeName(type), name);
    EXPECT_EQ(TypeFromName(name), type);
  }
  EXPECT_FALSE(TypeFromName("s").has_value());
  EXPECT_FALSE(TypeFromName("STRING").has_value());
}

TEST(AttributeValue, FactoriesSetTheType) {
  EXPECT_EQ(AttributeValue().type(), AttributeType::kNull);
  EXPECT_EQ(AttributeValue::S("x").type(), AttributeType::kS);
  EXPECT_EQ(Num("1").type(), AttributeType::kN);
  EXPECT_EQ(AttributeValue::B("x").type(), AttributeType::kB);
  EXPECT_EQ(AttributeValue::Bool(true).type(), AttributeType::kBool);
  EXPECT_TRUE(AttributeValue::Bool(true).AsBool());
  EXPECT_EQ(MakeMap({}).type(), AttributeType::kM);
  EXPECT_EQ(MakeList({}).type(), AttributeType::kL);
}

TEST(AttributeValue, NumberParseErrorsPassThrough) {
  Result<AttributeValue> r = AttributeValue::NFromString("NaN");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "The parameter cannot be converted to a numeric value: NaN");
}

TEST(AttributeValue, SetsMustNotBeEmpty) {
  Result<AttributeValue> ss = AttributeValue::SS({});
  ASSERT_FALSE(ss.ok());
  EXPECT_TRUE(ss.status().IsInvalidArgument());
  EXPECT_EQ(ss.status().message(),
            "One or more parameter values were invalid: An string set  may not be empty");
  Result<AttributeValue> ns = AttributeValue::NS({});
  ASSERT_FALSE(ns.ok());
  EXPECT_EQ(ns.status().message(),
            "One or more parameter values were invalid: An number set  may not be empty");
  Result<AttributeValue> bs = AttributeValue::BS({});
  ASSERT_FALSE(bs.ok());
  EXPECT_EQ(bs.status().message(),
            "One or more parameter values were invalid: Binary sets should not be empty");
}

TEST(AttributeValue, StringSetRejectsDuplicates) {
  Result<AttributeValue> r = AttributeValue::SS({"b", "a", "b"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().message(),
            "One or more parameter values were invalid: Input collection [a, b, b] contains "
            "duplicates");
}

TEST(AttributeValue, NumberSetRejectsDuplicatesByValue) {
  Result<AttributeValue> r = AttributeValue::NS(Numbers({"1", "2", "1.0"}));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("contains duplicates"), std::string::npos);
  EXPECT_TRUE(AttributeValue::NS(Numbers({"1", "10", "0.1"})).ok());
}

TEST(AttributeValue, BinarySetRejectsDuplicates) {
  Result<AttributeValue> r = AttributeValue::BS({std::string("\0\1", 2), std::string("\0\1", 2)});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  // Same bytes in a string set and a binary set are different values, and
  // distinct byte strings are not duplicates.
  EXPECT_TRUE(AttributeValue::BS({std::string("\0\1", 2), std::string("\0", 1)}).ok());
}

TEST(AttributeValue, SetsAreEqualRegardlessOfOrder) {
  EXPECT_EQ(AttributeValue::SS({"a", "b", "c"}).value(),
            AttributeValue::SS({"c", "a", "b"}).value());
  EXPECT_EQ(AttributeValue::NS(Numbers({"1", "2.50", "-3"})).value(),
            AttributeValue::NS(Numbers({"-3.0", "1", "2.5"})).value());
  EXPECT_EQ(AttributeValue::BS({"\xFF", "\x01"}).value(),
            AttributeValue::BS({"\x01", "\xFF"}).value());
  EXPECT_NE(AttributeValue::SS({"a", "b"}).value(), AttributeValue::SS({"a", "c"}).value());
  EXPECT_NE(AttributeValue::SS({"a", "b"}).value(), AttributeValue::SS({"a"}).value());
}

TEST(AttributeValue, SetsKeepSortedElements) {
  EXPECT_EQ(AttributeValue::SS({"b", "a", "B"}).value().AsStringSet(),
            (std::vector<std::string>{"B", "a", "b"}));
  EXPECT_EQ(AttributeValue::NS(Numbers({"10", "-1", "2"})).value().AsNumberSet(),
            Numbers({"-1", "2", "10"}));
  // Binary sets sort by unsigned bytes.
  EXPECT_EQ(AttributeValue::BS({"\x80", "\x7F"}).value().AsBinarySet(),
            (std::vector<std::string>{"\x7F", "\x80"}));
}

TEST(AttributeValue, MapsAreEqualRegardlessOfKeyOrder) {
  AttributeValue a =
      MakeMap({{"x", AttributeValue::S("1")}, {"y", Num("2")}, {"z", AttributeValue::Null()}});
  AttributeValue b =
      MakeMap({{"z", AttributeValue::Null()}, {"x", AttributeValue::S("1")}, {"y", Num("2.0")}});
  EXPECT_EQ(a, b);
  AttributeValue c =
      MakeMap({{"x", AttributeValue::S("1")}, {"y", Num("3")}, {"z", AttributeValue::Null()}});
  EXPECT_NE(a, c);
  AttributeValue d = MakeMap({{"x", AttributeValue::S("1")}, {"y", Num("2")}});
  EXPECT_NE(a, d);
}

TEST(AttributeValue, MapRejectsDuplicateKeys) {
  Result<AttributeValue> r =
      AttributeValue::M({{"k", AttributeValue::S("a")}, {"k", AttributeValue::S("b")}});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
}

TEST(AttributeValue, MapFindLooksUpKeys) {
  AttributeValue m = MakeMap({{"b", Num("2")}, {"a", Num("1")}, {"", AttributeValue::S("empty")}});
  ASSERT_NE(m.Find("a"), nullptr);
  EXPECT_EQ(*m.Find("a"), Num("1"));
  ASSERT_NE(m.Find(""), nullptr);
  EXPECT_EQ(m.Find("")->AsString(), "empty");
  EXPECT_EQ(m.Find("c"), nullptr);
}

TEST(AttributeValue, NumbersAreEqualByValue) {
  EXPECT_EQ(Num("1.0"), Num("1"));
  EXPECT_EQ(Num("1E2"), Num("100"));
  EXPECT_NE(Num("1"), Num("1.01"));
}

TEST(AttributeValue, DifferentTypesAreNeverEqual) {
  EXPECT_NE(AttributeValue::S("1"), Num("1"));
  EXPECT_NE(AttributeValue::S(""), AttributeValue::B(""));
  EXPECT_NE(AttributeValue::SS({"a"}).value(), AttributeValue::BS({"a"}).value());
  EXPECT_NE(AttributeValue::Bool(false), AttributeValue::Null());
  EXPECT_NE(MakeList({}), MakeMap({}));
}

TEST(AttributeValue, ListsAreOrderSensitive) {
  EXPECT_EQ(MakeList({Num("1"), AttributeValue::S("a")}),
            MakeList({Num("1.0"), AttributeValue::S("a")}));
  EXPECT_NE(MakeList({Num("1"), AttributeValue::S("a")}),
            MakeList({AttributeValue::S("a"), Num("1")}));
}

TEST(AttributeValue, EqualityIsDeep) {
  auto build = [](std::string_view leaf) {
    AttributeValue inner =
        MakeMap({{"s", AttributeValue::SS({"q", "p"}).value()}, {"n", Num(leaf)}});
    return MakeMap({{"list", MakeList({inner, AttributeValue::Bool(true)})}});
  };
  EXPECT_EQ(build("5"), build("5.00"));
  EXPECT_NE(build("5"), build("6"));
}

TEST(AttributeValue, NestingDepthLimitIs32) {
  AttributeValue v = AttributeValue::S("leaf");
  EXPECT_EQ(v.NestingDepth(), 0);
  for (int depth = 1; depth <= AttributeValue::kMaxNestingDepth; ++depth) {
    Result<AttributeValue> r = depth % 2 ? AttributeValue::L({v}) : AttributeValue::M({{"k", v}});
    ASSERT_TRUE(r.ok()) << depth;
    v = std::move(r).value();
    EXPECT_EQ(v.NestingDepth(), depth);
  }
  for (bool as_list : {true, false}) {
    Result<AttributeValue> too_deep =
        as_list ? AttributeValue::L({v}) : AttributeValue::M({{"k", v}});
    ASSERT_FALSE(too_deep.ok());
    EXPECT_TRUE(too_deep.status().IsInvalidArgument());
    EXPECT_EQ(too_deep.status().message(),
              "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
              "levels beyond supported limit");
  }
}

TEST(AttributeValue, SizeBytesOfScalars) {
  EXPECT_EQ(AttributeValue::S("abc").SizeBytes(), 3u);
  EXPECT_EQ(AttributeValue::S("\xC3\xA9").SizeBytes(), 2u);  // é: UTF-8 bytes
  EXPECT_EQ(AttributeValue::S("").SizeBytes(), 0u);
  EXPECT_EQ(AttributeValue::B(std::string(4, '\0')).SizeBytes(), 4u);
  EXPECT_EQ(Num("12345").SizeBytes(), 4u);
  EXPECT_EQ(Num("0").SizeBytes(), 2u);
  EXPECT_EQ(AttributeValue::Bool(false).SizeBytes(), 1u);
  EXPECT_EQ(AttributeValue::Null().SizeBytes(), 1u);
}

TEST(AttributeValue, SizeBytesOfDocuments) {
  EXPECT_EQ(MakeList({}).SizeBytes(), 3u);
  EXPECT_EQ(MakeMap({}).SizeBytes(), 3u);
  // 3 + (1 + 1) + (2 + 1)
  EXPECT_EQ(MakeList({AttributeValue::S("a"), Num("1")}).SizeBytes(), 8u);
  // 3 + ("ab" 2 + "c" 1 + 1)
  EXPECT_EQ(MakeMap({{"ab", AttributeValue::S("c")}}).SizeBytes(), 7u);
  // Outer: 3 + ("m" 1 + inner 7 + 1) = 12
  EXPECT_EQ(MakeMap({{"m", MakeMap({{"ab", AttributeValue::S("c")}})}}).SizeBytes(), 12u);
}

TEST(AttributeValue, SizeBytesOfSets) {
  EXPECT_EQ(AttributeValue::SS({"a", "bc"}).value().SizeBytes(), 3u);
  EXPECT_EQ(AttributeValue::NS(Numbers({"1", "123"})).value().SizeBytes(), 5u);
  EXPECT_EQ(AttributeValue::BS({"\x01\x02", "\x03"}).value().SizeBytes(), 3u);
}

TEST(AttributeValue, TakeMapMovesEntriesForRebuilding) {
  AttributeValue m = MakeMap({{"a", Num("1")}});
  Map entries = std::move(m).TakeMap();
  entries.emplace_back("b", Num("2"));
  AttributeValue rebuilt = MakeMap(std::move(entries));
  EXPECT_EQ(rebuilt, MakeMap({{"b", Num("2")}, {"a", Num("1")}}));
}

TEST(AttributeValue, DebugStringUsesDynamoDbJsonShape) {
  AttributeValue m = MakeMap({{"b", AttributeValue::SS({"y", "x"}).value()}, {"a", Num("1.50")}});
  EXPECT_EQ(m.DebugString(), R"({"M":{"a":{"N":"1.5"},"b":{"SS":["x","y"]}}})");
  EXPECT_EQ(AttributeValue::B("\x01\xAB").DebugString(), R"({"B":"01ab"})");
}

}  // namespace
}  // namespace eddy::attribute_value_test
