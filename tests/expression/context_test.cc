// ExpressionContext: the placeholder maps, usage tracking across a request's
// expressions, and the reserved-word table.
#include <string>

#include "expression/expression_test_util.h"
#include "server/expression/reserved_words.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::server::context_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

TEST(ReservedWords, TableHasDynamoDbsWords) {
  EXPECT_EQ(expression::ReservedWordCount(), 573u);
  EXPECT_TRUE(expression::IsReservedWord("status"));
  EXPECT_TRUE(expression::IsReservedWord("STATUS"));
  EXPECT_TRUE(expression::IsReservedWord("LocalTimestamp"));
  EXPECT_TRUE(expression::IsReservedWord("abort"));
  EXPECT_TRUE(expression::IsReservedWord("zone"));
  EXPECT_FALSE(expression::IsReservedWord("statuses"));
  EXPECT_FALSE(expression::IsReservedWord("pk"));
  EXPECT_FALSE(expression::IsReservedWord(""));
}

TEST(ExpressionContext, AllUsedAcrossExpressionsPasses) {
  const AttributeNames names = {{"#a", "a"}, {"#b", "b"}};
  const AttributeValues values = {{":x", S("x")}, {":y", N(1)}};
  ExpressionContext ctx(&names, &values);
  ASSERT_TRUE(ctx.ParseUpdate("SET #a = :x").ok());
  ASSERT_TRUE(ctx.ParseCondition("#b = :y", "ConditionExpression").ok());
  EXPECT_TRUE(ctx.CheckAllUsed().ok());
}

TEST(ExpressionContext, UnusedValueIsReported) {
  const AttributeValues values = {{":x", S("x")}, {":y", N(1)}};
  ExpressionContext ctx(nullptr, &values);
  ASSERT_TRUE(ctx.ParseCondition("a = :x", "ConditionExpression").ok());
  EXPECT_EQ(ctx.CheckAllUsed().message(),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}");
}

TEST(ExpressionContext, UnusedNamesAreReportedBeforeValues) {
  const AttributeNames names = {{"#a", "a"}, {"#b", "b"}, {"#c", "c"}};
  const AttributeValues values = {{":x", S("x")}, {":y", N(1)}};
  ExpressionContext ctx(&names, &values);
  ASSERT_TRUE(ctx.ParseProjection("#b").ok());
  // Java HashSet order: "#c" falls in bucket 0, "#a" in bucket 14.
  EXPECT_EQ(ctx.CheckAllUsed().message(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#c, #a}");
}

TEST(ExpressionContext, UnusedKeysFollowJavaHashSetOrder) {
  // ":z" hashes to bucket 0, ":b" to 8 and ":ab" to 11 of a 16-bucket table.
  const AttributeValues values = {{":ab", S("1")}, {":b", S("2")}, {":z", S("3")}};
  ExpressionContext ctx(nullptr, &values);
  EXPECT_EQ(
      ctx.CheckAllUsed().message(),
      "Value provided in ExpressionAttributeValues unused in expressions: keys: {:z, :b, :ab}");
}

TEST(ExpressionContext, PlaceholderUsedOnlyByAFailedParseStillCounts) {
  // The request fails anyway; what matters is that a good parse marks use.
  const AttributeValues values = {{":x", S("x")}};
  ExpressionContext ctx(nullptr, &values);
  ASSERT_TRUE(ctx.ParseCondition("a = :x", "FilterExpression").ok());
  ASSERT_TRUE(ctx.ParseCondition("b = :x", "ConditionExpression").ok());
  EXPECT_TRUE(ctx.CheckAllUsed().ok());
}

TEST(ExpressionContext, EmptyMapsAreRejected) {
  const AttributeNames names;
  const AttributeValues values;
  EXPECT_EQ(ExpressionContext(&names, nullptr).CheckMaps().message(),
            "ExpressionAttributeNames must not be empty");
  EXPECT_EQ(ExpressionContext(nullptr, &values).CheckMaps().message(),
            "ExpressionAttributeValues must not be empty");
}

TEST(ExpressionContext, MalformedKeysAreRejected) {
  const AttributeNames names = {{"n", "x"}};
  EXPECT_EQ(ExpressionContext(&names, nullptr).CheckMaps().message(),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\"");
  const AttributeValues values = {{":a-b", S("x")}};
  EXPECT_EQ(ExpressionContext(nullptr, &values).CheckMaps().message(),
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \":a-b\"");
}

TEST(ExpressionContext, KeysAreLimitedTo255Bytes) {
  const std::string ok = "#" + std::string(254, 'a');
  const AttributeNames fine = {{ok, "x"}};
  EXPECT_TRUE(ExpressionContext(&fine, nullptr).CheckMaps().ok());
  const AttributeNames names = {{ok + "a", "x"}};
  EXPECT_EQ(ExpressionContext(&names, nullptr).CheckMaps().message(),
            "ExpressionAttributeNames contains invalid key: The expression attribute map contains "
            "a key that is too long; size of key: 256");
}

TEST(ExpressionContext, EmptyAttributeNameIsRejected) {
  const AttributeNames names = {{"#n", ""}};
  EXPECT_EQ(ExpressionContext(&names, nullptr).CheckMaps().message(),
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key #n");
}

TEST(ExpressionContext, MapErrorsComeBeforeExpressionErrors) {
  const AttributeNames names = {{"bad", "x"}};
  ExpressionContext ctx(&names, nullptr);
  EXPECT_EQ(ctx.ParseCondition("a =", "ConditionExpression").status().message(),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"bad\"");
}

TEST(ExpressionContext, SubstitutedNamesMayBeReservedOrDotted) {
  const AttributeNames names = {{"#s", "status"}, {"#d", "a.b[0]"}};
  ExpressionContext ctx(&names, nullptr);
  Result<std::vector<DocumentPath>> r = ctx.ParseProjection("#s, #d");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0], Path("status"));
  EXPECT_EQ((*r)[1], Path("a.b[0]"));
  EXPECT_TRUE(ctx.CheckAllUsed().ok());
}

}  // namespace
}  // namespace eddy::server::context_test
