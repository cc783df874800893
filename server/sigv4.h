// What Eddy reads from a SigV4 Authorization header: the region of the
// credential scope. Signatures are not checked — the server accepts any
// credentials, as a local DynamoDB does (facts doc §1.2).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eddy::server {

// "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/dynamodb/aws4_request,
//  SignedHeaders=..., Signature=..." -> "eu-west-1". nullopt when the header
// is absent or has no well-formed credential scope.
std::optional<std::string> RegionFromAuthorization(std::string_view header);

}  // namespace eddy::server
