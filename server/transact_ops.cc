// TransactWriteItems: all of Put / Update / Delete / ConditionCheck, or none.
//
// Each action carries its own ExpressionAttributeNames/Values, so each gets
// its own expression context; the compiled conditions and updates live in a
// list that outlives the engine call (WriteOp borrows them). When a
// condition fails the engine reports which action failed, and the response
// is DynamoDB's TransactionCanceledException with one CancellationReason per
// action, in request order ("None" for the others).
#include <memory>
#include <string>
#include <vector>

#include "server/attribute_json.h"
#include "server/expression_params.h"
#include "server/operation.h"
#include "server/request_params.h"

namespace eddy::server {
namespace {

constexpr std::size_t kMaxTransactItems = 100;

struct Action {
  std::optional<Condition> condition;
  std::optional<Update> update;
};

// One TransactItems entry -> a WriteOp; `action` holds what the op borrows.
ApiResult<WriteOp> ParseAction(const JsonValue& entry, std::size_t index, Action* action) {
  if (!entry.IsObject()) return ApiError::Serialization("TransactWriteItem");
  static constexpr std::string_view kKinds[] = {"Put", "Update", "Delete", "ConditionCheck"};
  const JsonValue* body = nullptr;
  std::string_view kind;
  for (std::string_view k : kKinds) {
    if (const JsonValue* v = FindMember(entry, k)) {
      if (body != nullptr) {
        return ApiError::Validation(
            "TransactItems can only contain one of Check, Put, Update or Delete");
      }
      body = v;
      kind = k;
    }
  }
  if (body == nullptr) {
    return ApiError::Validation(
        "TransactItems can only contain one of Check, Put, Update or Delete");
  }
  if (!body->IsObject()) return ApiError::Serialization(std::string(kind));
  const std::string path = "transactItems." + std::to_string(index + 1) + ".member." +
                           ParamPath(kind == "ConditionCheck" ? "conditionCheck" : kind) + ".";
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(*body, path + "tableName"));
  EDDY_API_ASSIGN_OR_RETURN(bool rv_failure, ReturnOnConditionFailureParam(*body));
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(*body));
  ExpressionContext ec = in.Context();
  if (kind == "Update") {
    EDDY_API_ASSIGN_OR_RETURN(action->update, OptionalUpdate(ec, in, *body));
    if (!action->update) return MissingParam(path + "updateExpression");
  }
  EDDY_API_ASSIGN_OR_RETURN(action->condition,
                            OptionalCondition(ec, in, *body, "ConditionExpression"));
  if (kind == "ConditionCheck" && !action->condition) {
    return MissingParam(path + "conditionExpression");
  }
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));

  WriteOp op = WriteOp::Delete("", Item());
  if (kind == "Put") {
    EDDY_API_ASSIGN_OR_RETURN(Item item, RequiredItem(*body, "Item", path + "item"));
    op = WriteOp::Put(std::move(table), std::move(item));
  } else {
    EDDY_API_ASSIGN_OR_RETURN(Item key, RequiredItem(*body, "Key", path + "key"));
    if (kind == "Update") {
      op = WriteOp::UpdateItem(std::move(table), std::move(key), &*action->update);
    } else if (kind == "Delete") {
      op = WriteOp::Delete(std::move(table), std::move(key));
    } else {
      op = WriteOp::ConditionCheck(std::move(table), std::move(key), &*action->condition);
    }
  }
  op.condition = action->condition ? &*action->condition : nullptr;
  op.return_item_on_condition_failure = rv_failure;
  return op;
}

ApiError Cancelled(const std::vector<WriteOutcome>& outcomes) {
  ApiError e;
  e.type = "TransactionCanceledException";
  e.capitalized_message = true;
  e.extra = std::make_shared<JsonDocument>(rapidjson::kObjectType);
  JsonAllocator& alloc = e.extra->GetAllocator();
  JsonValue reasons(rapidjson::kArrayType);
  std::string codes;
  for (const WriteOutcome& o : outcomes) {
    JsonValue reason(rapidjson::kObjectType);
    const bool failed = o.status.IsConditionFailed();
    const std::string_view code = failed ? "ConditionalCheckFailed" : "None";
    reason.AddMember("Code", JsonString(code, alloc), alloc);
    if (failed) {
      reason.AddMember("Message", "The conditional request failed", alloc);
      if (o.item_on_condition_failure) {
        reason.AddMember("Item", ItemToJson(*o.item_on_condition_failure, alloc), alloc);
      }
    }
    reasons.PushBack(reason, alloc);
    codes += (codes.empty() ? "" : ", ") + std::string(code);
  }
  e.extra->AddMember("CancellationReasons", reasons, alloc);
  e.message = "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
              codes + "]";
  return e;
}

}  // namespace

ApiStatus TransactWriteItems(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* items, OptionalArray(req, "TransactItems"));
  if (items == nullptr) return MissingParam("transactItems");
  if (items->Empty() || items->Size() > kMaxTransactItems) {
    return ConstraintViolation(std::to_string(items->Size()) + " items", "transactItems",
                               items->Empty()
                                   ? "Member must have length greater than or equal to 1"
                                   : "Member must have length less than or equal to 100");
  }
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> token,
                            OptionalString(req, "ClientRequestToken"));
  if (token && (token->empty() || token->size() > 36)) {
    return ConstraintViolation(*token, "clientRequestToken",
                               "Member must have length less than or equal to 36");
  }
  std::vector<std::unique_ptr<Action>> actions;
  std::vector<WriteOp> ops;
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    actions.push_back(std::make_unique<Action>());
    EDDY_API_ASSIGN_OR_RETURN(WriteOp op, ParseAction((*items)[i], i, actions.back().get()));
    ops.push_back(std::move(op));
  }
  std::vector<WriteOutcome> outcomes;
  Status s = ctx.db.Transact(ops, &outcomes);
  if (s.IsConditionFailed()) return Cancelled(outcomes);
  EDDY_API_RETURN_IF_ERROR(s);
  return ApiStatus::Ok();
}

}  // namespace eddy::server
