// PutItem, GetItem, UpdateItem, DeleteItem: one engine call each.
//
// The expression strings are compiled before the engine is called, and every
// ExpressionAttributeNames/Values entry must have been used (DynamoDB checks
// this before touching the table). Which ReturnValues an operation allows is
// the engine's rule (Put/Delete: NONE and ALL_OLD).
#include <optional>
#include <string>
#include <vector>

#include "eddy/condition.h"
#include "eddy/update.h"
#include "server/attribute_json.h"
#include "server/expression_params.h"
#include "server/operation.h"
#include "server/request_params.h"

namespace eddy::server {

namespace {

// ConditionalCheckFailedException, with the current item when the request
// asked for ReturnValuesOnConditionCheckFailure=ALL_OLD.
ApiError ConditionFailed(const WriteOutcome& outcome) {
  ApiError e = ApiError::ConditionalCheckFailed();
  if (outcome.item_on_condition_failure) {
    e.extra = std::make_shared<JsonDocument>(rapidjson::kObjectType);
    JsonAllocator& alloc = e.extra->GetAllocator();
    e.extra->AddMember("Item", ItemToJson(*outcome.item_on_condition_failure, alloc), alloc);
  }
  return e;
}

// Runs one write and renders Attributes (ReturnValues) or the error.
ApiStatus RunWrite(RequestContext& ctx, const WriteOp& op) {
  WriteOutcome outcome;
  Status s = ctx.db.Write(op, &outcome);
  if (s.IsConditionFailed()) return ConditionFailed(outcome);
  EDDY_API_RETURN_IF_ERROR(s);
  if (outcome.attributes) {
    ctx.response.AddMember("Attributes", ItemToJson(*outcome.attributes, ctx.alloc()), ctx.alloc());
  }
  return ApiStatus::Ok();
}

}  // namespace

ApiStatus PutItem(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(req, {"Expected", "ConditionalOperator"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(Item item, RequiredItem(req, "Item"));
  EDDY_API_ASSIGN_OR_RETURN(ReturnValues rv, ReturnValuesParam(req));
  EDDY_API_ASSIGN_OR_RETURN(bool rv_failure, ReturnOnConditionFailureParam(req));
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(req));
  ExpressionContext ec = in.Context();
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Condition> condition,
                            OptionalCondition(ec, in, req, "ConditionExpression"));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));

  WriteOp op = WriteOp::Put(std::move(table), std::move(item));
  op.condition = condition ? &*condition : nullptr;
  op.return_values = rv;
  op.return_item_on_condition_failure = rv_failure;
  return RunWrite(ctx, op);
}

ApiStatus GetItem(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(req, {"AttributesToGet"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(Item key, RequiredItem(req, "Key"));
  // Every read is consistent; the flag is only type-checked.
  EDDY_API_ASSIGN_OR_RETURN(std::optional<bool> consistent, OptionalBool(req, "ConsistentRead"));
  (void)consistent;
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(req));
  ExpressionContext ec = in.Context();
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::vector<DocumentPath>> projection,
                            OptionalProjection(ec, in, req));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));

  ReadOptions options;
  options.projection = projection ? &*projection : nullptr;
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.db.Get(table, key, options));
  if (item) ctx.response.AddMember("Item", ItemToJson(*item, ctx.alloc()), ctx.alloc());
  return ApiStatus::Ok();
}

ApiStatus UpdateItem(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(
      RejectUnsupported(req, {"AttributeUpdates", "Expected", "ConditionalOperator"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(Item key, RequiredItem(req, "Key"));
  EDDY_API_ASSIGN_OR_RETURN(ReturnValues rv, ReturnValuesParam(req));
  EDDY_API_ASSIGN_OR_RETURN(bool rv_failure, ReturnOnConditionFailureParam(req));
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(req));
  ExpressionContext ec = in.Context();
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Update> update, OptionalUpdate(ec, in, req));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Condition> condition,
                            OptionalCondition(ec, in, req, "ConditionExpression"));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));

  WriteOp op = WriteOp::UpdateItem(std::move(table), std::move(key), update ? &*update : nullptr);
  op.condition = condition ? &*condition : nullptr;
  op.return_values = rv;
  op.return_item_on_condition_failure = rv_failure;
  return RunWrite(ctx, op);
}

ApiStatus DeleteItem(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(req, {"Expected", "ConditionalOperator"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(Item key, RequiredItem(req, "Key"));
  EDDY_API_ASSIGN_OR_RETURN(ReturnValues rv, ReturnValuesParam(req));
  EDDY_API_ASSIGN_OR_RETURN(bool rv_failure, ReturnOnConditionFailureParam(req));
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(req));
  ExpressionContext ec = in.Context();
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Condition> condition,
                            OptionalCondition(ec, in, req, "ConditionExpression"));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));

  WriteOp op = WriteOp::Delete(std::move(table), std::move(key));
  op.condition = condition ? &*condition : nullptr;
  op.return_values = rv;
  op.return_item_on_condition_failure = rv_failure;
  return RunWrite(ctx, op);
}

}  // namespace eddy::server
