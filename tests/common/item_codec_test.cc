#include "common/item_codec.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "support/random_values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::item_codec_test {
namespace {

using ::eddy::testing::RandomValues;

std::string Encode(const Item& item) {
  std::string out;
  EncodeItem(item, &out);
  return out;
}

std::string EncodeValue(const AttributeValue& value) {
  std::string out;
  EncodeAttributeValue(value, &out);
  return out;
}

Item EveryTypeItem() {
  Item item;
  item.Set("s", AttributeValue::S("hello"));
  item.Set("empty", AttributeValue::S(""));
  item.Set("n", AttributeValue::NFromString("-12.5E-3").value());
  item.Set("zero", AttributeValue::NFromString("0").value());
  item.Set("b", AttributeValue::B(std::string("\0\xFF\x80", 3)));
  item.Set("t", AttributeValue::Bool(true));
  item.Set("f", AttributeValue::Bool(false));
  item.Set("null", AttributeValue::Null());
  item.Set("ss", AttributeValue::SS({"x", "y"}).value());
  item.Set("ns", AttributeValue::NS({Number::FromInt64(3), Number::FromInt64(-1)}).value());
  item.Set("bs", AttributeValue::BS({"\x01", "\x02"}).value());
  item.Set("m",
           AttributeValue::M({{"k", AttributeValue::L({AttributeValue::Null()}).value()}}).value());
  item.Set("l", AttributeValue::L({}).value());
  return item;
}

TEST(ItemCodec, RoundTripsEveryType) {
  const Item item = EveryTypeItem();
  const std::string bytes = Encode(item);
  Result<Item> back = DecodeItem(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back.value(), item);
  EXPECT_EQ(back.value().DebugString(), item.DebugString());
}

TEST(ItemCodec, RoundTripsRandomNestedItems) {
  RandomValues random(20240601);
  for (int i = 0; i < 2000; ++i) {
    const Item item = random.RandomItem();
    const std::string bytes = Encode(item);
    Result<Item> back = DecodeItem(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " " << item.DebugString();
    ASSERT_EQ(back.value(), item) << item.DebugString();
    ASSERT_EQ(Encode(back.value()), bytes);
  }
}

TEST(ItemCodec, RoundTripsSingleValues) {
  RandomValues random(5);
  for (int i = 0; i < 2000; ++i) {
    const AttributeValue value = random.Value(4);
    Result<AttributeValue> back = DecodeAttributeValue(EncodeValue(value));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(back.value(), value) << value.DebugString();
  }
}

TEST(ItemCodec, StartsWithVersionByte) {
  EXPECT_EQ(Encode(Item()), std::string("\x01\x00", 2));
  EXPECT_EQ(static_cast<std::uint8_t>(EncodeValue(AttributeValue::Null())[0]), kItemFormatVersion);
}

TEST(ItemCodec, MatchesDocumentedLayout) {
  // docs/item_format.md, worked example.
  Item item;
  item.Set("id", AttributeValue::NFromString("-12.5").value());
  item.Set("ok", AttributeValue::Bool(true));
  const std::string expected(
      "\x01\x02"
      "\x02id\x02\x83\x83\x12\x50"
      "\x02ok\x05",
      14);
  EXPECT_EQ(Encode(item), expected);
}

TEST(ItemCodec, AppendsToExistingOutput) {
  std::string out = "prefix";
  EncodeItem(EveryTypeItem(), &out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(out.substr(6), Encode(EveryTypeItem()));
}

TEST(ItemCodec, EqualItemsEncodeIdentically) {
  Item a;
  a.Set("x", AttributeValue::NS({Number::FromInt64(2), Number::FromInt64(1)}).value());
  a.Set("y",
        AttributeValue::M({{"q", AttributeValue::S("1")}, {"p", AttributeValue::S("2")}}).value());
  Item b;
  b.Set("y",
        AttributeValue::M({{"p", AttributeValue::S("2")}, {"q", AttributeValue::S("1")}}).value());
  b.Set("x", AttributeValue::NS({Number::Parse("1.0").value(), Number::FromInt64(2)}).value());
  EXPECT_EQ(Encode(a), Encode(b));
}

TEST(ItemCodec, AcceptsByteSpans) {
  const std::string bytes = Encode(EveryTypeItem());
  Result<Item> back = DecodeItem(AsBytes(bytes.data(), bytes.size()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), EveryTypeItem());
}

TEST(ItemCodec, RejectsEveryTruncation) {
  RandomValues random(8);
  std::vector<std::string> encodings = {Encode(EveryTypeItem())};
  for (int i = 0; i < 200; ++i)
    encodings.push_back(Encode(random.RandomItem()));
  for (const std::string& full : encodings) {
    for (std::size_t len = 0; len < full.size(); ++len) {
      Result<Item> r = DecodeItem(std::string_view(full).substr(0, len));
      ASSERT_FALSE(r.ok()) << "prefix of length " << len << " decoded";
      ASSERT_TRUE(r.status().IsCorruption());
    }
  }
}

TEST(ItemCodec, RejectsTrailingBytes) {
  EXPECT_TRUE(DecodeItem(Encode(EveryTypeItem()) + '\0').status().IsCorruption());
  EXPECT_TRUE(
      DecodeAttributeValue(EncodeValue(AttributeValue::Null()) + '\x06').status().IsCorruption());
}

TEST(ItemCodec, RejectsRandomGarbage) {
  std::mt19937_64 rng(1234);
  int decoded = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string bytes(rng() % 40, '\0');
    for (char& c : bytes)
      c = static_cast<char>(rng() % 3 == 0 ? rng() % 12 : rng());
    if (!bytes.empty() && rng() % 2) bytes[0] = '\x01';  // get past the version byte
    Result<Item> r = DecodeItem(bytes);
    if (r.ok()) {
      // Anything accepted must be a canonical encoding.
      ++decoded;
      ASSERT_EQ(Encode(r.value()), bytes);
    } else {
      ASSERT_TRUE(r.status().IsCorruption()) << r.status().ToString();
    }
  }
  EXPECT_GT(decoded, 0);  // the generator does reach valid encodings
}

TEST(ItemCodec, RejectsOrDecodesCanonicallyAfterByteFlips) {
  RandomValues random(77);
  std::mt19937_64 rng(78);
  for (int i = 0; i < 500; ++i) {
    const std::string valid = Encode(random.RandomItem());
    for (int flip = 0; flip < 20; ++flip) {
      std::string bytes = valid;
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
      Result<Item> r = DecodeItem(bytes);
      if (r.ok()) {
        ASSERT_EQ(Encode(r.value()), bytes);
      } else {
        ASSERT_TRUE(r.status().IsCorruption());
      }
    }
  }
}

TEST(ItemCodec, RejectsBadVersion) {
  std::string bytes = Encode(EveryTypeItem());
  bytes[0] = 2;
  EXPECT_TRUE(DecodeItem(bytes).status().IsCorruption());
  EXPECT_TRUE(DecodeItem(std::string_view()).status().IsCorruption());
}

TEST(ItemCodec, RejectsNonCanonicalStructure) {
  using namespace std::literals;
  const auto error = [](std::string_view bytes) {
    Result<Item> r = DecodeItem(bytes);
    EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
    return r.status().message();
  };
  // Names out of order, and duplicated.
  EXPECT_EQ(error("\x01\x02\x01"
                  "b\x06\x01"
                  "a\x06"sv),
            "item codec: attribute names out of order");
  EXPECT_EQ(error("\x01\x02\x01"
                  "a\x06\x01"
                  "a\x06"sv),
            "item codec: attribute names out of order");
  // Non-minimal varint for the attribute count (1 written as 0x81 0x00).
  EXPECT_EQ(error("\x01\x81\x00\x01"
                  "a\x06"sv),
            "item codec: bad attribute count");
  // Empty string set.
  EXPECT_EQ(error("\x01\x01\x01"
                  "a\x09\x00"sv),
            "item codec: bad set count");
  // Number set out of order: {2, 1}.
  EXPECT_EQ(error("\x01\x01\x01"
                  "a\x0A\x02\x01\x82\x20\x01\x82\x10"sv),
            "item codec: set elements out of order");
  // Negative zero and a number with a trailing zero digit.
  EXPECT_EQ(error("\x01\x01\x01"
                  "a\x02\x80"sv),
            "item codec: negative zero");
  EXPECT_TRUE(error("\x01\x01\x01"
                    "a\x02\x02\x82\x10"sv)
                  .starts_with("item codec: bad number"));
  // Unknown tag.
  EXPECT_EQ(error("\x01\x01\x01"
                  "a\x0C"sv),
            "item codec: unknown value tag");
  // Huge counts with little input behind them: rejected before allocating.
  EXPECT_EQ(error("\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F"sv), "item codec: bad attribute count");
  EXPECT_EQ(error("\x01\x01\x01"
                  "a\x08\xFF\xFF\xFF\xFF\x0F"sv),
            "item codec: bad element count");
  // Varint longer than 64 bits.
  EXPECT_EQ(error("\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x7F"sv),
            "item codec: bad attribute count");
}

TEST(ItemCodec, RejectsNestingBeyond32Levels) {
  auto nested_lists = [](int levels) {
    std::string bytes(
        "\x01\x01\x01"
        "a",
        4);
    for (int i = 0; i < levels; ++i)
      bytes.append("\x08\x01", 2);
    bytes.push_back('\x06');  // NULL at the bottom
    return bytes;
  };
  Result<Item> ok = DecodeItem(nested_lists(32));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok.value().Find("a")->NestingDepth(), 32);
  EXPECT_TRUE(DecodeItem(nested_lists(33)).status().IsCorruption());
  // Deep enough to overflow the stack if recursion were unbounded.
  EXPECT_TRUE(DecodeItem(nested_lists(1'000'000)).status().IsCorruption());
}

}  // namespace
}  // namespace eddy::item_codec_test
