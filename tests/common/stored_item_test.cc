#include "common/stored_item.h"

#include <gtest/gtest.h>

#include <string>

#include "common/item_codec.h"
#include "support/random_values.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::stored_item_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

std::string Encode(const Item& item) {
  std::string out;
  EncodeItem(item, &out);
  return out;
}

std::string Strip(const std::string& encoded, const KeySchema& schema) {
  std::string out;
  EXPECT_TRUE(StripKeyAttributes(encoded, schema, &out).ok());
  return out;
}

KeySchema Schema(std::string pk, AttributeType pk_type, std::string sk = "",
                 AttributeType sk_type = AttributeType::kS) {
  KeySchema schema{{std::move(pk), pk_type}, std::nullopt};
  if (!sk.empty()) schema.sort_key = KeyAttribute{std::move(sk), sk_type};
  return schema;
}

TEST(StoredItem, LeavesOutExactlyTheKeyAttributes) {
  const KeySchema schema = Schema("pk", AttributeType::kS, "sk", AttributeType::kN);
  const Item item = MakeItem({{"a", S("x")}, {"pk", S("user#1")}, {"sk", N(7)}, {"v", B("\x01")}});
  const std::string stored = Strip(Encode(item), schema);
  EXPECT_EQ(stored, Encode(MakeItem({{"a", S("x")}, {"v", B("\x01")}})));

  std::string whole;
  ASSERT_TRUE(RestoreKeyAttributes(stored, item, schema, &whole).ok());
  EXPECT_EQ(whole, Encode(item));
  // The key alone is enough to restore it.
  const Item key = MakeItem({{"pk", S("user#1")}, {"sk", N(7)}});
  ASSERT_TRUE(RestoreKeyAttributes(stored, key, schema, &whole).ok());
  EXPECT_EQ(whole, Encode(item));
  Result<Item> decoded = DecodeStoredItem(stored, key, schema);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, item);
}

TEST(StoredItem, AnItemOfOnlyKeysStoresAsTheEmptyItem) {
  const KeySchema schema = Schema("id", AttributeType::kB);
  const Item item = MakeItem({{"id", B(std::string("\0\xff", 2))}});
  const std::string stored = Strip(Encode(item), schema);
  EXPECT_EQ(stored, std::string("\x01\x00", 2));
  std::string whole;
  ASSERT_TRUE(RestoreKeyAttributes(stored, item, schema, &whole).ok());
  EXPECT_EQ(whole, Encode(item));
}

// Whole items, as table files written before stored items hold them, read
// back as themselves and compare equal to their stored form.
TEST(StoredItem, AcceptsWholeItemsFromOlderFiles) {
  const KeySchema schema = Schema("pk", AttributeType::kS, "sk", AttributeType::kS);
  const Item item = MakeItem({{"pk", S("p")}, {"q", N(1)}, {"sk", S("s")}});
  const std::string whole = Encode(item);
  std::string restored;
  ASSERT_TRUE(RestoreKeyAttributes(whole, item, schema, &restored).ok());
  EXPECT_EQ(restored, whole);
  Result<Item> decoded = DecodeStoredItem(whole, item, schema);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, item);
  EXPECT_TRUE(SameStoredItem(whole, Strip(whole, schema), schema).value());

  const Item changed = MakeItem({{"pk", S("p")}, {"q", N(2)}, {"sk", S("s")}});
  EXPECT_FALSE(SameStoredItem(whole, Strip(Encode(changed), schema), schema).value());
}

TEST(StoredItem, RoundTripsRandomItemsWithKeysAnywhereInNameOrder) {
  RandomValues random(20261207);
  // Key names that sort first, in the middle, last, and next to each other.
  const KeySchema schemas[] = {
      Schema("pk", AttributeType::kS),
      Schema("\x01", AttributeType::kN, "\xff\xff", AttributeType::kB),
      Schema("m", AttributeType::kB, "n", AttributeType::kS),
      Schema("zz", AttributeType::kS, "a", AttributeType::kN),
  };
  for (int round = 0; round < 3000; ++round) {
    const KeySchema& schema = schemas[round % 4];
    Item item = random.RandomItem();
    Item key;
    for (const KeyAttribute* k :
         {&schema.partition_key, schema.sort_key ? &*schema.sort_key : nullptr}) {
      if (k == nullptr) continue;
      AttributeValue v = k->type == AttributeType::kN ? N(static_cast<std::int64_t>(random.Next()))
                         : k->type == AttributeType::kS ? S(random.Bytes(10) + "k")
                                                        : B(random.Bytes(10) + "k");
      item.Set(k->name, v);
      key.Set(k->name, std::move(v));
    }
    const std::string whole = Encode(item);
    const std::string stored = Strip(whole, schema);
    SCOPED_TRACE(item.DebugString());
    EXPECT_EQ(stored.size() + Encode(key).size() - 2, whole.size());
    EXPECT_EQ(Strip(stored, schema), stored);  // nothing left to strip

    std::string restored;
    ASSERT_TRUE(RestoreKeyAttributes(stored, key, schema, &restored).ok());
    EXPECT_EQ(restored, whole);
    Result<Item> decoded = DecodeStoredItem(stored, key, schema);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, item);
    EXPECT_TRUE(SameStoredItem(stored, stored, schema).value());
    EXPECT_TRUE(SameStoredItem(whole, stored, schema).value());
  }
}

TEST(StoredItem, MalformedBytesAreCorruptionNeverACrash) {
  const KeySchema schema = Schema("pk", AttributeType::kS);
  const Item item =
      MakeItem({{"m", M({{"k", L({S("x"), NS({1, 2})})}})}, {"pk", S("p")}, {"z", SS({"a", "b"})}});
  const Item key = MakeItem({{"pk", S("p")}});
  const std::string whole = Encode(item);
  std::string out;
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    const std::string prefix = whole.substr(0, cut);
    EXPECT_TRUE(StripKeyAttributes(prefix, schema, &out).IsCorruption()) << cut;
    EXPECT_TRUE(RestoreKeyAttributes(prefix, key, schema, &out).IsCorruption()) << cut;
  }
  EXPECT_TRUE(StripKeyAttributes(whole + "x", schema, &out).IsCorruption());
  EXPECT_TRUE(StripKeyAttributes(std::string("\x02\x00", 2), schema, &out).IsCorruption());

  // Random bytes: an error or a result, never a read out of bounds.
  RandomValues random(99);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = "\x01" + random.Bytes(24);
    (void)StripKeyAttributes(bytes, schema, &out);
    (void)RestoreKeyAttributes(bytes, key, schema, &out);
    (void)SameStoredItem(bytes, "\x01", schema);
  }
}

TEST(StoredItem, RestoringNeedsTheKeyAttributes) {
  const KeySchema schema = Schema("pk", AttributeType::kS, "sk", AttributeType::kS);
  std::string out;
  EXPECT_TRUE(
      RestoreKeyAttributes(std::string("\x01\x00", 2), MakeItem({{"pk", S("p")}}), schema, &out)
          .IsInvalidArgument());
}

}  // namespace
}  // namespace eddy::stored_item_test
