// Base64 (RFC 4648, standard alphabet, padded) for B and BS values.
//
// Built on Boost.Archive's dataflow iterators (header-only, in Debian's
// libboost-dev). Those iterators do the bit shuffling but neither pad nor
// check padding, so this file adds exactly that: Encode pads to a multiple
// of 4; Decode accepts only canonical padded input (length a multiple of 4,
// '=' only as the last one or two characters, alphabet characters otherwise)
// and returns nullopt for anything else, which the codec reports as
// DynamoDB's SerializationException.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eddy::server {

std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace eddy::server
