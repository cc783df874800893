#include "server/attribute_json.h"

#include <string>
#include <utility>
#include <vector>

#include "server/base64.h"

namespace eddy::server {
namespace {

constexpr std::string_view kNestingTooDeep =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";

ApiError WrongShape(std::string_view what) {
  return ApiError::Serialization(std::string("Unexpected value type for ") + std::string(what));
}

ApiResult<AttributeValue> FromJson(const JsonValue& json, int depth);

ApiResult<std::vector<std::string>> StringList(const JsonValue& json, std::string_view type,
                                               bool base64) {
  if (!json.IsArray()) return WrongShape(type);
  std::vector<std::string> out;
  out.reserve(json.Size());
  for (const JsonValue& e : json.GetArray()) {
    if (!e.IsString()) return WrongShape(type);
    if (!base64) {
      out.emplace_back(JsonStringView(e));
      continue;
    }
    std::optional<std::string> bytes = Base64Decode(JsonStringView(e));
    if (!bytes) return ApiError::Serialization("Invalid base64 in a BS value");
    out.push_back(std::move(*bytes));
  }
  return out;
}

ApiResult<AttributeValue> TypedFromJson(std::string_view type, const JsonValue& v, int depth) {
  if (type == "S") {
    if (!v.IsString()) return WrongShape(type);
    return AttributeValue::S(std::string(JsonStringView(v)));
  }
  if (type == "N") {
    if (!v.IsString()) return WrongShape(type);
    return AttributeValue::NFromString(JsonStringView(v));
  }
  if (type == "B") {
    if (!v.IsString()) return WrongShape(type);
    std::optional<std::string> bytes = Base64Decode(JsonStringView(v));
    if (!bytes) return ApiError::Serialization("Invalid base64 in a B value");
    return AttributeValue::B(std::move(*bytes));
  }
  if (type == "BOOL") {
    if (!v.IsBool()) return WrongShape(type);
    return AttributeValue::Bool(v.GetBool());
  }
  if (type == "NULL") {
    if (!v.IsBool()) return WrongShape(type);
    if (!v.GetBool()) {
      return ApiError::Validation(
          "One or more parameter values were invalid: Null attribute value types must have the "
          "value of true");
    }
    return AttributeValue::Null();
  }
  if (type == "M") {
    if (!v.IsObject()) return WrongShape(type);
    if (depth >= AttributeValue::kMaxNestingDepth) return ApiError::Validation(kNestingTooDeep);
    AttributeValue::Map entries;
    entries.reserve(v.MemberCount());
    for (const auto& m : v.GetObject()) {
      EDDY_API_ASSIGN_OR_RETURN(AttributeValue element, FromJson(m.value, depth + 1));
      entries.emplace_back(std::string(JsonStringView(m.name)), std::move(element));
    }
    return AttributeValue::M(std::move(entries));
  }
  if (type == "L") {
    if (!v.IsArray()) return WrongShape(type);
    if (depth >= AttributeValue::kMaxNestingDepth) return ApiError::Validation(kNestingTooDeep);
    AttributeValue::List elements;
    elements.reserve(v.Size());
    for (const JsonValue& e : v.GetArray()) {
      EDDY_API_ASSIGN_OR_RETURN(AttributeValue element, FromJson(e, depth + 1));
      elements.push_back(std::move(element));
    }
    return AttributeValue::L(std::move(elements));
  }
  if (type == "SS" || type == "BS") {
    EDDY_API_ASSIGN_OR_RETURN(std::vector<std::string> elements, StringList(v, type, type == "BS"));
    return type == "SS" ? AttributeValue::SS(std::move(elements))
                        : AttributeValue::BS(std::move(elements));
  }
  if (type == "NS") {
    EDDY_API_ASSIGN_OR_RETURN(std::vector<std::string> texts, StringList(v, type, false));
    AttributeValue::NumberSet numbers;
    numbers.reserve(texts.size());
    for (const std::string& t : texts) {
      EDDY_API_ASSIGN_OR_RETURN(Number n, Number::Parse(t));
      numbers.push_back(n);
    }
    return AttributeValue::NS(std::move(numbers));
  }
  return ApiError::Serialization("Unknown AttributeValue type: " + std::string(type));
}

ApiResult<AttributeValue> FromJson(const JsonValue& json, int depth) {
  if (!json.IsObject()) return ApiError::Serialization("An AttributeValue must be a JSON object");
  // botocore serializes unset members as absent, but hand-written clients
  // send nulls; DynamoDB ignores null members, so count only non-null ones.
  const JsonValue* typed = nullptr;
  std::string_view type;
  for (const auto& m : json.GetObject()) {
    if (m.value.IsNull()) continue;
    if (typed != nullptr) {
      return ApiError::Validation(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
          "the supported datatypes");
    }
    typed = &m.value;
    type = JsonStringView(m.name);
  }
  if (typed == nullptr) {
    return ApiError::Validation(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  return TypedFromJson(type, *typed, depth);
}

}  // namespace

ApiResult<AttributeValue> AttributeValueFromJson(const JsonValue& json) {
  return FromJson(json, 0);
}

ApiResult<Item> ItemFromJson(const JsonValue& json) {
  if (!json.IsObject()) return ApiError::Serialization("An attribute map must be a JSON object");
  Item::Entries entries;
  entries.reserve(json.MemberCount());
  for (const auto& m : json.GetObject()) {
    EDDY_API_ASSIGN_OR_RETURN(AttributeValue value, FromJson(m.value, 0));
    entries.emplace_back(std::string(JsonStringView(m.name)), std::move(value));
  }
  return Item::FromEntries(std::move(entries));
}

JsonValue AttributeValueToJson(const AttributeValue& value, JsonAllocator& alloc) {
  JsonValue out(rapidjson::kObjectType);
  JsonValue key = JsonString(TypeName(value.type()), alloc);
  JsonValue inner;
  switch (value.type()) {
    case AttributeType::kS:
      inner = JsonString(value.AsString(), alloc);
      break;
    case AttributeType::kN:
      inner = JsonString(value.AsNumber().ToString(), alloc);
      break;
    case AttributeType::kB:
      inner = JsonString(Base64Encode(value.AsBinary()), alloc);
      break;
    case AttributeType::kBool:
      inner.SetBool(value.AsBool());
      break;
    case AttributeType::kNull:
      inner.SetBool(true);
      break;
    case AttributeType::kM:
      inner.SetObject();
      for (const auto& [name, element] : value.AsMap()) {
        inner.AddMember(JsonString(name, alloc), AttributeValueToJson(element, alloc), alloc);
      }
      break;
    case AttributeType::kL:
      inner.SetArray();
      for (const AttributeValue& element : value.AsList())
        inner.PushBack(AttributeValueToJson(element, alloc), alloc);
      break;
    case AttributeType::kSS:
      inner.SetArray();
      for (const std::string& s : value.AsStringSet())
        inner.PushBack(JsonString(s, alloc), alloc);
      break;
    case AttributeType::kNS:
      inner.SetArray();
      for (const Number& n : value.AsNumberSet())
        inner.PushBack(JsonString(n.ToString(), alloc), alloc);
      break;
    case AttributeType::kBS:
      inner.SetArray();
      for (const std::string& b : value.AsBinarySet())
        inner.PushBack(JsonString(Base64Encode(b), alloc), alloc);
      break;
  }
  out.AddMember(key, inner, alloc);
  return out;
}

JsonValue ItemToJson(const Item& item, JsonAllocator& alloc) {
  JsonValue out(rapidjson::kObjectType);
  for (const auto& [name, value] : item)
    out.AddMember(JsonString(name, alloc), AttributeValueToJson(value, alloc), alloc);
  return out;
}

}  // namespace eddy::server
