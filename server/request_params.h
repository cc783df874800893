// Reading request members the way DynamoDB validates them.
//
// - A member that is absent or JSON null is "not given" (botocore omits
//   unset members; other clients send null).
// - A member of the wrong JSON type is a SerializationException, as the
//   service's deserializer reports it.
// - A missing required member is DynamoDB's
//   "1 validation error detected: Value null at 'tableName' failed to
//    satisfy constraint: Member must not be null"
//   with the member's name in lowerCamelCase (`path` arguments below are
//   that path, for example "transactItems.1.member.put.tableName").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "eddy/db.h"
#include "eddy/item.h"
#include "server/errors.h"
#include "server/json.h"

namespace eddy::server {

const JsonValue* FindMember(const JsonValue& object, std::string_view name);

// "TableName" -> "tableName".
std::string ParamPath(std::string_view member);
ApiError MissingParam(std::string_view path);
// "1 validation error detected: Value '<value>' at '<path>' failed to
// satisfy constraint: <constraint>".
ApiError ConstraintViolation(std::string_view value, std::string_view path,
                             std::string_view constraint);

ApiResult<std::optional<std::string_view>> OptionalString(const JsonValue& obj,
                                                          std::string_view member);
ApiResult<std::string_view> RequiredString(const JsonValue& obj, std::string_view member,
                                           std::string_view path = {});
ApiResult<std::optional<bool>> OptionalBool(const JsonValue& obj, std::string_view member);
ApiResult<std::optional<std::int64_t>> OptionalInteger(const JsonValue& obj,
                                                       std::string_view member);
// nullptr when not given.
ApiResult<const JsonValue*> OptionalObject(const JsonValue& obj, std::string_view member);
ApiResult<const JsonValue*> OptionalArray(const JsonValue& obj, std::string_view member);

// TableName: required, DynamoDB's name rule.
ApiResult<std::string> TableNameParam(const JsonValue& obj, std::string_view path = "tableName");
// An attribute map member (Item, Key, ExclusiveStartKey): required.
ApiResult<Item> RequiredItem(const JsonValue& obj, std::string_view member,
                             std::string_view path = {});

// ReturnValues: one of NONE ALL_OLD UPDATED_OLD ALL_NEW UPDATED_NEW (the
// engine then rejects those an operation does not allow, with DynamoDB's
// message).
ApiResult<ReturnValues> ReturnValuesParam(const JsonValue& obj);
// ReturnValuesOnConditionCheckFailure: NONE or ALL_OLD; true for ALL_OLD.
ApiResult<bool> ReturnOnConditionFailureParam(const JsonValue& obj);

// Members Eddy does not implement (the legacy Expected / AttributeUpdates /
// KeyConditions ... API, secondary indexes): a ValidationException naming
// the member, rather than silently ignoring a request's meaning.
ApiStatus RejectUnsupported(const JsonValue& obj, std::initializer_list<std::string_view> members);

}  // namespace eddy::server
