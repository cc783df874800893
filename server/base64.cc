#include "server/base64.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/binary_from_base64.hpp>
#include <boost/archive/iterators/transform_width.hpp>
#pragma GCC diagnostic pop

namespace eddy::server {
namespace {

namespace it = boost::archive::iterators;
using EncodeIt = it::base64_from_binary<it::transform_width<const char*, 6, 8>>;
using DecodeIt = it::transform_width<it::binary_from_base64<const char*>, 8, 6>;

bool IsAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  // The iterator pulls whole input bytes when it needs more bits and stops
  // only when its base reaches the end, so feed it a zero-padded copy and
  // take exactly ceil(8n/6) characters; '=' completes the last quantum.
  std::string padded(bytes);
  padded.append((3 - padded.size() % 3) % 3, '\0');
  const std::size_t chars = (bytes.size() * 8 + 5) / 6;
  std::string out;
  out.reserve(chars + 3);
  EncodeIt encoder(padded.data());
  for (std::size_t i = 0; i < chars; ++i, ++encoder)
    out.push_back(*encoder);
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=')
    ++padding;
  const std::string_view body = text.substr(0, text.size() - padding);
  for (char c : body) {
    if (!IsAlphabet(c)) return std::nullopt;
  }
  // Exactly the bytes the characters carry; the iterator would otherwise
  // read past the end to fill its last byte.
  const std::size_t out_bytes = body.size() * 6 / 8;
  std::string out;
  out.reserve(out_bytes);
  DecodeIt decoder(body.data());
  for (std::size_t i = 0; i < out_bytes; ++i, ++decoder)
    out.push_back(static_cast<char>(*decoder));
  return out;
}

}  // namespace eddy::server
