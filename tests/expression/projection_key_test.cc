// ProjectionExpression, KeyConditionExpression and the Query filter rule.
#include <string>
#include <vector>

#include "expression/expression_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::server::projection_key_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders
namespace c = eddy::cond;

// ---- Projections

TEST_F(ExpressionTest, ProjectionGolden) {
  Result<std::vector<DocumentPath>> r = Proj("a, b.c, d[1], #n, #d.x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::vector<DocumentPath> expected = {Path("a"), Path("b").Member("c"), Path("d").Index(1),
                                              Path("name"), Path("a.b").Member("x")};
  EXPECT_EQ(*r, expected);
}

TEST_F(ExpressionTest, ProjectionPathsMayNotOverlap) {
  EXPECT_EQ(ProjError("a, a.b"),
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
            "or rewrite one of these paths; path one: [a], path two: [a, b]");
  EXPECT_EQ(ProjError("a.b, a[0]"),
            "Invalid ProjectionExpression: Two document paths conflict with each other; must "
            "remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]");
}

TEST_F(ExpressionTest, ProjectionSyntaxErrors) {
  EXPECT_EQ(ProjError("a b"),
            "Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\"");
  EXPECT_EQ(ProjError("a,"),
            "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  EXPECT_EQ(ProjError(":v"),
            "Invalid ProjectionExpression: Syntax error; token: \":v\", near: \":v\"");
}

TEST_F(ExpressionTest, ProjectionReservedWordAndPlaceholders) {
  EXPECT_EQ(ProjError("name"),
            "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "name");
  EXPECT_EQ(ProjError("#zz"),
            "Invalid ProjectionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #zz");
}

// ---- Key conditions

KeySchema HashRange(AttributeType sort_type = AttributeType::kN) {
  return KeySchema{KeyAttribute{"pk", AttributeType::kS}, KeyAttribute{"sk", sort_type}};
}
KeySchema HashOnly() {
  return KeySchema{KeyAttribute{"pk", AttributeType::kS}, std::nullopt};
}

TEST_F(ExpressionTest, KeyConditionPartitionOnly) {
  Result<KeyCondition> r = Key("pk = :v", HashOnly());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->partition_key, S("x"));
  EXPECT_FALSE(r->sort_key.has_value());
  Result<KeyCondition> reversed = Key(":v = #pk", HashOnly());
  ASSERT_TRUE(reversed.ok()) << reversed.status().ToString();
  EXPECT_EQ(reversed->partition_key, S("x"));
}

TEST_F(ExpressionTest, KeyConditionSortKeyOperators) {
  using Op = SortKeyCondition::Op;
  struct Case {
    std::string text;
    Op op;
  };
  const std::vector<Case> cases = {
      {"pk = :v AND sk = :n", Op::kEq},     {"pk = :v AND sk < :n", Op::kLt},
      {"pk = :v AND sk <= :n", Op::kLe},    {"pk = :v AND sk > :n", Op::kGt},
      {"pk = :v AND sk >= :n", Op::kGe},    {"sk > :n AND pk = :v", Op::kGt},
      {"pk = :v AND :n < sk", Op::kGt},     {"pk = :v AND :n >= sk", Op::kLe},
      {"(pk = :v) AND (sk = :n)", Op::kEq},
  };
  for (const Case& k : cases) {
    Result<KeyCondition> r = Key(k.text, HashRange());
    ASSERT_TRUE(r.ok()) << k.text << ": " << r.status().ToString();
    EXPECT_EQ(r->partition_key, S("x")) << k.text;
    ASSERT_TRUE(r->sort_key.has_value()) << k.text;
    EXPECT_EQ(r->sort_key->op, k.op) << k.text;
    EXPECT_EQ(r->sort_key->value, N(1)) << k.text;
  }
}

TEST_F(ExpressionTest, KeyConditionBetweenAndBeginsWith) {
  Result<KeyCondition> between = Key("pk = :v AND sk BETWEEN :n AND :m", HashRange());
  ASSERT_TRUE(between.ok()) << between.status().ToString();
  EXPECT_EQ(between->sort_key->op, SortKeyCondition::Op::kBetween);
  EXPECT_EQ(between->sort_key->value, N(1));
  EXPECT_EQ(between->sort_key->upper, N(5));
  Result<KeyCondition> prefix =
      Key("pk = :v AND begins_with(sk, :p)", HashRange(AttributeType::kS));
  ASSERT_TRUE(prefix.ok()) << prefix.status().ToString();
  EXPECT_EQ(prefix->sort_key->op, SortKeyCondition::Op::kBeginsWith);
  EXPECT_EQ(prefix->sort_key->value, S("ab"));
}

TEST_F(ExpressionTest, KeyConditionRejectsNonKeyOperators) {
  const KeySchema schema = HashRange();
  EXPECT_EQ(KeyError("pk = :v OR sk = :n", schema),
            "Invalid operator used in KeyConditionExpression: OR");
  EXPECT_EQ(KeyError("NOT pk = :v", schema),
            "Invalid operator used in KeyConditionExpression: NOT");
  EXPECT_EQ(KeyError("pk IN (:v)", schema), "Invalid operator used in KeyConditionExpression: IN");
  EXPECT_EQ(KeyError("pk <> :v", schema), "Invalid operator used in KeyConditionExpression: <>");
  EXPECT_EQ(KeyError("attribute_exists(pk)", schema),
            "Invalid operator used in KeyConditionExpression: attribute_exists");
  EXPECT_EQ(KeyError("pk = :v AND contains(sk, :n)", schema),
            "Invalid operator used in KeyConditionExpression: contains");
}

TEST_F(ExpressionTest, KeyConditionShapeErrors) {
  const KeySchema schema = HashRange();
  EXPECT_EQ(KeyError("pk = :v AND size(sk) > :n", schema),
            "KeyConditionExpressions cannot contain nested operations");
  EXPECT_EQ(KeyError("pk = sk", schema),
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
  EXPECT_EQ(KeyError("pk.a = :v", schema),
            "KeyConditionExpressions cannot have conditions on nested attributes");
  EXPECT_EQ(KeyError(":v = :w", schema),
            "Invalid condition in KeyConditionExpression: No key attribute specified");
  EXPECT_EQ(KeyError("pk = :v AND pk = :w", schema),
            "KeyConditionExpressions must only contain one condition per key");
  EXPECT_EQ(KeyError("pk = :v AND sk = :n AND x = :n", schema),
            "Conditions can be of length 1 or 2 only");
  EXPECT_EQ(KeyError(":n BETWEEN sk AND :m AND pk = :v", schema),
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
            "attribute as its first operand");
  EXPECT_EQ(KeyError("pk = :v AND begins_with(:p, sk)", schema),
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key "
            "attribute as its first operand");
}

TEST_F(ExpressionTest, KeyConditionSchemaErrors) {
  EXPECT_EQ(KeyError("pk = :n", HashRange()),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
  EXPECT_EQ(KeyError("pk > :v", HashRange()), "Query key condition not supported");
  EXPECT_EQ(KeyError("sk = :n", HashRange()), "Query condition missed key schema element: pk");
  EXPECT_EQ(KeyError("pk = :v AND x = :n", HashRange()),
            "Query condition missed key schema element: sk");
  EXPECT_EQ(KeyError("pk = :v AND x = :n", HashOnly()), "Query key condition not supported");
  EXPECT_EQ(KeyError("x = :v", HashOnly()), "Query condition missed key schema element: pk");
}

TEST_F(ExpressionTest, KeyConditionBeginsWithOnNumberSortKeyIsRejected) {
  EXPECT_EQ(KeyError("pk = :v AND begins_with(sk, :n)", HashRange()),
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  EXPECT_EQ(KeyError("pk = :v AND begins_with(sk, :p)", HashRange()),
            "One or more parameter values were invalid: Condition parameter type does not match "
            "schema type");
}

TEST_F(ExpressionTest, KeyConditionGeneralErrorsCarryThePrefix) {
  EXPECT_EQ(KeyError("pk = :v AND sk BETWEEN :m AND :n", HashRange()),
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be "
            "greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, "
            "upper bound operand: AttributeValue: {N:1}");
  EXPECT_EQ(KeyError("pk =", HashRange()),
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
}

TEST_F(ExpressionTest, FilterMayNotNameKeyAttributes) {
  const KeySchema schema = HashRange();
  EXPECT_TRUE(CheckFilterAvoidsKeys(*Cond("a = :v AND size(b) > :n"), schema).ok());
  const Status s = CheckFilterAvoidsKeys(*Cond("a = :v OR NOT attribute_exists(sk.x)"), schema);
  EXPECT_EQ(s.message(),
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: sk");
  EXPECT_FALSE(CheckFilterAvoidsKeys(*Cond("contains(:v, #pk)"), schema).ok());
}

}  // namespace
}  // namespace eddy::server::projection_key_test
