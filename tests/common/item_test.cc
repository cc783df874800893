#include "eddy/item.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::item_test {
namespace {

AttributeValue S(std::string s) {
  return AttributeValue::S(std::move(s));
}
AttributeValue B(std::string s) {
  return AttributeValue::B(std::move(s));
}
AttributeValue Num(std::string_view text) {
  return AttributeValue::NFromString(text).value();
}

Item MakeItem(Item::Entries entries) {
  Result<Item> r = Item::FromEntries(std::move(entries));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Item();
}

KeySchema Schema(AttributeType pk, std::optional<AttributeType> sk = std::nullopt) {
  KeySchema schema;
  schema.partition_key = {"pk", pk};
  if (sk) schema.sort_key = KeyAttribute{"sk", *sk};
  return schema;
}

const std::string kInvalid = "One or more parameter values were invalid: ";

// --- Item container --------------------------------------------------------

TEST(Item, FromEntriesSortsByName) {
  Item item = MakeItem({{"b", Num("2")}, {"a", Num("1")}, {"B", Num("3")}});
  std::vector<std::string> names;
  for (const auto& [name, value] : item)
    names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"B", "a", "b"}));
}

TEST(Item, FromEntriesRejectsDuplicateNames) {
  Result<Item> r = Item::FromEntries({{"a", Num("1")}, {"a", Num("2")}});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
}

TEST(Item, SetInsertsAndReplaces) {
  Item item;
  item.Set("b", S("1"));
  item.Set("a", S("2"));
  item.Set("b", S("3"));
  EXPECT_EQ(item.size(), 2u);
  EXPECT_EQ(item.Find("b")->AsString(), "3");
  EXPECT_EQ(item, MakeItem({{"a", S("2")}, {"b", S("3")}}));
}

TEST(Item, EraseRemovesOnlyPresentAttributes) {
  Item item = MakeItem({{"a", S("1")}, {"b", S("2")}});
  EXPECT_TRUE(item.Erase("a"));
  EXPECT_FALSE(item.Erase("a"));
  EXPECT_EQ(item.Find("a"), nullptr);
  EXPECT_EQ(item.size(), 1u);
}

TEST(Item, EqualityIgnoresConstructionOrderAndComparesValues) {
  Item a = MakeItem({{"x", Num("1.0")}, {"y", AttributeValue::SS({"p", "q"}).value()}});
  Item b;
  b.Set("y", AttributeValue::SS({"q", "p"}).value());
  b.Set("x", Num("1"));
  EXPECT_EQ(a, b);
  b.Set("x", Num("2"));
  EXPECT_NE(a, b);
}

// --- Item size ---------------------------------------------------------------

// DynamoDB Streams API reference, KEYS_ONLY record: SizeBytes 41.
TEST(ItemSize, MatchesStreamsKeysOnlyExample) {
  Item keys = MakeItem({{"ForumName", S("DynamoDB")}, {"Subject", S("DynamoDB Thread 1")}});
  EXPECT_EQ(ItemSizeBytes(keys), 41u);
}

// Lambda sample record: Keys {Id: 101} + NewImage {Message, Id} = 26.
TEST(ItemSize, MatchesLambdaSampleRecord) {
  Item keys = MakeItem({{"Id", Num("101")}});
  Item new_image = MakeItem({{"Message", S("New item!")}, {"Id", Num("101")}});
  EXPECT_EQ(ItemSizeBytes(keys), 5u);
  EXPECT_EQ(ItemSizeBytes(new_image), 21u);
  EXPECT_EQ(ItemSizeBytes(keys) + ItemSizeBytes(new_image), 26u);
}

// Lambda filtering tutorial ("chocolate" table), INSERT record: SizeBytes 174.
TEST(ItemSize, MatchesChocolateTutorialRecord) {
  Item keys = MakeItem({{"SK", S("PRODUCT#CHOCOLATE#DARK#1000")}, {"PK", S("COMPANY#1000")}});
  Item new_image = MakeItem({{"quantity", Num("50")},
                             {"company_id", S("1000")},
                             {"fabric", S("Florida Chocolates")},
                             {"price", Num("15")},
                             {"stores", Num("5")},
                             {"product_id", S("1000")},
                             {"SK", S("PRODUCT#CHOCOLATE#DARK#1000")},
                             {"PK", S("COMPANY#1000")},
                             {"state", S("FL")},
                             {"type", S("")}});
  EXPECT_EQ(ItemSizeBytes(keys) + ItemSizeBytes(new_image), 174u);
}

TEST(ItemSize, CountsNamesAndNestedValues) {
  // "a"(1)+S"xy"(2) + "list"(4)+L[N 1, BOOL](3 + 2+1 + 1+1 = 8) + "m"(1)+M{"k": NULL}(3+1+1+1 = 6)
  Item item = MakeItem({{"a", S("xy")},
                        {"list", AttributeValue::L({Num("1"), AttributeValue::Bool(true)}).value()},
                        {"m", AttributeValue::M({{"k", AttributeValue::Null()}}).value()}});
  EXPECT_EQ(ItemSizeBytes(item), 3u + 12u + 7u);
}

TEST(ItemSize, LimitIsExactly409600Bytes) {
  Item at_limit = MakeItem({{"a", S(std::string(kMaxItemSizeBytes - 1, 'x'))}});
  EXPECT_EQ(ItemSizeBytes(at_limit), 409'600u);
  EXPECT_TRUE(CheckItemSize(at_limit).ok());
  EXPECT_TRUE(ValidateItemForTable(MakeItem({{"pk", S("k")}, {"a", S(std::string(409'596, 'x'))}}),
                                   Schema(AttributeType::kS))
                  .ok());

  Item over = MakeItem({{"ab", S(std::string(kMaxItemSizeBytes - 1, 'x'))}});
  Status s = CheckItemSize(over);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "Item size has exceeded the maximum allowed size");
  Status v = ValidateItemForTable(MakeItem({{"pk", S("k")}, {"a", S(std::string(409'597, 'x'))}}),
                                  Schema(AttributeType::kS));
  EXPECT_EQ(v.message(), "Item size has exceeded the maximum allowed size");
}

// --- Item validation ---------------------------------------------------------

TEST(ValidateItem, AcceptsWellFormedItem) {
  Item item = MakeItem({{"pk", S("a")}, {"sk", Num("1")}, {"empty_s", S("")}, {"empty_b", B("")}});
  EXPECT_TRUE(ValidateItemForTable(item, Schema(AttributeType::kS, AttributeType::kN)).ok());
}

TEST(ValidateItem, RejectsMissingKey) {
  Status s = ValidateItemForTable(MakeItem({{"pk", S("a")}}),
                                  Schema(AttributeType::kS, AttributeType::kS));
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), kInvalid + "Missing the key sk in the item");
}

TEST(ValidateItem, RejectsWrongKeyType) {
  Status s = ValidateItemForTable(MakeItem({{"pk", Num("1")}}), Schema(AttributeType::kS));
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), kInvalid + "Type mismatch for key pk expected: S actual: N");
}

TEST(ValidateItem, RejectsEmptyKeyValues) {
  Status s = ValidateItemForTable(MakeItem({{"pk", S("")}}), Schema(AttributeType::kS));
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            "cannot contain an empty string value. Key: pk");
  Status b = ValidateItemForTable(MakeItem({{"pk", S("x")}, {"sk", B("")}}),
                                  Schema(AttributeType::kS, AttributeType::kB));
  ASSERT_TRUE(b.IsInvalidArgument());
  EXPECT_NE(b.message().find("empty binary value. Key: sk"), std::string::npos);
}

TEST(ValidateItem, PartitionKeyLimitIs2048Bytes) {
  const KeySchema schema = Schema(AttributeType::kS);
  EXPECT_TRUE(ValidateItemForTable(MakeItem({{"pk", S(std::string(2048, 'k'))}}), schema).ok());
  Status s = ValidateItemForTable(MakeItem({{"pk", S(std::string(2049, 'k'))}}), schema);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            kInvalid + "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  // UTF-8 bytes, not characters: 1024 × "é" is 2048 bytes, one more "é" is over.
  std::string e1024;
  for (int i = 0; i < 1024; ++i)
    e1024 += "\xC3\xA9";
  EXPECT_TRUE(ValidateItemForTable(MakeItem({{"pk", S(e1024)}}), schema).ok());
  EXPECT_FALSE(ValidateItemForTable(MakeItem({{"pk", S(e1024 + "\xC3\xA9")}}), schema).ok());
}

TEST(ValidateItem, SortKeyLimitIs1024Bytes) {
  const KeySchema schema = Schema(AttributeType::kS, AttributeType::kS);
  EXPECT_TRUE(
      ValidateItemForTable(MakeItem({{"pk", S("p")}, {"sk", S(std::string(1024, 's'))}}), schema)
          .ok());
  Status s =
      ValidateItemForTable(MakeItem({{"pk", S("p")}, {"sk", S(std::string(1025, 's'))}}), schema);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(
      s.message(),
      kInvalid + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
}

TEST(ValidateItem, BinaryKeyLimitsCountRawBytes) {
  const KeySchema schema = Schema(AttributeType::kB, AttributeType::kB);
  // 2048 raw bytes would be 2732 base64 characters; the raw count is what matters.
  EXPECT_TRUE(ValidateItemForTable(MakeItem({{"pk", B(std::string(2048, '\xFF'))},
                                             {"sk", B(std::string(1024, '\0'))}}),
                                   schema)
                  .ok());
  EXPECT_FALSE(
      ValidateItemForTable(MakeItem({{"pk", B(std::string(2049, '\xFF'))}, {"sk", B("s")}}), schema)
          .ok());
  EXPECT_FALSE(
      ValidateItemForTable(MakeItem({{"pk", B("p")}, {"sk", B(std::string(1025, '\0'))}}), schema)
          .ok());
}

TEST(ValidateItem, AttributeNamesAreOneTo65535Bytes) {
  const KeySchema schema = Schema(AttributeType::kS);
  EXPECT_TRUE(
      ValidateItemForTable(MakeItem({{"pk", S("p")}, {std::string(65'535, 'n'), S("v")}}), schema)
          .ok());
  Status long_name =
      ValidateItemForTable(MakeItem({{"pk", S("p")}, {std::string(65'536, 'n'), S("v")}}), schema);
  EXPECT_TRUE(long_name.IsInvalidArgument());
  Status empty_name = ValidateItemForTable(MakeItem({{"pk", S("p")}, {"", S("v")}}), schema);
  EXPECT_TRUE(empty_name.IsInvalidArgument());
}

// --- Key schema and keys -------------------------------------------------------

TEST(KeySchema, ValidatesNamesAndTypes) {
  EXPECT_TRUE(ValidateKeySchema(Schema(AttributeType::kN, AttributeType::kB)).ok());
  KeySchema long_name = Schema(AttributeType::kS);
  long_name.partition_key.name = std::string(255, 'k');
  EXPECT_TRUE(ValidateKeySchema(long_name).ok());
  long_name.partition_key.name = std::string(256, 'k');
  EXPECT_TRUE(ValidateKeySchema(long_name).IsInvalidArgument());
  EXPECT_TRUE(ValidateKeySchema(Schema(AttributeType::kBool)).IsInvalidArgument());
  EXPECT_TRUE(ValidateKeySchema(Schema(AttributeType::kS, AttributeType::kSS)).IsInvalidArgument());
  KeySchema same = Schema(AttributeType::kS, AttributeType::kS);
  same.sort_key->name = "pk";
  EXPECT_TRUE(ValidateKeySchema(same).IsInvalidArgument());
}

TEST(ValidateKey, AcceptsExactlyTheKeyAttributes) {
  EXPECT_TRUE(ValidateKey(MakeItem({{"pk", S("a")}, {"sk", Num("1")}}),
                          Schema(AttributeType::kS, AttributeType::kN))
                  .ok());
}

TEST(ValidateKey, RejectsKeysNotMatchingTheSchema) {
  const KeySchema schema = Schema(AttributeType::kS, AttributeType::kN);
  const std::vector<Item> bad = {
      MakeItem({{"pk", S("a")}}),                                  // missing sort key
      MakeItem({{"pk", S("a")}, {"sk", Num("1")}, {"x", S("")}}),  // extra attribute
      MakeItem({{"pk", S("a")}, {"sk", S("1")}}),                  // wrong type
      MakeItem({{"pk", S("a")}, {"other", Num("1")}}),             // wrong name
      Item(),
  };
  for (const Item& key : bad) {
    Status s = ValidateKey(key, schema);
    ASSERT_TRUE(s.IsInvalidArgument()) << key.DebugString();
    EXPECT_EQ(s.message(), "The provided key element does not match the schema");
  }
}

TEST(ValidateKey, AppliesKeyLimitsOnReads) {
  const KeySchema schema = Schema(AttributeType::kS, AttributeType::kS);
  EXPECT_TRUE(ValidateKey(MakeItem({{"pk", S(std::string(2049, 'p'))}, {"sk", S("s")}}), schema)
                  .IsInvalidArgument());
  EXPECT_TRUE(ValidateKey(MakeItem({{"pk", S("p")}, {"sk", S(std::string(1025, 's'))}}), schema)
                  .IsInvalidArgument());
  EXPECT_TRUE(ValidateKey(MakeItem({{"pk", S("")}, {"sk", S("s")}}), schema).IsInvalidArgument());
}

TEST(ExtractKey, ReturnsOnlyKeyAttributes) {
  Item item = MakeItem({{"pk", S("a")}, {"sk", Num("1")}, {"z", S("other")}, {"a", S("other")}});
  Result<Item> key = ExtractKey(item, Schema(AttributeType::kS, AttributeType::kN));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key.value(), MakeItem({{"pk", S("a")}, {"sk", Num("1")}}));
  EXPECT_FALSE(
      ExtractKey(MakeItem({{"pk", S("a")}}), Schema(AttributeType::kS, AttributeType::kN)).ok());
}

// --- Encoded keys -------------------------------------------------------------

std::string Encode(const Item& key, const KeySchema& schema) {
  std::string out;
  EXPECT_TRUE(EncodeKey(key, schema, &out).ok());
  return out;
}

// DynamoDB's order for one key value of a given type.
int CompareKeyValue(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() == AttributeType::kN) {
    auto c = a.AsNumber() <=> b.AsNumber();
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  const std::string& x = a.type() == AttributeType::kS ? a.AsString() : a.AsBinary();
  const std::string& y = b.type() == AttributeType::kS ? b.AsString() : b.AsBinary();
  const int c = x.compare(y);  // char_traits<char> compares as unsigned char
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

AttributeValue RandomKeyValue(AttributeType type, std::mt19937_64& rng) {
  if (type == AttributeType::kN) {
    // Small pool of digits and exponents so that equal and near values recur.
    std::string text = (rng() % 2) ? "-" : "";
    text += std::to_string(rng() % 1000);
    if (rng() % 2) text += "." + std::to_string(rng() % 100);
    if (rng() % 4 == 0) text += "E" + std::to_string(static_cast<int>(rng() % 60) - 30);
    return Num(text);
  }
  // Bytes from a tiny alphabet that includes the escape-relevant 0x00, 0x01
  // and 0xFF, so prefixes and escapes collide often.
  static constexpr char kAlphabet[] = {'\0', '\x01', 'a', 'b', '\x7F', '\x80', '\xFF'};
  std::string s(1 + rng() % 4, 'a');
  for (char& c : s)
    c = kAlphabet[rng() % sizeof(kAlphabet)];
  return type == AttributeType::kS ? S(s) : B(s);
}

TEST(EncodeKey, MemcmpOrderIsDynamoDbOrder) {
  std::mt19937_64 rng(99);
  const AttributeType types[] = {AttributeType::kS, AttributeType::kN, AttributeType::kB};
  for (AttributeType pk_type : types) {
    for (int with_sk = 0; with_sk <= 3; ++with_sk) {
      const std::optional<AttributeType> sk_type =
          with_sk == 0 ? std::nullopt : std::optional<AttributeType>(types[with_sk - 1]);
      const KeySchema schema = Schema(pk_type, sk_type);
      std::vector<Item> keys;
      std::vector<std::string> encoded;
      for (int i = 0; i < 300; ++i) {
        Item key;
        key.Set("pk", RandomKeyValue(pk_type, rng));
        if (sk_type) key.Set("sk", RandomKeyValue(*sk_type, rng));
        encoded.push_back(Encode(key, schema));
        keys.push_back(std::move(key));
      }
      for (std::size_t a = 0; a < keys.size(); ++a) {
        for (std::size_t b = 0; b < keys.size(); ++b) {
          int expected = CompareKeyValue(*keys[a].Find("pk"), *keys[b].Find("pk"));
          if (expected == 0 && sk_type) {
            expected = CompareKeyValue(*keys[a].Find("sk"), *keys[b].Find("sk"));
          }
          const int c = encoded[a].compare(encoded[b]);
          ASSERT_EQ(c < 0 ? -1 : (c > 0 ? 1 : 0), expected)
              << keys[a].DebugString() << " vs " << keys[b].DebugString();
          // Prefix-free: a distinct key is never a prefix of another.
          if (expected != 0) {
            ASSERT_FALSE(encoded[b].starts_with(encoded[a]));
          }
        }
      }
    }
  }
}

TEST(EncodeKey, StringsOrderByUtf8BytesAndBinaryByUnsignedBytes) {
  const KeySchema s_schema = Schema(AttributeType::kS);
  EXPECT_LT(Encode(MakeItem({{"pk", S("Z")}}), s_schema),
            Encode(MakeItem({{"pk", S("a")}}), s_schema));
  EXPECT_LT(Encode(MakeItem({{"pk", S("z")}}), s_schema),
            Encode(MakeItem({{"pk", S("\xC3\xA9")}}), s_schema));
  EXPECT_LT(Encode(MakeItem({{"pk", S("a")}}), s_schema),
            Encode(MakeItem({{"pk", S("ab")}}), s_schema));
  const KeySchema b_schema = Schema(AttributeType::kB);
  EXPECT_LT(Encode(MakeItem({{"pk", B("\x7F")}}), b_schema),
            Encode(MakeItem({{"pk", B("\x80")}}), b_schema));
  EXPECT_LT(Encode(MakeItem({{"pk", B(std::string("a", 1))}}), b_schema),
            Encode(MakeItem({{"pk", B(std::string("a\0", 2))}}), b_schema));
}

TEST(EncodeKey, DecodeRoundTrips) {
  std::mt19937_64 rng(17);
  const KeySchema schema = Schema(AttributeType::kB, AttributeType::kN);
  for (int i = 0; i < 1000; ++i) {
    Item key;
    key.Set("pk", RandomKeyValue(AttributeType::kB, rng));
    key.Set("sk", RandomKeyValue(AttributeType::kN, rng));
    const std::string encoded = Encode(key, schema);
    Result<Item> back = DecodeKey(encoded, schema);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back.value(), key);
    // Every truncation and any trailing byte is rejected.
    for (std::size_t len = 0; len < encoded.size(); ++len) {
      EXPECT_TRUE(
          DecodeKey(std::string_view(encoded).substr(0, len), schema).status().IsCorruption());
    }
    EXPECT_TRUE(DecodeKey(encoded + "x", schema).status().IsCorruption());
  }
}

TEST(EncodeKey, ReadsOnlyKeyAttributesAndChecksTypes) {
  const KeySchema schema = Schema(AttributeType::kS, AttributeType::kS);
  EXPECT_EQ(Encode(MakeItem({{"pk", S("a")}, {"sk", S("b")}, {"x", Num("1")}}), schema),
            Encode(MakeItem({{"pk", S("a")}, {"sk", S("b")}}), schema));
  std::string out;
  EXPECT_TRUE(EncodeKey(MakeItem({{"pk", S("a")}}), schema, &out).IsInvalidArgument());
  EXPECT_TRUE(
      EncodeKey(MakeItem({{"pk", S("a")}, {"sk", Num("1")}}), schema, &out).IsInvalidArgument());
}

}  // namespace
}  // namespace eddy::item_test
