// ConditionExpression / FilterExpression: golden ASTs, precedence, and every
// error class with DynamoDB's message.
#include <string>
#include <vector>

#include "expression/expression_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::server::condition_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders
namespace c = eddy::cond;

struct Golden {
  std::string text;
  Condition expected;
};

TEST_F(ExpressionTest, ConditionGoldenTable) {
  const Operand x = V(S("x"));
  const Operand one = V(N(1));
  const Operand five = V(N(5));
  const std::vector<Golden> table = {
      {"a = :v", c::Eq(Path("a"), x)},
      {"a <> :v", c::Ne(Path("a"), x)},
      {"a < :n", c::Lt(Path("a"), one)},
      {"a <= :n", c::Le(Path("a"), one)},
      {"a > :n", c::Gt(Path("a"), one)},
      {"a >= :n", c::Ge(Path("a"), one)},
      {":v = a", c::Eq(x, Path("a"))},
      {"a = b", c::Eq(Path("a"), Path("b"))},
      {"a.b[3].c = :v", c::Eq(Path("a").Member("b").Index(3).Member("c"), x)},
      {"a[0][1] = :v", c::Eq(Path("a").Index(0).Index(1), x)},
      {"#n = :v", c::Eq(Path("name"), x)},
      {"#d = :v", c::Eq(Path("a.b"), x)},
      {"#n.#d = :v", c::Eq(Path("name").Member("a.b"), x)},
      {"a . b [ 2 ] = :v", c::Eq(Path("a").Member("b").Index(2), x)},
      {"a BETWEEN :n AND :m", c::Between(Path("a"), one, five)},
      {"a IN (:v)", c::In(Path("a"), {x})},
      {"a IN (:v, :n, b)", c::In(Path("a"), {x, one, Path("b")})},
      {"attribute_exists(a)", c::AttributeExists(Path("a"))},
      {"attribute_not_exists(#n)", c::AttributeNotExists(Path("name"))},
      {"attribute_type(a, :t)", c::AttributeTypeIs(Path("a"), AttributeType::kS)},
      {"begins_with(a, :v)", c::BeginsWith(Path("a"), x)},
      {"contains(a, :v)", c::Contains(Path("a"), x)},
      {"contains(:v, a)", c::Contains(x, Path("a"))},
      {"size(a) > :n", c::Gt(c::Size(Path("a")), one)},
      {"size(a.b) BETWEEN :n AND :m", c::Between(c::Size(Path("a").Member("b")), one, five)},
      {"size(:p) = :n", c::Eq(V(N(2)), one)},  // folded: size of a literal
      {"(a) = :v", c::Eq(Path("a"), x)},
      {"a = (:v)", c::Eq(Path("a"), x)},
      {"(size(a)) > :n", c::Gt(c::Size(Path("a")), one)},
      {"(a = :v)", c::Eq(Path("a"), x)},
      {"\ta\n=\r:v ", c::Eq(Path("a"), x)},
      {"a = :v and b = :v", c::And(c::Eq(Path("a"), x), c::Eq(Path("b"), x))},
      {"a between :n and :m", c::Between(Path("a"), one, five)},
      {"a in (:v)", c::In(Path("a"), {x})},
      {"not a = :v", c::Not(c::Eq(Path("a"), x))},
      {"NOT attribute_exists(a)", c::Not(c::AttributeExists(Path("a")))},
      {"NOT NOT a = :v", c::Not(c::Not(c::Eq(Path("a"), x)))},
  };
  for (const Golden& g : table) {
    Result<Condition> r = Cond(g.text);
    ASSERT_TRUE(r.ok()) << g.text << ": " << r.status().ToString();
    EXPECT_TRUE(*r == g.expected) << g.text;
  }
}

TEST_F(ExpressionTest, AndChainIsOneNode) {
  const Operand x = V(S("x"));
  EXPECT_TRUE(*Cond("a = :v AND b = :v AND c = :v") ==
              c::And(c::Eq(Path("a"), x), c::Eq(Path("b"), x), c::Eq(Path("c"), x)));
}

TEST_F(ExpressionTest, AndBindsTighterThanOr) {
  const Operand x = V(S("x"));
  EXPECT_TRUE(*Cond("a = :v OR b = :v AND c = :v") ==
              c::Or(c::Eq(Path("a"), x), c::And(c::Eq(Path("b"), x), c::Eq(Path("c"), x))));
  EXPECT_TRUE(*Cond("a = :v AND b = :v OR c = :v") ==
              c::Or(c::And(c::Eq(Path("a"), x), c::Eq(Path("b"), x)), c::Eq(Path("c"), x)));
}

TEST_F(ExpressionTest, NotBindsTighterThanAnd) {
  const Operand x = V(S("x"));
  EXPECT_TRUE(*Cond("NOT a = :v AND b = :v") ==
              c::And(c::Not(c::Eq(Path("a"), x)), c::Eq(Path("b"), x)));
}

TEST_F(ExpressionTest, ParenthesesOverridePrecedence) {
  const Operand x = V(S("x"));
  EXPECT_TRUE(*Cond("(a = :v OR b = :v) AND c = :v") ==
              c::And(c::Or(c::Eq(Path("a"), x), c::Eq(Path("b"), x)), c::Eq(Path("c"), x)));
  EXPECT_TRUE(*Cond("NOT (a = :v AND b = :v)") ==
              c::Not(c::And(c::Eq(Path("a"), x), c::Eq(Path("b"), x))));
}

TEST_F(ExpressionTest, BetweenAndIsNotALogicalAnd) {
  const Operand one = V(N(1)), five = V(N(5));
  EXPECT_TRUE(*Cond("a BETWEEN :n AND :m AND b = :n") ==
              c::And(c::Between(Path("a"), one, five), c::Eq(Path("b"), one)));
}

TEST_F(ExpressionTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(CondError("a = :v aNd b = :v oR NoT c BeTwEeN :n aNd :m"), "OK");
}

// ---- Syntax errors

TEST_F(ExpressionTest, SyntaxErrorNamesTokenAndNeighbours) {
  EXPECT_EQ(CondError("a = :v :w"),
            "Invalid ConditionExpression: Syntax error; token: \":w\", near: \":v :w\"");
  EXPECT_EQ(CondError("a = = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\"");
}

TEST_F(ExpressionTest, SyntaxErrorAtEndIsEof) {
  EXPECT_EQ(CondError("a ="),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(CondError("contains (a, :v"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
}

TEST_F(ExpressionTest, BarePathIsNotACondition) {
  EXPECT_EQ(CondError("a"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
  EXPECT_EQ(CondError("a = :v AND b"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"b\"");
}

TEST_F(ExpressionTest, HyphenIsNotPartOfAName) {
  EXPECT_EQ(CondError("first-name = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"first-name\"");
}

TEST_F(ExpressionTest, NameMayNotStartWithUnderscoreOrDigit) {
  EXPECT_EQ(CondError("_a = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_a\"");
  EXPECT_EQ(CondError("1a = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"1a\"");
}

TEST_F(ExpressionTest, UnknownCharacterIsASyntaxError) {
  EXPECT_EQ(CondError("a = :v ! b"),
            "Invalid ConditionExpression: Syntax error; token: \"!\", near: \":v ! b\"");
  EXPECT_EQ(CondError("a = \xc3\xa9"),
            "Invalid ConditionExpression: Syntax error; token: \"\xc3\xa9\", near: \"= \xc3\xa9\"");
  EXPECT_EQ(CondError("a = :"),
            "Invalid ConditionExpression: Syntax error; token: \":\", near: \"= :\"");
}

TEST_F(ExpressionTest, ChainedComparisonIsASyntaxError) {
  EXPECT_EQ(CondError("a = b = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"b = :v\"");
}

TEST_F(ExpressionTest, NegativeOrFractionalIndexIsASyntaxError) {
  EXPECT_EQ(CondError("a[-1] = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"[-1\"");
  EXPECT_EQ(CondError("a[01] = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"01]\"");
}

TEST_F(ExpressionTest, FunctionWithoutArgumentsIsASyntaxError) {
  EXPECT_EQ(CondError("attribute_exists()"),
            "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
}

TEST_F(ExpressionTest, UnbalancedParenthesesReportTheFurthestError) {
  EXPECT_EQ(CondError("(a = :v"),
            "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
  EXPECT_EQ(CondError("(a = :v))"),
            "Invalid ConditionExpression: Syntax error; token: \")\", near: \"))\"");
}

TEST_F(ExpressionTest, RedundantParenthesesAreRejected) {
  const std::string msg = "Invalid ConditionExpression: The expression has redundant parentheses;";
  EXPECT_EQ(CondError("((a = :v))"), msg);
  EXPECT_EQ(CondError("((a)) = :v"), msg);
  EXPECT_EQ(CondError("a = ((:v))"), msg);
  EXPECT_EQ(CondError("((a = :v) AND (b = :v))"), "OK");
}

TEST_F(ExpressionTest, DeepNestingIsASyntaxErrorNotACrash) {
  std::string text;
  for (int i = 0; i < 150; ++i)
    text += "NOT (";
  text += "a = :v";
  for (int i = 0; i < 150; ++i)
    text += ")";
  EXPECT_NE(CondError(text).find("Syntax error"), std::string::npos);
  std::string ok;
  for (int i = 0; i < 40; ++i)
    ok += "NOT (";
  ok += "a = :v";
  for (int i = 0; i < 40; ++i)
    ok += ")";
  EXPECT_EQ(CondError(ok), "OK");
}

// ---- Functions

TEST_F(ExpressionTest, UnknownFunctionIsRejected) {
  EXPECT_EQ(CondError("foo(a)"),
            "Invalid ConditionExpression: Invalid function name; function: foo");
}

TEST_F(ExpressionTest, FunctionNamesAreCaseSensitive) {
  EXPECT_EQ(CondError("ATTRIBUTE_EXISTS(a)"),
            "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS");
  EXPECT_EQ(CondError("Size(a) > :n"),
            "Invalid ConditionExpression: Invalid function name; function: Size");
}

TEST_F(ExpressionTest, SizeIsOnlyAnOperand) {
  EXPECT_EQ(CondError("size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: size");
}

TEST_F(ExpressionTest, ConditionFunctionIsNotAnOperand) {
  EXPECT_EQ(CondError("attribute_exists(a) = :v"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: attribute_exists");
  EXPECT_EQ(CondError("size(begins_with(a, :v)) > :n"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            "expression; function: begins_with");
}

TEST_F(ExpressionTest, UpdateFunctionIsNotAllowedInACondition) {
  EXPECT_EQ(CondError("if_not_exists(a, :v) = :v"),
            "Invalid ConditionExpression: The function is not allowed in a condition expression; "
            "function: if_not_exists");
}

TEST_F(ExpressionTest, WrongArgumentCountIsRejected) {
  EXPECT_EQ(CondError("attribute_exists(a, b)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: attribute_exists, number of operands: 2");
  EXPECT_EQ(CondError("begins_with(a)"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
            "operator or function: begins_with, number of operands: 1");
}

TEST_F(ExpressionTest, ExistenceFunctionsNeedAPath) {
  EXPECT_EQ(CondError("attribute_exists(:v)"),
            "Invalid ConditionExpression: Operator or function requires a document path; operator "
            "or function: attribute_exists");
  EXPECT_EQ(CondError("attribute_type(:v, :t)"),
            "Invalid ConditionExpression: Operator or function requires a document path; operator "
            "or function: attribute_type");
}

TEST_F(ExpressionTest, AttributeTypeNeedsAStringTypeName) {
  EXPECT_EQ(CondError("attribute_type(a, :n)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: attribute_type, operand type: N");
  EXPECT_EQ(CondError("attribute_type(a, :bad)"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid "
            "types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
  EXPECT_NE(CondError("attribute_type(a, b)")
                .find("operator or function: attribute_type, operand "
                      "type: {"),
            std::string::npos);
}

TEST_F(ExpressionTest, BeginsWithNeedsStringOrBinaryLiterals) {
  EXPECT_EQ(CondError("begins_with(a, :n)"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
  EXPECT_EQ(CondError("begins_with(a, :bin)"), "OK");
}

TEST_F(ExpressionTest, SizeOfAScalarLiteralIsATypeError) {
  EXPECT_EQ(CondError("size(:n) > :n"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: size, operand type: N");
}

// ---- Operand types and shapes

TEST_F(ExpressionTest, OrderingNeedsScalarLiterals) {
  EXPECT_EQ(CondError("a < :l"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: <, operand type: L");
  EXPECT_EQ(CondError("a BETWEEN :n AND :bool"),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: BETWEEN, operand type: BOOL");
  EXPECT_EQ(CondError("a = :l"), "OK");
}

TEST_F(ExpressionTest, BetweenBoundsMustShareAType) {
  EXPECT_EQ(CondError("a BETWEEN :n AND :v"),
            "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower "
            "and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: "
            "AttributeValue: {S:x}");
}

TEST_F(ExpressionTest, BetweenBoundsMustBeOrdered) {
  EXPECT_EQ(CondError("a BETWEEN :m AND :n"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound "
            "operand: AttributeValue: {N:1}");
  EXPECT_EQ(CondError("a BETWEEN :w AND :v"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {S:y}, upper bound "
            "operand: AttributeValue: {S:x}");
  EXPECT_EQ(CondError("a BETWEEN :n AND :n"), "OK");
}

TEST_F(ExpressionTest, OperandsMustBeDistinct) {
  EXPECT_EQ(CondError("a = a"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: =, first operand: [a]");
  EXPECT_EQ(CondError("#n.b IN (:v, #n.b)"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: IN, first operand: [name, b]");
  EXPECT_EQ(CondError("begins_with(a, a)"),
            "Invalid ConditionExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: begins_with, first operand: [a]");
}

// ---- Names, placeholders, limits

TEST_F(ExpressionTest, ReservedWordNeedsAPlaceholder) {
  EXPECT_EQ(CondError("status = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
  EXPECT_EQ(CondError("a.Size = :v"),
            "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
            "Size");
  EXPECT_EQ(CondError("#s = :v"), "OK");
}

TEST_F(ExpressionTest, UndefinedNamePlaceholderIsRejected) {
  EXPECT_EQ(CondError("#x = :v"),
            "Invalid ConditionExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #x");
}

TEST_F(ExpressionTest, UndefinedValuePlaceholderIsRejected) {
  EXPECT_EQ(CondError("a = :x"),
            "Invalid ConditionExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :x");
}

TEST_F(ExpressionTest, MissingMapsMakeEveryPlaceholderUndefined) {
  ExpressionContext ctx(nullptr, nullptr);
  EXPECT_EQ(Error(ctx.ParseCondition("#n = :v", "FilterExpression")),
            "Invalid FilterExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #n");
  EXPECT_EQ(Error(ctx.ParseCondition("a = :v", "FilterExpression")),
            "Invalid FilterExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :v");
}

TEST_F(ExpressionTest, ListIndexMustFitAJavaInt) {
  EXPECT_EQ(CondError("a[2147483647] = :v"), "OK");
  EXPECT_EQ(CondError("a[2147483648] = :v"),
            "Invalid ConditionExpression: List index is not within the allowable range; index: "
            "[2147483648]");
  EXPECT_EQ(CondError("a[99999999999999999999999] = :v"),
            "Invalid ConditionExpression: List index is not within the allowable range; index: "
            "[99999999999999999999999]");
}

TEST_F(ExpressionTest, PathDepthIsLimitedTo32) {
  std::string ok = "a";
  for (int i = 1; i < 32; ++i)
    ok += ".b";
  EXPECT_EQ(CondError(ok + " = :v"), "OK");
  EXPECT_EQ(CondError(ok + "[0] = :v"),
            "Invalid ConditionExpression: The document path has too many nesting levels; nesting "
            "levels: 33");
}

TEST_F(ExpressionTest, InTakesAtMost100Operands) {
  std::string list = ":v";
  for (int i = 1; i < 100; ++i)
    list += ", :v";
  EXPECT_EQ(CondError("a IN (" + list + ")"), "OK");
  EXPECT_EQ(CondError("a IN (" + list + ", :v)"),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; "
            "number of operands: 101");
}

TEST_F(ExpressionTest, ExpressionIsLimitedTo4096Bytes) {
  std::string text = "a = :v";
  const std::string ok = text + std::string(4096 - text.size(), ' ');
  EXPECT_EQ(CondError(ok), "OK");
  EXPECT_EQ(CondError(ok + " "),
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 4097");
}

TEST_F(ExpressionTest, ExpressionIsLimitedTo300Operators) {
  std::string text = "a = :v";
  for (int i = 1; i < 150; ++i)
    text += " AND a = :v";  // 150 comparisons + 149 ANDs = 299
  EXPECT_EQ(CondError(text), "OK");
  text += " AND attribute_exists(b)";  // + AND + function = 301
  EXPECT_EQ(CondError(text),
            "Invalid ConditionExpression: The expression contains too many operators; operator "
            "count: 301");
}

TEST_F(ExpressionTest, EmptyExpressionIsRejected) {
  EXPECT_EQ(CondError(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(CondError(" \n"), "Invalid ConditionExpression: The expression can not be empty;");
}

TEST_F(ExpressionTest, MessagesNameTheExpressionKind) {
  ExpressionContext ctx(&names_, &values_);
  EXPECT_EQ(Error(ctx.ParseCondition("a =", "FilterExpression")),
            "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
}

}  // namespace
}  // namespace eddy::server::condition_test
