// AttributeValue factories, sizes and debug rendering.
//
// Containers are sorted once, at construction, so that equality never has
// to: no-op write suppression compares whole old and new items on every
// write, while values are built once per request. Sorting costs
// O(n log n) where building a hash set per comparison would cost that on
// every compare, and the sorted form also gives the codec a canonical byte
// layout (equal values encode to equal bytes).
#include "eddy/attribute_value.h"

#include <algorithm>
#include <array>

#include "common/invalid_parameter.h"

namespace eddy {
namespace {

constexpr std::string_view kNestingTooDeep =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";

constexpr std::array<std::string_view, 10> kTypeNames = {"S", "N", "B",  "BOOL", "NULL",
                                                         "M", "L", "SS", "NS",   "BS"};

// DynamoDB echoes the offending collection: "Input collection [a, b, a]
// contains duplicates". We echo it sorted, which is how we hold it.
template <typename T, typename Render>
Status Duplicates(const std::vector<T>& elements, Render render) {
  std::string detail = "Input collection [";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i != 0) detail.append(", ");
    render(elements[i], &detail);
  }
  detail.append("] contains duplicates");
  return InvalidParameterValue(detail);
}

template <typename T>
bool HasAdjacentDuplicate(const std::vector<T>& sorted) {
  return std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end();
}

template <typename T>
bool StrictlyAscending(const std::vector<T>& v) {
  return std::adjacent_find(v.begin(), v.end(), [](const T& a, const T& b) { return !(a < b); }) ==
         v.end();
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0x0F]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out->push_back(kHex[u >> 4]);
    out->push_back(kHex[u & 0x0F]);
  }
  out->push_back('"');
}

}  // namespace

std::string_view TypeName(AttributeType type) {
  const auto i = static_cast<std::size_t>(type);
  assert(i < kTypeNames.size());
  return kTypeNames[i];
}

std::optional<AttributeType> TypeFromName(std::string_view name) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == name) return static_cast<AttributeType>(i);
  }
  return std::nullopt;
}

Result<AttributeValue> AttributeValue::NFromString(std::string_view text) {
  EDDY_ASSIGN_OR_RETURN(Number n, Number::Parse(text));
  return N(n);
}

Result<AttributeValue> AttributeValue::M(Map entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i - 1].first == entries[i].first) {
      return InvalidParameterValue("Duplicate map key " + entries[i].first);
    }
  }
  int deepest = 0;
  for (const auto& [key, value] : entries)
    deepest = std::max(deepest, value.NestingDepth());
  if (deepest + 1 > kMaxNestingDepth) return Status::InvalidArgument(kNestingTooDeep);
  return AttributeValue(Tag<kMIdx>{}, std::move(entries));
}

Result<AttributeValue> AttributeValue::L(List elements) {
  int deepest = 0;
  for (const auto& value : elements)
    deepest = std::max(deepest, value.NestingDepth());
  if (deepest + 1 > kMaxNestingDepth) return Status::InvalidArgument(kNestingTooDeep);
  return AttributeValue(Tag<kLIdx>{}, std::move(elements));
}

Result<AttributeValue> AttributeValue::SS(StringSet elements) {
  if (elements.empty()) return InvalidParameterValue("An string set  may not be empty");
  std::sort(elements.begin(), elements.end());
  if (HasAdjacentDuplicate(elements)) {
    return Duplicates(elements, [](const std::string& s, std::string* out) { out->append(s); });
  }
  return AttributeValue(Tag<kSSIdx>{}, std::move(elements));
}

Result<AttributeValue> AttributeValue::NS(NumberSet elements) {
  if (elements.empty()) return InvalidParameterValue("An number set  may not be empty");
  std::sort(elements.begin(), elements.end());
  if (HasAdjacentDuplicate(elements)) {
    return Duplicates(elements, [](const Number& n, std::string* out) { n.AppendTo(out); });
  }
  return AttributeValue(Tag<kNSIdx>{}, std::move(elements));
}

Result<AttributeValue> AttributeValue::BS(StringSet elements) {
  if (elements.empty()) return InvalidParameterValue("Binary sets should not be empty");
  std::sort(elements.begin(), elements.end());
  // DynamoDB echoes the members base64-encoded; we do not render raw bytes.
  if (HasAdjacentDuplicate(elements)) {
    return InvalidParameterValue("Input collection of type BS contains duplicates");
  }
  return AttributeValue(Tag<kBSIdx>{}, std::move(elements));
}

AttributeValue AttributeValue::MFromCanonical(Map entries) {
  assert(std::adjacent_find(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
           return !(a.first < b.first);
         }) == entries.end());
  AttributeValue v(Tag<kMIdx>{}, std::move(entries));
  assert(v.NestingDepth() <= kMaxNestingDepth);
  return v;
}

AttributeValue AttributeValue::LFromCanonical(List elements) {
  AttributeValue v(Tag<kLIdx>{}, std::move(elements));
  assert(v.NestingDepth() <= kMaxNestingDepth);
  return v;
}

AttributeValue AttributeValue::SSFromCanonical(StringSet elements) {
  assert(!elements.empty() && StrictlyAscending(elements));
  return AttributeValue(Tag<kSSIdx>{}, std::move(elements));
}

AttributeValue AttributeValue::NSFromCanonical(NumberSet elements) {
  assert(!elements.empty() && StrictlyAscending(elements));
  return AttributeValue(Tag<kNSIdx>{}, std::move(elements));
}

AttributeValue AttributeValue::BSFromCanonical(StringSet elements) {
  assert(!elements.empty() && StrictlyAscending(elements));
  return AttributeValue(Tag<kBSIdx>{}, std::move(elements));
}

const AttributeValue* AttributeValue::Find(std::string_view key) const {
  const Map& m = AsMap();
  auto it = std::lower_bound(m.begin(), m.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it == m.end() || it->first != key) return nullptr;
  return &it->second;
}

std::size_t AttributeValue::SizeBytes() const {
  switch (type()) {
    case AttributeType::kS:
      return AsString().size();
    case AttributeType::kN:
      return AsNumber().SizeBytes();
    case AttributeType::kB:
      return AsBinary().size();
    case AttributeType::kBool:
    case AttributeType::kNull:
      return 1;
    case AttributeType::kM: {
      std::size_t total = 3;
      for (const auto& [key, value] : AsMap())
        total += key.size() + value.SizeBytes() + 1;
      return total;
    }
    case AttributeType::kL: {
      std::size_t total = 3;
      for (const auto& value : AsList())
        total += value.SizeBytes() + 1;
      return total;
    }
    case AttributeType::kSS:
    case AttributeType::kBS: {
      const StringSet& set = type() == AttributeType::kSS ? AsStringSet() : AsBinarySet();
      std::size_t total = 0;
      for (const auto& s : set)
        total += s.size();
      return total;
    }
    case AttributeType::kNS: {
      std::size_t total = 0;
      for (const auto& n : AsNumberSet())
        total += n.SizeBytes();
      return total;
    }
  }
  assert(false && "unknown attribute type");
  return 0;
}

int AttributeValue::NestingDepth() const {
  int deepest = 0;
  if (type() == AttributeType::kM) {
    for (const auto& [key, value] : AsMap())
      deepest = std::max(deepest, value.NestingDepth());
    return deepest + 1;
  }
  if (type() == AttributeType::kL) {
    for (const auto& value : AsList())
      deepest = std::max(deepest, value.NestingDepth());
    return deepest + 1;
  }
  return 0;
}

std::string AttributeValue::DebugString() const {
  std::string out;
  AppendDebug(&out);
  return out;
}

void AttributeValue::AppendDebug(std::string* out) const {
  out->append("{\"");
  out->append(TypeName(type()));
  out->append("\":");
  switch (type()) {
    case AttributeType::kS:
      AppendJsonString(AsString(), out);
      break;
    case AttributeType::kN:
      out->push_back('"');
      AsNumber().AppendTo(out);
      out->push_back('"');
      break;
    case AttributeType::kB:
      AppendHex(AsBinary(), out);
      break;
    case AttributeType::kBool:
      out->append(AsBool() ? "true" : "false");
      break;
    case AttributeType::kNull:
      out->append("true");
      break;
    case AttributeType::kM: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, value] : AsMap()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(key, out);
        out->push_back(':');
        value.AppendDebug(out);
      }
      out->push_back('}');
      break;
    }
    case AttributeType::kL: {
      out->push_back('[');
      bool first = true;
      for (const auto& value : AsList()) {
        if (!first) out->push_back(',');
        first = false;
        value.AppendDebug(out);
      }
      out->push_back(']');
      break;
    }
    case AttributeType::kSS:
    case AttributeType::kBS: {
      const bool binary = type() == AttributeType::kBS;
      out->push_back('[');
      bool first = true;
      for (const auto& s : binary ? AsBinarySet() : AsStringSet()) {
        if (!first) out->push_back(',');
        first = false;
        if (binary) {
          AppendHex(s, out);
        } else {
          AppendJsonString(s, out);
        }
      }
      out->push_back(']');
      break;
    }
    case AttributeType::kNS: {
      out->push_back('[');
      bool first = true;
      for (const auto& n : AsNumberSet()) {
        if (!first) out->push_back(',');
        first = false;
        out->push_back('"');
        n.AppendTo(out);
        out->push_back('"');
      }
      out->push_back(']');
      break;
    }
  }
  out->push_back('}');
}

}  // namespace eddy
