// UpdateExpression: golden ASTs for every clause and operand form, and the
// update-specific errors.
#include <string>
#include <vector>

#include "expression/expression_test_util.h"

// The file's own namespace: the unity build compiles the files of a test
// folder as one translation unit, where anonymous namespaces are shared.
namespace eddy::server::update_test {
namespace {

using namespace eddy::testing;  // NOLINT: value builders
namespace u = eddy::upd;

struct Golden {
  std::string text;
  Update expected;
};

TEST_F(ExpressionTest, UpdateGoldenTable) {
  const std::vector<Golden> table = {
      {"SET a = :v", Update{u::Set(Path("a"), S("x"))}},
      {"SET a = b", Update{u::Set(Path("a"), Path("b"))}},
      {"SET #n = :v", Update{u::Set(Path("name"), S("x"))}},
      {"SET a.b[2] = :v", Update{u::Set(Path("a").Member("b").Index(2), S("x"))}},
      {"SET a = :n + :m", Update{u::Set(Path("a"), u::Plus(N(1), N(5)))}},
      {"SET a = a - :n", Update{u::Set(Path("a"), u::Minus(Path("a"), N(1)))}},
      {"SET a = (:n + :m)", Update{u::Set(Path("a"), u::Plus(N(1), N(5)))}},
      {"SET a = (b)", Update{u::Set(Path("a"), Path("b"))}},
      {"SET a = if_not_exists(a, :n)", Update{u::Set(Path("a"), u::IfNotExists(Path("a"), N(1)))}},
      {"SET l = list_append(l, :l)",
       Update{u::Set(Path("l"), u::ListAppend(Path("l"), L({N(1)})))}},
      {"SET l = list_append(:l, l)",
       Update{u::Set(Path("l"), u::ListAppend(L({N(1)}), Path("l")))}},
      {"SET a = if_not_exists(b, :n) + :m",
       Update{u::Set(Path("a"), u::Plus(u::IfNotExists(Path("b"), N(1)), N(5)))}},
      {"SET l = list_append(if_not_exists(l, :l), :l)",
       Update{u::Set(Path("l"), u::ListAppend(u::IfNotExists(Path("l"), L({N(1)})), L({N(1)})))}},
      {"SET a = :v, b = :w", Update{u::Set(Path("a"), S("x")), u::Set(Path("b"), S("y"))}},
      {"REMOVE a", Update{u::Remove(Path("a"))}},
      {"REMOVE a, b.c[2]", Update{u::Remove(Path("a")), u::Remove(Path("b").Member("c").Index(2))}},
      {"ADD n :n", Update{u::Add(Path("n"), N(1))}},
      {"ADD n :n, s :ss", Update{u::Add(Path("n"), N(1)), u::Add(Path("s"), SS({"a", "b"}))}},
      {"DELETE s :ss", Update{u::Delete(Path("s"), SS({"a", "b"}))}},
      {"SET a = :v REMOVE b ADD n :n DELETE s :ns",
       Update{u::Set(Path("a"), S("x")), u::Remove(Path("b")), u::Add(Path("n"), N(1)),
              u::Delete(Path("s"), NS({1}))}},
      {"delete s :ns add n :n remove b set a = :v",
       Update{u::Delete(Path("s"), NS({1})), u::Add(Path("n"), N(1)), u::Remove(Path("b")),
              u::Set(Path("a"), S("x"))}},
  };
  for (const Golden& g : table) {
    Result<Update> r = Upd(g.text);
    ASSERT_TRUE(r.ok()) << g.text << ": " << r.status().ToString();
    EXPECT_TRUE(*r == g.expected) << g.text;
  }
}

TEST_F(ExpressionTest, UpdateSectionMayAppearOnce) {
  EXPECT_EQ(UpdError("SET a = :v SET b = :v"),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update "
            "expression;");
  EXPECT_EQ(UpdError("REMOVE a ADD n :n REMOVE b"),
            "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update "
            "expression;");
}

TEST_F(ExpressionTest, UpdatePathsMayNotOverlap) {
  EXPECT_EQ(UpdError("SET a = :v REMOVE a.b"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [a], path two: [a, b]");
  EXPECT_EQ(UpdError("SET a = :v, #n = :v, #n.b = :w"),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
            "rewrite one of these paths; path one: [name], path two: [name, b]");
}

TEST_F(ExpressionTest, UpdatePathsMayNotConflict) {
  EXPECT_EQ(UpdError("SET a.b = :v, a[0] = :v"),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove "
            "or rewrite one of these paths; path one: [a, b], path two: [a, [0]]");
}

TEST_F(ExpressionTest, UpdateRejectsConditionFunctions) {
  EXPECT_EQ(UpdError("SET a = size(b)"),
            "Invalid UpdateExpression: The function is not allowed in an update expression; "
            "function: size");
  EXPECT_EQ(UpdError("SET a = foo(b)"),
            "Invalid UpdateExpression: Invalid function name; function: foo");
}

TEST_F(ExpressionTest, UpdateFunctionArityIsChecked) {
  EXPECT_EQ(UpdError("SET a = list_append(:l)"),
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
            "operator or function: list_append, number of operands: 1");
}

TEST_F(ExpressionTest, IfNotExistsNeedsAPath) {
  EXPECT_EQ(UpdError("SET a = if_not_exists(:v, :n)"),
            "Invalid UpdateExpression: Operator or function requires a document path; operator or "
            "function: if_not_exists");
  EXPECT_EQ(UpdError("SET a = if_not_exists(b, b)"),
            "Invalid UpdateExpression: The first operand must be distinct from the remaining "
            "operands for this operator or function; operator: if_not_exists, first operand: [b]");
}

TEST_F(ExpressionTest, ArithmeticNeedsNumberLiterals) {
  EXPECT_EQ(UpdError("SET a = :v + :n"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: +, operand type: S");
  EXPECT_EQ(UpdError("SET a = if_not_exists(a, :l) - :n"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: -, operand type: L");
}

TEST_F(ExpressionTest, ListAppendNeedsListLiterals) {
  EXPECT_EQ(UpdError("SET a = list_append(:n, a)"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator "
            "or function: list_append, operand type: N");
}

TEST_F(ExpressionTest, AddNeedsANumberOrSet) {
  EXPECT_EQ(UpdError("ADD a :v"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
  EXPECT_EQ(UpdError("ADD a :ns"), "OK");
}

TEST_F(ExpressionTest, DeleteNeedsASet) {
  EXPECT_EQ(UpdError("DELETE a :n"),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
            "DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND");
}

TEST_F(ExpressionTest, AddAndDeleteTakeOnlyAValuePlaceholder) {
  EXPECT_EQ(UpdError("ADD a b"),
            "Invalid UpdateExpression: Syntax error; token: \"b\", near: \"a b\"");
}

TEST_F(ExpressionTest, SetValueHasAtMostOneOperator) {
  EXPECT_EQ(UpdError("SET a = b + c + d"),
            "Invalid UpdateExpression: Syntax error; token: \"+\", near: \"c + d\"");
  EXPECT_EQ(UpdError("SET a = b * c"),
            "Invalid UpdateExpression: Syntax error; token: \"*\", near: \"b * c\"");
}

TEST_F(ExpressionTest, ClauseKeywordWithoutActionsIsASyntaxError) {
  EXPECT_EQ(UpdError("SET"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\"");
  EXPECT_EQ(UpdError("SET a = :v,"),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \",\"");
  EXPECT_EQ(UpdError("a = :v"),
            "Invalid UpdateExpression: Syntax error; token: \"a\", near: \"a =\"");
}

TEST_F(ExpressionTest, UpdateReportsTheLastActionsPlaceholderFirst) {
  EXPECT_EQ(UpdError("SET a = :x, b = :y"),
            "Invalid UpdateExpression: An expression attribute value used in expression is not "
            "defined; attribute value: :y");
  // Names are checked before values, across all actions.
  EXPECT_EQ(UpdError("SET a = :x, b = #y"),
            "Invalid UpdateExpression: An expression attribute name used in the document path is "
            "not defined; attribute name: #y");
}

TEST_F(ExpressionTest, UpdateReservedWordNeedsAPlaceholder) {
  EXPECT_EQ(UpdError("SET a = :v REMOVE status"),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
            "status");
}

TEST_F(ExpressionTest, UpdateIsLimitedTo300Operators) {
  std::string text = "SET a0=:n+:n";
  for (int i = 1; i < 300; ++i)
    text += ",a" + std::to_string(i) + "=:n+:n";  // 300 operators in 3.3 KB
  EXPECT_EQ(UpdError(text), "OK");
  text += ",z=list_append(:l,:l)";
  EXPECT_EQ(UpdError(text),
            "Invalid UpdateExpression: The expression contains too many operators; operator "
            "count: 301");
}

TEST_F(ExpressionTest, EmptyUpdateIsRejected) {
  EXPECT_EQ(UpdError(""), "Invalid UpdateExpression: The expression can not be empty;");
}

}  // namespace
}  // namespace eddy::server::update_test
