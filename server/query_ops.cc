// Query and Scan: one engine page per request.
//
// The engine applies Limit to items read, the 1 MB page bound, the filter
// after both (as DynamoDB does) and the projection; this file compiles the
// expressions, enforces the request-level rules DynamoDB checks before
// reading (Select, Segment/TotalSegments, no key attributes in a Query
// filter) and renders Items / Count / ScannedCount / LastEvaluatedKey.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "server/attribute_json.h"
#include "server/expression_params.h"
#include "server/operation.h"
#include "server/request_params.h"

namespace eddy::server {
namespace {

// What both operations share, parsed.
struct PageParams {
  std::uint32_t limit = 0;
  std::optional<Item> exclusive_start_key;
  bool count_only = false;  // Select=COUNT
};

ApiResult<bool> ParseSelect(const JsonValue& req, bool has_projection) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> select, OptionalString(req, "Select"));
  if (!select) return false;
  if (*select == "COUNT") {
    if (has_projection) {
      return ApiError::Validation(
          "Cannot specify the ProjectionExpression when choosing to get only the COUNT");
    }
    return true;
  }
  if (*select == "ALL_ATTRIBUTES") {
    if (has_projection) {
      return ApiError::Validation(
          "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES");
    }
    return false;
  }
  if (*select == "SPECIFIC_ATTRIBUTES") {
    if (!has_projection) {
      return ApiError::Validation(
          "Must specify the ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
    }
    return false;
  }
  if (*select == "ALL_PROJECTED_ATTRIBUTES") {
    return ApiError::Validation(
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  return ConstraintViolation(*select, "select",
                             "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, "
                             "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
}

ApiResult<PageParams> ParsePage(const JsonValue& req, const KeySchema& schema,
                                bool has_projection) {
  PageParams p;
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> limit, OptionalInteger(req, "Limit"));
  if (limit) {
    if (*limit < 1) {
      return ConstraintViolation(std::to_string(*limit), "limit",
                                 "Member must have value greater than or equal to 1");
    }
    p.limit = static_cast<std::uint32_t>(std::min<std::int64_t>(*limit, UINT32_MAX));
  }
  if (const JsonValue* esk = FindMember(req, "ExclusiveStartKey")) {
    EDDY_API_ASSIGN_OR_RETURN(Item key, ItemFromJson(*esk));
    Status s = ValidateKey(key, schema);
    if (!s.ok())
      return ApiError::Validation("The provided starting key is invalid: " + s.message());
    p.exclusive_start_key = std::move(key);
  }
  EDDY_API_ASSIGN_OR_RETURN(std::optional<bool> consistent, OptionalBool(req, "ConsistentRead"));
  (void)consistent;  // every read is consistent
  EDDY_API_ASSIGN_OR_RETURN(p.count_only, ParseSelect(req, has_projection));
  return p;
}

void RenderPage(RequestContext& ctx, const QueryResult& result, bool count_only) {
  JsonAllocator& alloc = ctx.alloc();
  if (!count_only) {
    JsonValue items(rapidjson::kArrayType);
    for (const Item& item : result.items)
      items.PushBack(ItemToJson(item, alloc), alloc);
    ctx.response.AddMember("Items", items, alloc);
  }
  ctx.response.AddMember("Count", static_cast<std::uint64_t>(result.items.size()), alloc);
  ctx.response.AddMember("ScannedCount", result.scanned_count, alloc);
  if (result.last_evaluated_key) {
    ctx.response.AddMember("LastEvaluatedKey", ItemToJson(*result.last_evaluated_key, alloc),
                           alloc);
  }
}

}  // namespace

ApiStatus Query(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(
      req, {"IndexName", "QueryFilter", "AttributesToGet", "ConditionalOperator"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> key_text,
                            OptionalString(req, "KeyConditionExpression"));
  if (!key_text) {
    if (FindMember(req, "KeyConditions") != nullptr) {
      return ApiError::Validation(
          "Eddy does not support the parameter KeyConditions (see docs/api_compatibility.md)");
    }
    return ApiError::Validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  }
  EDDY_API_ASSIGN_OR_RETURN(std::optional<bool> forward, OptionalBool(req, "ScanIndexForward"));
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(req));
  ExpressionContext ec = in.Context();
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DescribeTable(table));
  // DynamoDB's order: filter, projection, key condition.
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Condition> filter,
                            OptionalCondition(ec, in, req, "FilterExpression"));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::vector<DocumentPath>> projection,
                            OptionalProjection(ec, in, req));
  in.used_expression = true;
  EDDY_API_ASSIGN_OR_RETURN(KeyCondition key, ec.ParseKeyCondition(*key_text, d.key_schema));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));
  if (filter) EDDY_API_RETURN_IF_ERROR(CheckFilterAvoidsKeys(*filter, d.key_schema));
  EDDY_API_ASSIGN_OR_RETURN(PageParams page, ParsePage(req, d.key_schema, projection.has_value()));

  QueryRequest q;
  q.table = std::move(table);
  q.partition_key = std::move(key.partition_key);
  q.sort_key = std::move(key.sort_key);
  q.forward = forward.value_or(true);
  q.limit = page.limit;
  q.exclusive_start_key = std::move(page.exclusive_start_key);
  q.filter = filter ? &*filter : nullptr;
  q.read.projection = projection ? &*projection : nullptr;
  EDDY_API_ASSIGN_OR_RETURN(QueryResult result, ctx.db.Query(q));
  RenderPage(ctx, result, page.count_only);
  return ApiStatus::Ok();
}

ApiStatus Scan(RequestContext& ctx) {
  const JsonValue& req = ctx.request;
  EDDY_API_RETURN_IF_ERROR(RejectUnsupported(
      req, {"IndexName", "ScanFilter", "AttributesToGet", "ConditionalOperator"}));
  EDDY_API_ASSIGN_OR_RETURN(std::string table, TableNameParam(req));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> segment, OptionalInteger(req, "Segment"));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::int64_t> total,
                            OptionalInteger(req, "TotalSegments"));
  if (segment && !total) {
    return ApiError::Validation(
        "The TotalSegments parameter is required but was not present in the request when "
        "Segment parameter is present");
  }
  if (total && !segment) {
    return ApiError::Validation(
        "The Segment parameter is required but was not present in the request when parameter "
        "TotalSegments is present");
  }
  if (total && (*total < 1 || *total > 1'000'000)) {
    return ConstraintViolation(std::to_string(*total), "totalSegments",
                               *total < 1 ? "Member must have value greater than or equal to 1"
                                          : "Member must have value less than or equal to 1000000");
  }
  if (segment && (*segment < 0 || *segment > 999'999)) {
    return ConstraintViolation(std::to_string(*segment), "segment",
                               *segment < 0
                                   ? "Member must have value greater than or equal to 0"
                                   : "Member must have value less than or equal to 999999");
  }
  if (segment && *segment >= *total) {
    return ApiError::Validation(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: " +
        std::to_string(*segment) + " is not less than TotalSegments: " + std::to_string(*total));
  }
  EDDY_API_ASSIGN_OR_RETURN(ExpressionInputs in, ParseExpressionInputs(req));
  ExpressionContext ec = in.Context();
  EDDY_API_ASSIGN_OR_RETURN(std::optional<Condition> filter,
                            OptionalCondition(ec, in, req, "FilterExpression"));
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::vector<DocumentPath>> projection,
                            OptionalProjection(ec, in, req));
  EDDY_API_RETURN_IF_ERROR(in.CheckAllUsed(ec));
  EDDY_API_ASSIGN_OR_RETURN(TableDescription d, ctx.db.DescribeTable(table));
  EDDY_API_ASSIGN_OR_RETURN(PageParams page, ParsePage(req, d.key_schema, projection.has_value()));

  ScanRequest s;
  s.table = std::move(table);
  s.limit = page.limit;
  s.exclusive_start_key = std::move(page.exclusive_start_key);
  s.segment = static_cast<std::uint32_t>(segment.value_or(0));
  s.total_segments = static_cast<std::uint32_t>(total.value_or(1));
  s.filter = filter ? &*filter : nullptr;
  s.read.projection = projection ? &*projection : nullptr;
  EDDY_API_ASSIGN_OR_RETURN(QueryResult result, ctx.db.Scan(s));
  RenderPage(ctx, result, page.count_only);
  return ApiStatus::Ok();
}

}  // namespace eddy::server
