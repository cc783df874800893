// BatchWriteItem and BatchGetItem.
//
// Every request is processed in full: UnprocessedItems / UnprocessedKeys are
// always {} (Eddy does not throttle). A batch write validates every entry
// before writing any (the engine's WriteBatch), then applies each put or
// delete on its own, as DynamoDB does. A batch get reads each key with Get;
// duplicates are rejected before any read.
#include <algorithm>
#include <string>
#include <vector>

#include "server/attribute_json.h"
#include "server/expression_params.h"
#include "server/operation.h"
#include "server/request_params.h"

namespace eddy::server {
namespace {

constexpr std::size_t kMaxBatchWrites = 25;
constexpr std::size_t kMaxBatchGets = 100;

ApiResult<const JsonValue*> RequestItems(const JsonValue& req) {
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* items, OptionalObject(req, "RequestItems"));
  if (items == nullptr) return MissingParam("requestItems");
  if (items->ObjectEmpty()) {
    return ConstraintViolation("{}", "requestItems",
                               "Member must have length greater than or equal to 1");
  }
  return items;
}

}  // namespace

ApiStatus BatchWriteItem(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* items, RequestItems(ctx.request));
  std::vector<WriteOp> ops;
  for (const auto& [name_json, requests] : items->GetObject()) {
    const std::string table(JsonStringView(name_json));
    EDDY_API_RETURN_IF_ERROR(ValidateTableName(table));
    if (!requests.IsArray()) return ApiError::Serialization("RequestItems");
    if (requests.Empty()) {
      return ConstraintViolation("[]", "requestItems." + table + ".member",
                                 "Member must have length greater than or equal to 1");
    }
    for (const JsonValue& request : requests.GetArray()) {
      if (!request.IsObject()) return ApiError::Serialization("WriteRequest");
      const JsonValue* put = FindMember(request, "PutRequest");
      const JsonValue* del = FindMember(request, "DeleteRequest");
      if ((put == nullptr) == (del == nullptr)) {
        return ApiError::Validation(
            "Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest");
      }
      if (put != nullptr) {
        EDDY_API_ASSIGN_OR_RETURN(Item item, RequiredItem(*put, "Item"));
        ops.push_back(WriteOp::Put(table, std::move(item)));
      } else {
        EDDY_API_ASSIGN_OR_RETURN(Item key, RequiredItem(*del, "Key"));
        ops.push_back(WriteOp::Delete(table, std::move(key)));
      }
      if (ops.size() > kMaxBatchWrites) {
        return ApiError::Validation("Too many items requested for the BatchWriteItem call");
      }
    }
  }
  std::vector<WriteOutcome> outcomes;
  EDDY_API_RETURN_IF_ERROR(ctx.db.WriteBatch(ops, &outcomes));
  for (const WriteOutcome& o : outcomes)
    EDDY_API_RETURN_IF_ERROR(o.status);
  ctx.response.AddMember("UnprocessedItems", JsonValue(rapidjson::kObjectType), ctx.alloc());
  return ApiStatus::Ok();
}

namespace {

// One table's part of a BatchGetItem, parsed and validated.
struct TableGets {
  std::string table;
  std::vector<Item> keys;
  std::optional<std::vector<DocumentPath>> projection;
};

ApiResult<TableGets> ParseTableGets(RequestContext& ctx, std::string table, const JsonValue& spec) {
  if (!spec.IsObject()) return ApiError::Serialization("KeysAndAttributes");
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(spec, {"AttributesToGet"}));
  EDDY_API_RETURN_IF_ERROR(ValidateTableName(table));
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* keys, OptionalArray(spec, "Keys"));
  if (keys == nullptr) return MissingParam("requestItems." + table + ".member.keys");
  if (keys->Empty()) {
    return ConstraintViolation("[]", "requestItems." + table + ".member.keys",
                               "Member must have length greater than or equal to 1");
  }
  EDDY_API_ASSIGN_OR_RETURN(std::optional<bool> consistent, OptionalBool(spec, "ConsistentRead"));
  (void)consistent;  // every read is consistent
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(spec));
  ExpressionContext ec = in.Context();
  TableGets out;
  EDDY_API_ASSIGN_OR_RETURN(out.projection, OptionalProjection(ec, in, spec));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));

  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DescribeTable(table));
  std::vector<std::string> encoded;
  for (const JsonValue& k : keys->GetArray()) {
    EDDY_API_ASSIGN_OR_RETURN(Item key, ItemFromJson(k));
    EDDY_API_RETURN_IF_ERROR(ValidateKey(key, d.key_schema));
    std::string e;
    EDDY_API_RETURN_IF_ERROR(EncodeKey(key, d.key_schema, &e));
    encoded.push_back(std::move(e));
    out.keys.push_back(std::move(key));
  }
  std::sort(encoded.begin(), encoded.end());
  if (std::adjacent_find(encoded.begin(), encoded.end()) != encoded.end()) {
    return ApiError::Validation("Provided list of item keys contains duplicates");
  }
  out.table = std::move(table);
  return out;
}

}  // namespace

ApiStatus BatchGetItem(RequestContext& ctx) {
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* items, RequestItems(ctx.request));
  std::size_t total = 0;
  for (const auto& m : items->GetObject()) {
    const JsonValue* keys = FindMember(m.value, "Keys");
    if (keys != nullptr && keys->IsArray()) total += keys->Size();
  }
  if (total > kMaxBatchGets) {
    return ApiError::Validation("Too many items requested for the BatchGetItem call");
  }
  std::vector<TableGets> gets;
  for (const auto& m : items->GetObject()) {
    EDDY_API_ASSIGN_OR_RETURN(TableGets g,
                              ParseTableGets(ctx, std::string(JsonStringView(m.name)), m.value));
    gets.push_back(std::move(g));
  }
  JsonAllocator& alloc = ctx.alloc();
  JsonValue responses(rapidjson::kObjectType);
  for (const TableGets& g : gets) {
    ReadOptions options;
    options.projection = g.projection ? &*g.projection : nullptr;
    JsonValue found(rapidjson::kArrayType);
    for (const Item& key : g.keys) {
      EDDY_API_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.db.Get(g.table, key, options));
      if (item) found.PushBack(ItemToJson(*item, alloc), alloc);
    }
    responses.AddMember(JsonString(g.table, alloc), found, alloc);
  }
  ctx.response.AddMember("Responses", responses, alloc);
  ctx.response.AddMember("UnprocessedKeys", JsonValue(rapidjson::kObjectType), alloc);
  return ApiStatus::Ok();
}

}  // namespace eddy::server
