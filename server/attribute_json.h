// DynamoDB JSON ↔ AttributeValue / Item: {"S":"x"}, {"N":"1"}, {"B":"<base64>"},
// {"BOOL":true}, {"NULL":true}, {"M":{...}}, {"L":[...]}, {"SS":[...]},
// {"NS":[...]}, {"BS":[...]}; an item (AttributeMap) is {"name": value, ...}.
//
// Errors (DynamoDB's split, facts doc §1.1 and §2.4):
//   - SerializationException: JSON of the wrong shape — a value that is not
//     an object, a type key holding the wrong JSON type ({"N": 3}), a set
//     element that is not a string, malformed base64, an unknown type key.
//   - ValidationException: well-formed JSON breaking a DynamoDB rule — no or
//     several type keys, empty or duplicate sets, bad numbers, NULL:false,
//     nesting deeper than 32 levels, duplicate map keys.
// Nesting is checked before recursing, so hostile input cannot exhaust the
// stack.
//
// Output uses Number's canonical text ("1.0" comes back as "1") and sets in
// the engine's sorted order (DynamoDB promises no set order).
#pragma once

#include <string_view>

#include "eddy/attribute_value.h"
#include "eddy/item.h"
#include "server/errors.h"
#include "server/json.h"

namespace eddy::server {

ApiResult<AttributeValue> AttributeValueFromJson(const JsonValue& json);
ApiResult<Item> ItemFromJson(const JsonValue& json);

JsonValue AttributeValueToJson(const AttributeValue& value, JsonAllocator& alloc);
JsonValue ItemToJson(const Item& item, JsonAllocator& alloc);

}  // namespace eddy::server
