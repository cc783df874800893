#include "server/request_params.h"

#include "server/attribute_json.h"

namespace eddy::server {
namespace {

ApiError WrongType(std::string_view member) {
  return ApiError::Serialization("Unexpected JSON type for member " + std::string(member));
}

}  // namespace

const JsonValue* FindMember(const JsonValue& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(
      JsonValue(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::string ParamPath(std::string_view member) {
  std::string out(member);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z')
    out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

ApiError MissingParam(std::string_view path) {
  return ApiError::Validation("1 validation error detected: Value null at '" + std::string(path) +
                              "' failed to satisfy constraint: Member must not be null");
}

ApiError ConstraintViolation(std::string_view value, std::string_view path,
                             std::string_view constraint) {
  return ApiError::Validation("1 validation error detected: Value '" + std::string(value) +
                              "' at '" + std::string(path) +
                              "' failed to satisfy constraint: " + std::string(constraint));
}

ApiResult<std::optional<std::string_view>> OptionalString(const JsonValue& obj,
                                                          std::string_view member) {
  const JsonValue* v = FindMember(obj, member);
  if (v == nullptr) return std::optional<std::string_view>();
  if (!v->IsString()) return WrongType(member);
  return std::optional<std::string_view>(JsonStringView(*v));
}

ApiResult<std::string_view> RequiredString(const JsonValue& obj, std::string_view member,
                                           std::string_view path) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> s, OptionalString(obj, member));
  if (!s) return MissingParam(path.empty() ? ParamPath(member) : std::string(path));
  return *s;
}

ApiResult<std::optional<bool>> OptionalBool(const JsonValue& obj, std::string_view member) {
  const JsonValue* v = FindMember(obj, member);
  if (v == nullptr) return std::optional<bool>();
  if (!v->IsBool()) return WrongType(member);
  return std::optional<bool>(v->GetBool());
}

ApiResult<std::optional<std::int64_t>> OptionalInteger(const JsonValue& obj,
                                                       std::string_view member) {
  const JsonValue* v = FindMember(obj, member);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (!v->IsInt64()) return WrongType(member);
  return std::optional<std::int64_t>(v->GetInt64());
}

ApiResult<const JsonValue*> OptionalObject(const JsonValue& obj, std::string_view member) {
  const JsonValue* v = FindMember(obj, member);
  if (v != nullptr && !v->IsObject()) return WrongType(member);
  return v;
}

ApiResult<const JsonValue*> OptionalArray(const JsonValue& obj, std::string_view member) {
  const JsonValue* v = FindMember(obj, member);
  if (v != nullptr && !v->IsArray()) return WrongType(member);
  return v;
}

ApiResult<std::string> TableNameParam(const JsonValue& obj, std::string_view path) {
  EDDY_API_ASSIGN_OR_RETURN(std::string_view name, RequiredString(obj, "TableName", path));
  EDDY_API_RETURN_IF_ERROR(ValidateTableName(name));
  return std::string(name);
}

ApiResult<Item> RequiredItem(const JsonValue& obj, std::string_view member, std::string_view path) {
  const JsonValue* v = FindMember(obj, member);
  if (v == nullptr) return MissingParam(path.empty() ? ParamPath(member) : std::string(path));
  return ItemFromJson(*v);
}

ApiResult<ReturnValues> ReturnValuesParam(const JsonValue& obj) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> s, OptionalString(obj, "ReturnValues"));
  if (!s || *s == "NONE") return ReturnValues::kNone;
  if (*s == "ALL_OLD") return ReturnValues::kAllOld;
  if (*s == "UPDATED_OLD") return ReturnValues::kUpdatedOld;
  if (*s == "ALL_NEW") return ReturnValues::kAllNew;
  if (*s == "UPDATED_NEW") return ReturnValues::kUpdatedNew;
  return ConstraintViolation(
      *s, "returnValues",
      "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
}

ApiResult<bool> ReturnOnConditionFailureParam(const JsonValue& obj) {
  EDDY_API_ASSIGN_OR_RETURN(std::optional<std::string_view> s,
                            OptionalString(obj, "ReturnValuesOnConditionCheckFailure"));
  if (!s || *s == "NONE") return false;
  if (*s == "ALL_OLD") return true;
  return ConstraintViolation(*s, "returnValuesOnConditionCheckFailure",
                             "Member must satisfy enum value set: [ALL_OLD, NONE]");
}

ApiStatus RejectUnsupported(const JsonValue& obj, std::initializer_list<std::string_view> members) {
  for (std::string_view m : members) {
    if (FindMember(obj, m) != nullptr) {
      return ApiError::Validation("Eddy does not support the parameter " + std::string(m) +
                                  " (see docs/api_compatibility.md)");
    }
  }
  return ApiStatus::Ok();
}

}  // namespace eddy::server
