#include "server/expression_params.h"

#include <string>

#include "server/attribute_json.h"
#include "server/request_params.h"

namespace eddy::server {

ApiStatus ExpressionInputs::CheckAllUsed(const ExpressionContext& ec) const {
  if (!used_expression) {
    if (has_names) {
      return ApiError::Validation(
          "ExpressionAttributeNames can only be specified when using expressions");
    }
    if (has_values) {
      return ApiError::Validation(
          "ExpressionAttributeValues can only be specified when using expressions");
    }
    return ApiStatus::Ok();
  }
  return ec.CheckAllUsed();
}

ApiResult<ExpressionInputs> ParseExpressionInputs(const JsonValue& obj) {
  ExpressionInputs in;
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* names,
                            OptionalObject(obj, "ExpressionAttributeNames"));
  EDDY_API_ASSIGN_OR_RETURN(const JsonValue* values,
                            OptionalObject(obj, "ExpressionAttributeValues"));
  if (names != nullptr) {
    in.has_names = true;
    for (const auto& m : names->GetObject()) {
      const std::string_view key = JsonStringView(m.name);
      if (!m.value.IsString()) return ApiError::Serialization("ExpressionAttributeNames");
      in.names.emplace(std::string(key), std::string(JsonStringView(m.value)));
    }
  }
  if (values != nullptr) {
    in.has_values = true;
    for (const auto& m : values->GetObject()) {
      const std::string_view key = JsonStringView(m.name);
      ApiResult<AttributeValue> v = AttributeValueFromJson(m.value);
      if (!v.ok()) {
        ApiError e = std::move(v).error();
        if (e.type == "ValidationException") {
          e.message = "ExpressionAttributeValues contains invalid value: " + e.message +
                      " for key " + std::string(key);
        }
        return e;
      }
      in.values.emplace(std::string(key), std::move(v).value());
    }
  }
  return in;
}

ApiResult<std::optional<Condition>> OptionalCondition(ExpressionContext& ec, ExpressionInputs& in,
                                                      const JsonValue& obj,
                                                      std::string_view member) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> text, OptionalString(obj, member));
  if (!text) return std::optional<Condition>();
  in.used_expression = true;
  EDDY_API_ASSIGN_OR_RETURN(Condition c, ec.ParseCondition(*text, member));
  return std::optional<Condition>(std::move(c));
}

ApiResult<std::optional<Update>> OptionalUpdate(ExpressionContext& ec, ExpressionInputs& in,
                                                const JsonValue& obj) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> text,
                            OptionalString(obj, "UpdateExpression"));
  if (!text) return std::optional<Update>();
  in.used_expression = true;
  EDDY_API_ASSIGN_OR_RETURN(Update u, ec.ParseUpdate(*text));
  return std::optional<Update>(std::move(u));
}

ApiResult<std::optional<std::vector<DocumentPath>>> OptionalProjection(ExpressionContext& ec,
                                                                       ExpressionInputs& in,
                                                                       const JsonValue& obj) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> text,
                            OptionalString(obj, "ProjectionExpression"));
  if (!text) return std::optional<std::vector<DocumentPath>>();
  in.used_expression = true;
  EDDY_API_ASSIGN_OR_RETURN(std::vector<DocumentPath> paths, ec.ParseProjection(*text));
  return std::optional<std::vector<DocumentPath>>(std::move(paths));
}

}  // namespace eddy::server
