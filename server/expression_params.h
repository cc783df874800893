// The expression members of a request: ExpressionAttributeNames/Values and
// the expression strings, compiled by server/expression/.
//
// Usage (one per request, or per TransactItems entry):
//   EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(obj));
//   ExpressionContext ec = in.Context();
//   ... OptionalCondition(ec, obj, "ConditionExpression") ...
//   EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));
// `in` must outlive `ec` (the context borrows the maps).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "eddy/condition.h"
#include "eddy/document_path.h"
#include "eddy/update.h"
#include "server/errors.h"
#include "server/expression/expression_compiler.h"
#include "server/json.h"

namespace eddy::server {

struct ExpressionInputs {
  AttributeNames names;
  AttributeValues values;
  bool has_names = false;
  bool has_values = false;
  bool used_expression = false;  // set by the Optional* helpers below

  ExpressionContext Context() const {
    return ExpressionContext(has_names ? &names : nullptr, has_values ? &values : nullptr);
  }
  // DynamoDB's "unused in expressions" errors, and "can only be specified
  // when using expressions" when the request had no expression at all.
  ApiStatus CheckAllUsed(const ExpressionContext& ec) const;
};

// Errors: SerializationException for non-string names / malformed values.
// The maps' keys are checked by the compiler (ExpressionContext::CheckMaps).
ApiResult<ExpressionInputs> ParseExpressionInputs(const JsonValue& obj);

// Each parses `member` when present; `in` records that an expression was used.
ApiResult<std::optional<Condition>> OptionalCondition(ExpressionContext& ec, ExpressionInputs& in,
                                                      const JsonValue& obj,
                                                      std::string_view member);
ApiResult<std::optional<Update>> OptionalUpdate(ExpressionContext& ec, ExpressionInputs& in,
                                                const JsonValue& obj);
ApiResult<std::optional<std::vector<DocumentPath>>> OptionalProjection(ExpressionContext& ec,
                                                                       ExpressionInputs& in,
                                                                       const JsonValue& obj);

}  // namespace eddy::server
