// Shared fixture for the expression compiler tests: a request's placeholder
// maps and one-line wrappers that return either the AST or the error text.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "eddy/condition.h"
#include "eddy/update.h"
#include "server/expression/expression_compiler.h"
#include "support/values.h"

namespace eddy::server {

class ExpressionTest : public ::testing::Test {
 protected:
  ExpressionTest() {
    using namespace eddy::testing;  // NOLINT: value builders
    names_ = {{"#n", "name"}, {"#d", "a.b"}, {"#s", "status"}, {"#pk", "pk"}};
    values_ = {{":v", S("x")},
               {":w", S("y")},
               {":n", N(1)},
               {":m", N(5)},
               {":t", S("S")},
               {":bad", S("X")},
               {":l", L({N(1)})},
               {":ss", SS({"a", "b"})},
               {":ns", NS({1})},
               {":p", S("ab")},
               {":bin", B("\x01\x02")},
               {":bool", AttributeValue::Bool(true)},
               {":map", M({{"k", N(1)}})}};
  }

  Result<Condition> Cond(std::string_view text) {
    ExpressionContext ctx(&names_, &values_);
    return ctx.ParseCondition(text, "ConditionExpression");
  }
  Result<Update> Upd(std::string_view text) {
    ExpressionContext ctx(&names_, &values_);
    return ctx.ParseUpdate(text);
  }
  Result<std::vector<DocumentPath>> Proj(std::string_view text) {
    ExpressionContext ctx(&names_, &values_);
    return ctx.ParseProjection(text);
  }
  Result<KeyCondition> Key(std::string_view text, const KeySchema& schema) {
    ExpressionContext ctx(&names_, &values_);
    return ctx.ParseKeyCondition(text, schema);
  }

  // The error message, or "OK" when the parse succeeded.
  template <typename T>
  static std::string Error(const Result<T>& r) {
    if (r.ok()) return "OK";
    EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
    return r.status().message();
  }
  std::string CondError(std::string_view text) { return Error(Cond(text)); }
  std::string UpdError(std::string_view text) { return Error(Upd(text)); }
  std::string ProjError(std::string_view text) { return Error(Proj(text)); }
  std::string KeyError(std::string_view text, const KeySchema& schema) {
    return Error(Key(text, schema));
  }

  static Operand V(AttributeValue v) { return cond::Value(std::move(v)); }

  AttributeNames names_;
  AttributeValues values_;
};

}  // namespace eddy::server
