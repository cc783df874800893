// The one place the server includes RapidJSON, with the settings every file
// must agree on (std::string support, C++11 move).
//
// Contract: JSON values the server builds use the owning Document's
// allocator; JsonToString() renders compact JSON (no spaces), as DynamoDB
// does.
#pragma once

#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wclass-memaccess"
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#pragma GCC diagnostic pop

#include <string>
#include <string_view>

namespace eddy::server {

using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;
using JsonAllocator = rapidjson::Document::AllocatorType;

inline std::string JsonToString(const JsonValue& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// A string value copied into `alloc` (RapidJSON otherwise keeps pointers).
inline JsonValue JsonString(std::string_view s, JsonAllocator& alloc) {
  return JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

inline std::string_view JsonStringView(const JsonValue& v) {
  return {v.GetString(), v.GetStringLength()};
}

}  // namespace eddy::server
