// Binary encoding of Items and AttributeValues, shared by the write-ahead
// log, the memtable and sorted files.
//
// Layout: docs/item_format.md (version byte kItemFormatVersion = 1). In
// short: a version byte, then for an item a varint attribute count and
// (varint name length, name, value) per attribute in name order; each value
// is one tag byte and a payload, with varint lengths/counts and numbers as
// sign+count, exponent and packed BCD digits.
//
// The encoding is canonical: Items and AttributeValues are canonical (sorted
// maps and sets, normalized numbers), the encoder writes minimal varints, and
// the decoder rejects anything else. So a == b exactly when Encode(a) ==
// Encode(b).
//
// Errors: decoders return Corruption for any input that is not exactly one
// valid encoding (bad version, unknown tag, truncation, trailing bytes,
// over-long or non-minimal varints, unsorted or duplicate names/keys/set
// elements, empty sets, non-canonical numbers, nesting deeper than
// AttributeValue::kMaxNestingDepth). They never read outside the given span
// and bound every allocation by the input size, so arbitrary bytes are safe.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eddy/attribute_value.h"
#include "eddy/item.h"
#include "eddy/result.h"
#include "eddy/types.h"

namespace eddy {

inline constexpr std::uint8_t kItemFormatVersion = 1;

// Append the encoding to *out (existing contents are kept). No allocation
// besides the growth of *out.
void EncodeItem(const Item& item, std::string* out);
void EncodeAttributeValue(const AttributeValue& value, std::string* out);

// Decode exactly one encoding occupying all of `bytes`.
Result<Item> DecodeItem(ByteSpan bytes);
Result<Item> DecodeItem(std::string_view bytes);
Result<AttributeValue> DecodeAttributeValue(ByteSpan bytes);
Result<AttributeValue> DecodeAttributeValue(std::string_view bytes);

// For code that walks an encoded item attribute by attribute without
// decoding it (common/stored_item.h):
// Appends one value as it appears inside an encoded item: its tag and
// payload, no version byte.
void AppendValueEncoding(const AttributeValue& value, std::string* out);
// How many bytes the value encoding at the start of `bytes` takes. Checks
// bounds, tags and the nesting limit, not canonical order (which only
// DecodeItem proves). Errors: Corruption.
Result<std::size_t> EncodedValueLength(std::string_view bytes);

}  // namespace eddy
