#include "engine/expression/condition_eval.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eddy/condition.h"
#include "support/values.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::engine::condition_eval_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders

namespace c = eddy::cond;

Operand V(AttributeValue v) {
  return c::Value(std::move(v));
}

Item TestItem() {
  return *Item::FromEntries({
      {"pk", S("p")},
      {"s", S("hello")},
      {"n", N(5)},
      {"b", B(std::string("\x01\x02\xff", 3))},
      {"flag", AttributeValue::Bool(true)},
      {"nul", AttributeValue::Null()},
      {"m", M({{"x", N(1)}, {"y", S("why")}})},
      {"l", L({N(1), S("two"), M({{"z", N(3)}})})},
      {"ss", SS({"a", "b"})},
      {"ns", NS({1, 2})},
      {"bs", BS({std::string("\x00", 1), "\xff"})},
      {"utf", S("h\xc3\xa9llo")},
      {"lo", N(10)},
      {"hi", N(1)},
  });
}

// Evaluates against TestItem(); fails the test on an error.
bool Eval(const Condition& cond) {
  const Item item = TestItem();
  Result<bool> r = EvaluateCondition(cond, &item);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && *r;
}

Status EvalError(const Condition& cond) {
  const Item item = TestItem();
  Result<bool> r = EvaluateCondition(cond, &item);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Status::Ok() : r.status();
}

TEST(ConditionEval, EqMatchesEqualValue) {
  EXPECT_TRUE(Eval(c::Eq(Path("s"), V(S("hello")))));
  EXPECT_FALSE(Eval(c::Eq(Path("s"), V(S("hell")))));
}

TEST(ConditionEval, EqComparesNumbersByValue) {
  EXPECT_TRUE(Eval(c::Eq(Path("n"), V(NText("5.000")))));
  EXPECT_TRUE(Eval(c::Eq(V(NText("50e-1")), Path("n"))));
}

TEST(ConditionEval, EqBetweenDifferentTypesIsFalseNotError) {
  EXPECT_FALSE(Eval(c::Eq(Path("n"), V(S("5")))));
}

TEST(ConditionEval, EqComparesDocumentsAndSetsSemantically) {
  EXPECT_TRUE(Eval(c::Eq(Path("m"), V(M({{"y", S("why")}, {"x", NText("1.0")}})))));
  EXPECT_TRUE(Eval(c::Eq(Path("ss"), V(SS({"b", "a"})))));
  EXPECT_TRUE(Eval(c::Eq(Path("l"), V(L({N(1), S("two"), M({{"z", N(3)}})})))));
}

TEST(ConditionEval, EqWithAbsentOperandIsFalse) {
  EXPECT_FALSE(Eval(c::Eq(Path("missing"), V(S("x")))));
  EXPECT_FALSE(Eval(c::Eq(Path("missing"), Path("other_missing"))));
}

TEST(ConditionEval, NeWithAbsentOperandIsTrue) {
  EXPECT_TRUE(Eval(c::Ne(Path("missing"), V(S("x")))));
  EXPECT_TRUE(Eval(c::Ne(Path("missing"), Path("other_missing"))));
}

TEST(ConditionEval, NeBetweenDifferentTypesIsTrue) {
  EXPECT_TRUE(Eval(c::Ne(Path("n"), V(S("5")))));
  EXPECT_FALSE(Eval(c::Ne(Path("n"), V(N(5)))));
}

TEST(ConditionEval, OrderingComparesNumbersNumerically) {
  EXPECT_TRUE(Eval(c::Lt(Path("n"), V(N(10)))));  // not "5" > "10" as text
  EXPECT_TRUE(Eval(c::Le(Path("n"), V(N(5)))));
  EXPECT_FALSE(Eval(c::Gt(Path("n"), V(N(5)))));
  EXPECT_TRUE(Eval(c::Ge(Path("n"), V(NText("-1e10")))));
}

TEST(ConditionEval, OrderingComparesStringsByUnsignedBytes) {
  // U+00E9 is 0xC3 0xA9 in UTF-8, above every ASCII byte.
  EXPECT_TRUE(Eval(c::Gt(Path("utf"), V(S("hz")))));
  EXPECT_TRUE(Eval(c::Lt(Path("s"), V(S("hellp")))));
  EXPECT_TRUE(Eval(c::Lt(V(S("hell")), Path("s"))));
}

TEST(ConditionEval, OrderingComparesBinaryByUnsignedBytes) {
  EXPECT_TRUE(Eval(c::Lt(Path("b"), V(B("\x01\x03")))));
  EXPECT_TRUE(Eval(c::Gt(Path("b"), V(B("\x01\x02\x7f")))));
}

TEST(ConditionEval, OrderingAcrossTypesIsFalse) {
  EXPECT_FALSE(Eval(c::Lt(Path("n"), V(S("z")))));
  EXPECT_FALSE(Eval(c::Ge(Path("n"), V(S("z")))));
  EXPECT_FALSE(Eval(c::Lt(Path("s"), V(B("z")))));
}

TEST(ConditionEval, OrderingWithAbsentOperandIsFalse) {
  EXPECT_FALSE(Eval(c::Lt(Path("missing"), V(N(1)))));
  EXPECT_FALSE(Eval(c::Ge(Path("missing"), V(N(1)))));
}

TEST(ConditionEval, OrderingItemValuesOfUnorderedTypesIsFalse) {
  EXPECT_FALSE(Eval(c::Le(Path("l"), Path("l"))));
  EXPECT_FALSE(Eval(c::Ge(Path("flag"), Path("flag"))));
}

TEST(ConditionEval, OrderingAgainstUnorderedLiteralIsInvalid) {
  Status s = EvalError(c::Lt(Path("n"), V(AttributeValue::Bool(true))));
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: <, operand type: BOOLEAN");
}

TEST(ConditionEval, BetweenIsInclusive) {
  EXPECT_TRUE(Eval(c::Between(Path("n"), V(N(5)), V(N(6)))));
  EXPECT_TRUE(Eval(c::Between(Path("n"), V(N(4)), V(N(5)))));
  EXPECT_FALSE(Eval(c::Between(Path("n"), V(N(6)), V(N(9)))));
  EXPECT_TRUE(Eval(c::Between(Path("s"), V(S("h")), V(S("i")))));
}

TEST(ConditionEval, BetweenAcrossTypesOrAbsentIsFalse) {
  EXPECT_FALSE(Eval(c::Between(Path("s"), V(N(1)), V(N(9)))));
  EXPECT_FALSE(Eval(c::Between(Path("missing"), V(N(1)), V(N(9)))));
}

TEST(ConditionEval, BetweenWithInvertedLiteralBoundsIsInvalid) {
  Status s = EvalError(c::Between(Path("n"), V(N(9)), V(N(1))));
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:9}, upper bound "
            "operand: AttributeValue: {N:1}");
}

TEST(ConditionEval, BetweenWithMixedLiteralBoundTypesIsInvalid) {
  EXPECT_TRUE(EvalError(c::Between(Path("n"), V(N(1)), V(S("9")))).IsInvalidArgument());
}

TEST(ConditionEval, BetweenWithInvertedBoundsFromItemIsFalse) {
  // lo = 10, hi = 1 come from the item: a data problem, so just false.
  EXPECT_FALSE(Eval(c::Between(Path("n"), Path("lo"), Path("hi"))));
  EXPECT_TRUE(Eval(c::Between(Path("n"), Path("hi"), Path("lo"))));
}

TEST(ConditionEval, InMatchesAnyCandidate) {
  EXPECT_TRUE(Eval(c::In(Path("n"), {V(N(1)), V(N(5))})));
  EXPECT_FALSE(Eval(c::In(Path("n"), {V(N(1)), V(S("5"))})));
  EXPECT_TRUE(Eval(c::In(Path("s"), {Path("missing"), V(S("hello"))})));
}

TEST(ConditionEval, InWithAbsentValueIsFalse) {
  EXPECT_FALSE(Eval(c::In(Path("missing"), {V(N(1))})));
}

TEST(ConditionEval, InAcceptsExactlyOneHundredCandidates) {
  std::vector<Operand> candidates;
  for (int i = 0; i < 100; ++i)
    candidates.push_back(V(N(100 + i)));
  candidates.back() = V(N(5));
  EXPECT_TRUE(Eval(c::In(Path("n"), candidates)));
}

TEST(ConditionEval, InRejectsMoreThanOneHundredCandidates) {
  std::vector<Operand> candidates;
  for (int i = 0; i < 101; ++i)
    candidates.push_back(V(N(i)));
  EXPECT_TRUE(EvalError(c::In(Path("n"), candidates)).IsInvalidArgument());
}

TEST(ConditionEval, InRejectsEmptyCandidateList) {
  EXPECT_TRUE(EvalError(c::In(Path("n"), {})).IsInvalidArgument());
}

TEST(ConditionEval, AttributeExistsAndNotExists) {
  EXPECT_TRUE(Eval(c::AttributeExists(Path("nul"))));  // a NULL value exists
  EXPECT_FALSE(Eval(c::AttributeExists(Path("missing"))));
  EXPECT_TRUE(Eval(c::AttributeNotExists(Path("missing"))));
  EXPECT_FALSE(Eval(c::AttributeNotExists(Path("pk"))));
}

TEST(ConditionEval, NullItemHasNoAttributes) {
  Result<bool> exists = EvaluateCondition(c::AttributeExists(Path("pk")), nullptr);
  Result<bool> not_exists = EvaluateCondition(c::AttributeNotExists(Path("pk")), nullptr);
  Result<bool> ne = EvaluateCondition(c::Ne(Path("pk"), V(S("p"))), nullptr);
  ASSERT_TRUE(exists.ok() && not_exists.ok() && ne.ok());
  EXPECT_FALSE(*exists);
  EXPECT_TRUE(*not_exists);
  EXPECT_TRUE(*ne);
}

TEST(ConditionEval, NestedPathsResolveThroughMapsAndLists) {
  EXPECT_TRUE(Eval(c::Eq(Path("m").Member("x"), V(N(1)))));
  EXPECT_TRUE(Eval(c::Eq(Path("l").Index(2).Member("z"), V(N(3)))));
  EXPECT_TRUE(Eval(c::Eq(Path("l").Index(1), V(S("two")))));
}

TEST(ConditionEval, NestedPathsThroughWrongTypesOrPastTheEndAreAbsent) {
  EXPECT_TRUE(Eval(c::AttributeNotExists(Path("l").Index(3))));
  EXPECT_TRUE(Eval(c::AttributeNotExists(Path("m").Index(0))));
  EXPECT_TRUE(Eval(c::AttributeNotExists(Path("l").Member("x"))));
  EXPECT_TRUE(Eval(c::AttributeNotExists(Path("s").Member("x"))));
  EXPECT_TRUE(Eval(c::AttributeNotExists(Path("m").Member("nope").Member("deeper"))));
}

TEST(ConditionEval, AttributeTypeMatchesEachTypeName) {
  const std::vector<std::pair<const char*, AttributeType>> cases = {
      {"s", AttributeType::kS},       {"n", AttributeType::kN},      {"b", AttributeType::kB},
      {"flag", AttributeType::kBool}, {"nul", AttributeType::kNull}, {"m", AttributeType::kM},
      {"l", AttributeType::kL},       {"ss", AttributeType::kSS},    {"ns", AttributeType::kNS},
      {"bs", AttributeType::kBS}};
  for (const auto& [name, type] : cases) {
    EXPECT_TRUE(Eval(c::AttributeTypeIs(Path(name), type))) << name;
    EXPECT_FALSE(Eval(c::AttributeTypeIs(
        Path(name), type == AttributeType::kS ? AttributeType::kN : AttributeType::kS)))
        << name;
  }
  EXPECT_FALSE(Eval(c::AttributeTypeIs(Path("missing"), AttributeType::kS)));
}

TEST(ConditionEval, AttributeTypeRejectsUnknownTypeNameEvenWithoutItem) {
  Result<bool> r = EvaluateCondition(c::AttributeTypeIs(Path("s"), S("STRING")), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("STRING"), std::string::npos);
  EXPECT_TRUE(EvalError(c::AttributeTypeIs(Path("s"), S("s"))).IsInvalidArgument());
}

TEST(ConditionEval, AttributeTypeRejectsNonStringTypeOperand) {
  EXPECT_TRUE(EvalError(c::AttributeTypeIs(Path("s"), N(1))).IsInvalidArgument());
}

TEST(ConditionEval, BeginsWithOnStringsAndBinary) {
  EXPECT_TRUE(Eval(c::BeginsWith(Path("s"), V(S("he")))));
  EXPECT_TRUE(Eval(c::BeginsWith(Path("s"), V(S("")))));
  EXPECT_FALSE(Eval(c::BeginsWith(Path("s"), V(S("el")))));
  EXPECT_TRUE(Eval(c::BeginsWith(Path("b"), V(B("\x01\x02")))));
  EXPECT_FALSE(Eval(c::BeginsWith(Path("b"), V(S("\x01")))));  // B vs S
}

TEST(ConditionEval, BeginsWithOnOtherItemTypesIsFalse) {
  EXPECT_FALSE(Eval(c::BeginsWith(Path("n"), Path("s"))));
  EXPECT_FALSE(Eval(c::BeginsWith(Path("l"), V(S("x")))));
  EXPECT_FALSE(Eval(c::BeginsWith(Path("missing"), V(S("x")))));
}

TEST(ConditionEval, BeginsWithNonStringLiteralIsInvalid) {
  EXPECT_TRUE(EvalError(c::BeginsWith(Path("s"), V(N(1)))).IsInvalidArgument());
}

TEST(ConditionEval, ContainsFindsSubstrings) {
  EXPECT_TRUE(Eval(c::Contains(Path("s"), V(S("ell")))));
  EXPECT_FALSE(Eval(c::Contains(Path("s"), V(S("xyz")))));
  EXPECT_TRUE(Eval(c::Contains(Path("b"), V(B("\x02\xff")))));
}

TEST(ConditionEval, ContainsTestsSetMembershipByElementType) {
  EXPECT_TRUE(Eval(c::Contains(Path("ss"), V(S("a")))));
  EXPECT_FALSE(Eval(c::Contains(Path("ss"), V(S("c")))));
  EXPECT_TRUE(Eval(c::Contains(Path("ns"), V(NText("2.0")))));
  EXPECT_FALSE(Eval(c::Contains(Path("ns"), V(S("2")))));
  EXPECT_TRUE(Eval(c::Contains(Path("bs"), V(B("\xff")))));
  EXPECT_FALSE(Eval(c::Contains(Path("ss"), V(SS({"a"})))));  // a set is not an element
}

TEST(ConditionEval, ContainsTestsListElementEquality) {
  EXPECT_TRUE(Eval(c::Contains(Path("l"), V(S("two")))));
  EXPECT_TRUE(Eval(c::Contains(Path("l"), V(M({{"z", N(3)}})))));
  EXPECT_FALSE(Eval(c::Contains(Path("l"), V(S("tw")))));
}

TEST(ConditionEval, ContainsOnOtherTypesOrAbsentIsFalse) {
  EXPECT_FALSE(Eval(c::Contains(Path("n"), V(N(5)))));
  EXPECT_FALSE(Eval(c::Contains(Path("m"), V(S("x")))));
  EXPECT_FALSE(Eval(c::Contains(Path("missing"), V(S("x")))));
}

TEST(ConditionEval, SizeOfStringCountsUtf8Bytes) {
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("s")), V(N(5)))));
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("utf")), V(N(6)))));
}

TEST(ConditionEval, SizeOfBinaryCountsBytes) {
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("b")), V(N(3)))));
}

TEST(ConditionEval, SizeOfContainersCountsElements) {
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("ss")), V(N(2)))));
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("ns")), V(N(2)))));
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("bs")), V(N(2)))));
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("l")), V(N(3)))));
  EXPECT_TRUE(Eval(c::Eq(c::Size(Path("m")), V(N(2)))));
  EXPECT_TRUE(Eval(c::Gt(c::Size(Path("l")), c::Size(Path("m")))));
}

TEST(ConditionEval, SizeOfUnsizedOrMissingValueIsAbsent) {
  EXPECT_FALSE(Eval(c::Eq(c::Size(Path("n")), V(N(1)))));
  EXPECT_FALSE(Eval(c::Ge(c::Size(Path("flag")), V(N(0)))));
  EXPECT_FALSE(Eval(c::Ge(c::Size(Path("missing")), V(N(0)))));
  EXPECT_TRUE(Eval(c::Ne(c::Size(Path("missing")), V(N(0)))));
}

TEST(ConditionEval, AndOrCombine) {
  const Condition t = c::Eq(Path("n"), V(N(5)));
  const Condition f = c::Eq(Path("n"), V(N(6)));
  EXPECT_TRUE(Eval(c::And(t, t)));
  EXPECT_FALSE(Eval(c::And(t, f)));
  EXPECT_TRUE(Eval(c::Or(f, t)));
  EXPECT_FALSE(Eval(c::Or(f, f)));
  EXPECT_TRUE(Eval(c::And({t, t, t})));
  EXPECT_TRUE(Eval(c::Or({t})));
}

TEST(ConditionEval, NotOfComparisonOnAbsentPathIsTrue) {
  EXPECT_TRUE(Eval(c::Not(c::Eq(Path("missing"), V(S("x"))))));
  EXPECT_FALSE(Eval(c::Not(c::AttributeExists(Path("s")))));
}

TEST(ConditionEval, EmptyAndOrAreInvalid) {
  EXPECT_TRUE(EvalError(c::And(std::vector<Condition>{})).IsInvalidArgument());
  EXPECT_TRUE(EvalError(c::Or(std::vector<Condition>{})).IsInvalidArgument());
}

TEST(ConditionEval, ValidationReachesNestedConditions) {
  std::vector<Operand> many(101, V(N(1)));
  EXPECT_TRUE(EvalError(c::Or(c::Eq(Path("n"), V(N(5))), c::Not(c::In(Path("n"), many))))
                  .IsInvalidArgument());
}

TEST(ConditionEval, ValidateConditionUsesExpressionNameInMessages) {
  Status s = ValidateCondition(c::AttributeTypeIs(Path("s"), N(1)), "FilterExpression");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message().rfind("Invalid FilterExpression: ", 0), 0u) << s.message();
}

TEST(ConditionEval, ConditionsAreComparableValues) {
  const Condition a =
      c::And(c::AttributeNotExists(Path("pk")), c::Not(c::Lt(c::Size(Path("l")), V(N(3)))));
  const Condition copy = a;
  EXPECT_EQ(a, copy);
  EXPECT_NE(a,
            c::And(c::AttributeNotExists(Path("pk")), c::Not(c::Lt(c::Size(Path("l")), V(N(4))))));
}

}  // namespace
}  // namespace eddy::engine::condition_eval_test
