// Item codec. See docs/item_format.md for the byte layout.
//
// The decoder is the trust boundary for bytes that come back from disk, so
// it re-checks every invariant the in-memory types promise (sorted, unique,
// canonical numbers, bounded depth) instead of sorting or repairing: a
// repaired record would silently differ from what was written. Counts are
// checked against the remaining input before anything is reserved, so a
// corrupt count cannot trigger a huge allocation, and recursion is bounded by
// the nesting limit, so corrupt input cannot exhaust the stack.
#include "common/item_codec.h"

#include "common/byte_codec.h"

#include <cassert>
#include <cstring>

namespace eddy {
namespace {

enum Tag : std::uint8_t {
  kTagS = 0x01,
  kTagN = 0x02,
  kTagB = 0x03,
  kTagFalse = 0x04,
  kTagTrue = 0x05,
  kTagNull = 0x06,
  kTagM = 0x07,
  kTagL = 0x08,
  kTagSS = 0x09,
  kTagNS = 0x0A,
  kTagBS = 0x0B,
};

constexpr std::uint8_t kNumberNegativeBit = 0x80;
constexpr std::uint8_t kNumberCountMask = 0x3F;

// --- Encoding ----------------------------------------------------------------

void PutNumber(const Number& n, std::string* out) {
  const int count = n.DigitCount();
  char buf[2 + Number::kPackedBytes];
  buf[0] = static_cast<char>((n.IsNegative() ? kNumberNegativeBit : 0) | count);
  if (count == 0) {
    out->push_back(buf[0]);
    return;
  }
  buf[1] = static_cast<char>(n.Exponent() - Number::kMinExponent);
  const std::size_t packed = static_cast<std::size_t>(count + 1) / 2;
  std::memcpy(buf + 2, n.packed_digits(), packed);
  out->append(buf, 2 + packed);
}

void PutValue(const AttributeValue& v, std::string* out) {
  switch (v.type()) {
    case AttributeType::kS:
      out->push_back(static_cast<char>(kTagS));
      PutBytes(v.AsString(), out);
      return;
    case AttributeType::kN:
      out->push_back(static_cast<char>(kTagN));
      PutNumber(v.AsNumber(), out);
      return;
    case AttributeType::kB:
      out->push_back(static_cast<char>(kTagB));
      PutBytes(v.AsBinary(), out);
      return;
    case AttributeType::kBool:
      out->push_back(static_cast<char>(v.AsBool() ? kTagTrue : kTagFalse));
      return;
    case AttributeType::kNull:
      out->push_back(static_cast<char>(kTagNull));
      return;
    case AttributeType::kM:
      out->push_back(static_cast<char>(kTagM));
      PutVarint(v.AsMap().size(), out);
      for (const auto& [key, value] : v.AsMap()) {
        PutBytes(key, out);
        PutValue(value, out);
      }
      return;
    case AttributeType::kL:
      out->push_back(static_cast<char>(kTagL));
      PutVarint(v.AsList().size(), out);
      for (const auto& value : v.AsList())
        PutValue(value, out);
      return;
    case AttributeType::kSS:
    case AttributeType::kBS: {
      const bool binary = v.type() == AttributeType::kBS;
      const auto& set = binary ? v.AsBinarySet() : v.AsStringSet();
      out->push_back(static_cast<char>(binary ? kTagBS : kTagSS));
      PutVarint(set.size(), out);
      for (const auto& s : set)
        PutBytes(s, out);
      return;
    }
    case AttributeType::kNS:
      out->push_back(static_cast<char>(kTagNS));
      PutVarint(v.AsNumberSet().size(), out);
      for (const auto& n : v.AsNumberSet())
        PutNumber(n, out);
      return;
  }
  assert(false && "unknown attribute type");
}

// --- Decoding ----------------------------------------------------------------

class Reader : public ByteReader {
 public:
  explicit Reader(std::string_view in) : ByteReader(in) {}
};

Status Corrupt(std::string_view what) {
  std::string msg = "item codec: ";
  msg.append(what);
  return Status::Corruption(msg);
}

Result<Number> ReadNumber(Reader* r) {
  std::uint8_t header;
  if (!r->ReadByte(&header)) return Corrupt("truncated number");
  const bool negative = (header & kNumberNegativeBit) != 0;
  const int count = header & kNumberCountMask;
  if ((header & 0x40) != 0) return Corrupt("bad number header");
  if (count == 0) {
    if (negative) return Corrupt("negative zero");
    return Number();
  }
  std::uint8_t exponent_byte;
  std::string_view packed;
  if (!r->ReadByte(&exponent_byte) ||
      !r->ReadSpan(static_cast<std::size_t>(count + 1) / 2, &packed)) {
    return Corrupt("truncated number");
  }
  Result<Number> n =
      Number::FromPacked(negative, count, static_cast<int>(exponent_byte) + Number::kMinExponent,
                         reinterpret_cast<const std::uint8_t*>(packed.data()));
  if (!n.ok()) return Corrupt("bad number: " + n.status().message());
  return n;
}

// `depth` is the nesting depth the value would add to: a top-level value
// is read at depth 0, the elements of a top-level map at depth 1.
Result<AttributeValue> ReadValue(Reader* r, int depth) {
  std::uint8_t tag;
  if (!r->ReadByte(&tag)) return Corrupt("truncated value");
  switch (tag) {
    case kTagS:
    case kTagB: {
      std::string_view s;
      if (!r->ReadLengthPrefixed(&s)) return Corrupt("truncated string");
      return tag == kTagS ? AttributeValue::S(std::string(s)) : AttributeValue::B(std::string(s));
    }
    case kTagN: {
      EDDY_ASSIGN_OR_RETURN(Number n, ReadNumber(r));
      return AttributeValue::N(n);
    }
    case kTagFalse:
      return AttributeValue::Bool(false);
    case kTagTrue:
      return AttributeValue::Bool(true);
    case kTagNull:
      return AttributeValue::Null();
    case kTagM:
    case kTagL: {
      if (depth + 1 > AttributeValue::kMaxNestingDepth) return Corrupt("nesting too deep");
      const bool is_map = tag == kTagM;
      std::size_t count;
      if (!r->ReadCount(is_map ? 2 : 1, &count)) return Corrupt("bad element count");
      if (is_map) {
        AttributeValue::Map entries;
        entries.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
          std::string_view key;
          if (!r->ReadLengthPrefixed(&key)) return Corrupt("truncated map key");
          if (i > 0 && !(entries.back().first < key)) return Corrupt("map keys out of order");
          EDDY_ASSIGN_OR_RETURN(AttributeValue value, ReadValue(r, depth + 1));
          entries.emplace_back(std::string(key), std::move(value));
        }
        return AttributeValue::MFromCanonical(std::move(entries));
      }
      AttributeValue::List elements;
      elements.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        EDDY_ASSIGN_OR_RETURN(AttributeValue value, ReadValue(r, depth + 1));
        elements.push_back(std::move(value));
      }
      return AttributeValue::LFromCanonical(std::move(elements));
    }
    case kTagSS:
    case kTagBS: {
      std::size_t count;
      if (!r->ReadCount(1, &count) || count == 0) return Corrupt("bad set count");
      AttributeValue::StringSet set;
      set.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        std::string_view s;
        if (!r->ReadLengthPrefixed(&s)) return Corrupt("truncated set element");
        if (i > 0 && !(set.back() < s)) return Corrupt("set elements out of order");
        set.emplace_back(s);
      }
      return tag == kTagSS ? AttributeValue::SSFromCanonical(std::move(set))
                           : AttributeValue::BSFromCanonical(std::move(set));
    }
    case kTagNS: {
      std::size_t count;
      if (!r->ReadCount(1, &count) || count == 0) return Corrupt("bad set count");
      AttributeValue::NumberSet set;
      set.reserve(count);
      for (std::size_t i = 0; i < count; ++i) {
        EDDY_ASSIGN_OR_RETURN(Number n, ReadNumber(r));
        if (i > 0 && !(set.back() < n)) return Corrupt("set elements out of order");
        set.push_back(n);
      }
      return AttributeValue::NSFromCanonical(std::move(set));
    }
    default:
      return Corrupt("unknown value tag");
  }
}

// ReadValue's walk without building anything: true when a whole value
// encoding was consumed.
bool SkipValue(Reader* r, int depth) {
  std::uint8_t tag;
  if (!r->ReadByte(&tag)) return false;
  std::string_view ignored;
  std::size_t count;
  switch (tag) {
    case kTagS:
    case kTagB:
      return r->ReadLengthPrefixed(&ignored);
    case kTagN:
      return ReadNumber(r).ok();
    case kTagFalse:
    case kTagTrue:
    case kTagNull:
      return true;
    case kTagM:
    case kTagL: {
      if (depth + 1 > AttributeValue::kMaxNestingDepth) return false;
      const bool is_map = tag == kTagM;
      if (!r->ReadCount(is_map ? 2 : 1, &count)) return false;
      for (std::size_t i = 0; i < count; ++i) {
        if (is_map && !r->ReadLengthPrefixed(&ignored)) return false;
        if (!SkipValue(r, depth + 1)) return false;
      }
      return true;
    }
    case kTagSS:
    case kTagBS:
      if (!r->ReadCount(1, &count) || count == 0) return false;
      for (std::size_t i = 0; i < count; ++i) {
        if (!r->ReadLengthPrefixed(&ignored)) return false;
      }
      return true;
    case kTagNS:
      if (!r->ReadCount(1, &count) || count == 0) return false;
      for (std::size_t i = 0; i < count; ++i) {
        if (!ReadNumber(r).ok()) return false;
      }
      return true;
    default:
      return false;
  }
}

Status ReadVersion(Reader* r) {
  std::uint8_t version;
  if (!r->ReadByte(&version)) return Corrupt("empty input");
  if (version != kItemFormatVersion) return Corrupt("unsupported format version");
  return Status::Ok();
}

std::string_view AsStringView(ByteSpan bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

void EncodeItem(const Item& item, std::string* out) {
  out->push_back(static_cast<char>(kItemFormatVersion));
  PutVarint(item.size(), out);
  for (const auto& [name, value] : item) {
    PutBytes(name, out);
    PutValue(value, out);
  }
}

void EncodeAttributeValue(const AttributeValue& value, std::string* out) {
  out->push_back(static_cast<char>(kItemFormatVersion));
  PutValue(value, out);
}

Result<Item> DecodeItem(std::string_view bytes) {
  Reader r(bytes);
  EDDY_RETURN_IF_ERROR(ReadVersion(&r));
  std::size_t count;
  if (!r.ReadCount(2, &count)) return Corrupt("bad attribute count");
  Item::Entries entries;
  entries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::string_view name;
    if (!r.ReadLengthPrefixed(&name)) return Corrupt("truncated attribute name");
    if (i > 0 && !(entries.back().first < name)) return Corrupt("attribute names out of order");
    EDDY_ASSIGN_OR_RETURN(AttributeValue value, ReadValue(&r, 0));
    entries.emplace_back(std::string(name), std::move(value));
  }
  if (r.remaining() != 0) return Corrupt("trailing bytes");
  return Item::FromCanonical(std::move(entries));
}

Result<Item> DecodeItem(ByteSpan bytes) {
  return DecodeItem(AsStringView(bytes));
}

Result<AttributeValue> DecodeAttributeValue(std::string_view bytes) {
  Reader r(bytes);
  EDDY_RETURN_IF_ERROR(ReadVersion(&r));
  EDDY_ASSIGN_OR_RETURN(AttributeValue value, ReadValue(&r, 0));
  if (r.remaining() != 0) return Corrupt("trailing bytes");
  return value;
}

Result<AttributeValue> DecodeAttributeValue(ByteSpan bytes) {
  return DecodeAttributeValue(AsStringView(bytes));
}

void AppendValueEncoding(const AttributeValue& value, std::string* out) {
  PutValue(value, out);
}

Result<std::size_t> EncodedValueLength(std::string_view bytes) {
  Reader r(bytes);
  if (!SkipValue(&r, 0)) return Corrupt("malformed value");
  return bytes.size() - r.remaining();
}

}  // namespace eddy
