// libFuzzer target for the expression language (server/expression/): any
// text, with any ExpressionAttributeNames/Values, must compile or fail with a
// Status; never crash, hang or leak.
//
// Input layout (text, so seeds are easy to write by hand; see README.md):
//   byte 0      flags: bits 0-2 which parser goes first (mod 5: condition,
//               filter, update, projection, key condition); bit 3 the request
//               carries ExpressionAttributeNames, bit 4 ExpressionAttributeValues;
//               bit 5 the key schema has a sort key, bits 6-7 its type (S, N, B)
//   line 1      the expression
//   more lines  placeholders: `#name=attribute` or `:name=TYPE:payload` with
//               TYPE one of S N B BOOL NULL L M SS NS BS; L, M and the sets
//               take comma-separated elements (L: numbers where they parse).
//               Anything else becomes a :value of type S, so odd keys reach
//               CheckMaps too.
// The first parser runs in a fresh context followed by CheckAllUsed, then all
// five run through one context in DynamoDB's UpdateItem/Query orders.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eddy/attribute_value.h"
#include "eddy/item.h"
#include "server/expression/expression_compiler.h"

namespace {

using eddy::AttributeType;
using eddy::AttributeValue;
using eddy::KeyAttribute;
using eddy::KeySchema;
using eddy::server::AttributeNames;
using eddy::server::AttributeValues;
using eddy::server::ExpressionContext;

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(sep);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return parts;
}

// A value from `TYPE:payload`; a type or payload that does not build gives an
// S holding the whole text (values are checked by the JSON layer, not here).
AttributeValue MakeValue(std::string_view spec) {
  const std::size_t colon = spec.find(':');
  const std::string_view type = spec.substr(0, colon);
  const std::string_view payload =
      colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  const std::vector<std::string_view> parts = Split(payload, ',');
  auto or_s = [&](eddy::Result<AttributeValue> r) {
    return r.ok() ? std::move(r).value() : AttributeValue::S(std::string(spec));
  };
  if (type == "S") return AttributeValue::S(std::string(payload));
  if (type == "N") return or_s(AttributeValue::NFromString(payload));
  if (type == "B") return AttributeValue::B(std::string(payload));
  if (type == "BOOL") return AttributeValue::Bool(payload == "true");
  if (type == "NULL") return AttributeValue::Null();
  if (type == "L") {
    AttributeValue::List list;
    for (std::string_view p : parts) {
      auto n = AttributeValue::NFromString(p);
      list.push_back(n.ok() ? std::move(n).value() : AttributeValue::S(std::string(p)));
    }
    return or_s(AttributeValue::L(std::move(list)));
  }
  if (type == "M") {
    AttributeValue::Map map;
    for (std::string_view p : parts) {
      if (!map.empty() && map.back().first >= p) continue;  // sorted, unique
      map.emplace_back(std::string(p), AttributeValue::S(std::string(p)));
    }
    return or_s(AttributeValue::M(std::move(map)));
  }
  if (type == "SS" || type == "BS" || type == "NS") {
    AttributeValue::StringSet strings;
    AttributeValue::NumberSet numbers;
    for (std::string_view p : parts) {
      if (type == "NS") {
        auto n = eddy::Number::Parse(p);
        if (n.ok()) numbers.push_back(n.value());
      } else {
        strings.emplace_back(p);
      }
    }
    if (type == "NS") return or_s(AttributeValue::NS(std::move(numbers)));
    return or_s(type == "SS" ? AttributeValue::SS(std::move(strings))
                             : AttributeValue::BS(std::move(strings)));
  }
  return AttributeValue::S(std::string(spec));
}

// Runs parser `kind` (0..4) through `ctx`; the result only has to not crash.
void RunParser(ExpressionContext& ctx, unsigned kind, std::string_view text,
               const KeySchema& schema) {
  switch (kind % 5) {
    case 0:
    case 1: {
      auto cond =
          ctx.ParseCondition(text, kind % 5 == 0 ? "ConditionExpression" : "FilterExpression");
      if (cond.ok()) (void)eddy::server::CheckFilterAvoidsKeys(cond.value(), schema);
      break;
    }
    case 2:
      (void)ctx.ParseUpdate(text);
      break;
    case 3:
      (void)ctx.ParseProjection(text);
      break;
    default:
      (void)ctx.ParseKeyCondition(text, schema);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned flags = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::vector<std::string_view> lines = Split(rest, '\n');
  const std::string_view text = lines[0];

  AttributeNames names;
  AttributeValues values;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const std::size_t eq = line.find('=');
    const std::string_view key = line.substr(0, eq);
    const std::string_view spec =
        eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    if (!key.empty() && key[0] == '#') {
      names.insert_or_assign(std::string(key), std::string(spec));
    } else {
      values.insert_or_assign(std::string(key), MakeValue(spec));
    }
  }
  const AttributeNames* names_ptr = (flags & 0x08) ? &names : nullptr;
  const AttributeValues* values_ptr = (flags & 0x10) ? &values : nullptr;

  KeySchema schema{KeyAttribute{"pk", AttributeType::kS}, std::nullopt};
  if (flags & 0x20) {
    static constexpr AttributeType kSortTypes[] = {AttributeType::kS, AttributeType::kN,
                                                   AttributeType::kB, AttributeType::kS};
    schema.sort_key = KeyAttribute{"sk", kSortTypes[(flags >> 6) & 3]};
  }

  {
    ExpressionContext ctx(names_ptr, values_ptr);
    (void)ctx.CheckMaps();
    RunParser(ctx, flags & 7, text, schema);
    (void)ctx.CheckAllUsed();
  }
  {
    // UpdateItem's order (update, condition), then Query's (filter,
    // projection, key condition), all sharing one request's maps.
    ExpressionContext ctx(names_ptr, values_ptr);
    for (unsigned kind : {2u, 0u, 1u, 3u, 4u})
      RunParser(ctx, kind, text, schema);
    (void)ctx.CheckAllUsed();
  }
  return 0;
}
