// Short builders for attribute values and items in tests. They assert
// (through the Result) that the value is valid: tests build valid values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/attribute_value.h"
#include "eddy/item.h"

namespace eddy::testing {

inline AttributeValue S(std::string s) {
  return AttributeValue::S(std::move(s));
}
inline AttributeValue B(std::string s) {
  return AttributeValue::B(std::move(s));
}
inline AttributeValue N(std::int64_t v) {
  return AttributeValue::N(Number::FromInt64(v));
}
inline AttributeValue NText(std::string_view text) {
  return *AttributeValue::NFromString(text);
}
inline AttributeValue M(AttributeValue::Map m) {
  return *AttributeValue::M(std::move(m));
}
inline AttributeValue L(AttributeValue::List l) {
  return *AttributeValue::L(std::move(l));
}
inline AttributeValue SS(AttributeValue::StringSet s) {
  return *AttributeValue::SS(std::move(s));
}
inline AttributeValue BS(AttributeValue::StringSet s) {
  return *AttributeValue::BS(std::move(s));
}
inline AttributeValue NS(std::vector<std::int64_t> values) {
  AttributeValue::NumberSet set;
  for (std::int64_t v : values)
    set.push_back(Number::FromInt64(v));
  return *AttributeValue::NS(std::move(set));
}
inline Item MakeItem(Item::Entries entries) {
  return *Item::FromEntries(std::move(entries));
}

}  // namespace eddy::testing
